"""Links between documents: LangChain-compatible `Link`, `add_links`, `get_links`, and
entity link extraction (`GLiNERLinkExtractor`, `LinkExtractorTransformer`), tag
normalisation (`normalize_tag` per mention, `normalize_links`/`renormalize` per corpus) and
graph-retriever metadata fields.

Modules: `link` (the Link and its walk sides), `normalize` (pure string functions), `canonical`
(choosing one tag per entity in a corpus), `rewrite` (applying it to documents, merges), `fields` (graph-retriever metadata fields), `models`
(loading NER models once), `extractor` (`GLiNERLinkExtractor`), `transformer`
(`LinkExtractorTransformer`).

Importing this package does not load torch; the model loads when an extractor is built.
"""

from .canonical import MergePolicy, canonicalize, in_scope, match_query_tags, scope_of
from .extractor import (
    DEFAULT_MIN_LINK_SCORE,
    EXTRACT_KWARGS,
    GLiNERLinkExtractor,
    LinkExtractor,
)
from .fields import (
    IN_SUFFIX,
    OUT_SUFFIX,
    add_link_fields,
    field_name,
    graph_retriever_edges,
    link_fields,
)
from .link import Link, add_links, get_links, link_sides
from .models import clear_model_cache, load_model
from .normalize import DEFAULT_HONORIFICS, TITLE_HONORIFICS, match_key, normalize_tag
from .rewrite import keep_apart, merges_of, normalize_links, renormalize, revert_merges
from .transformer import LinkExtractorTransformer

__all__ = [
    "Link",
    "add_links",
    "get_links",
    "link_sides",
    "LinkExtractor",
    "GLiNERLinkExtractor",
    "LinkExtractorTransformer",
    "EXTRACT_KWARGS",
    "DEFAULT_MIN_LINK_SCORE",
    "load_model",
    "clear_model_cache",
    "normalize_tag",
    "match_key",
    "canonicalize",
    "normalize_links",
    "renormalize",
    "scope_of",
    "match_query_tags",
    "in_scope",
    "MergePolicy",
    "merges_of",
    "revert_merges",
    "keep_apart",
    "DEFAULT_HONORIFICS",
    "TITLE_HONORIFICS",
    "add_link_fields",
    "link_fields",
    "field_name",
    "graph_retriever_edges",
    "OUT_SUFFIX",
    "IN_SUFFIX",
]
