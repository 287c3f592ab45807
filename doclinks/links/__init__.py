"""Links between documents: LangChain-compatible `Link`, `add_links`, `get_links`, and
entity link extraction (`GLiNERLinkExtractor`, `LinkExtractorTransformer`), tag
normalisation (`normalize_tag`, `normalize_links`) and graph-retriever metadata fields.

Importing this package does not load torch; the model loads when an extractor is built.
"""

from .extractor import (
    DEFAULT_MIN_LINK_SCORE,
    EXTRACT_KWARGS,
    GLiNERLinkExtractor,
    LinkExtractor,
    LinkExtractorTransformer,
    clear_model_cache,
    load_model,
)
from .fields import IN_SUFFIX, OUT_SUFFIX, add_link_fields, field_name, graph_retriever_edges, link_fields
from .link import Link, add_links, get_links, link_sides
from .normalize import (
    DEFAULT_HONORIFICS,
    TITLE_HONORIFICS,
    MergePolicy,
    canonicalize,
    keep_apart,
    match_key,
    merges_of,
    normalize_links,
    revert_merges,
    normalize_tag,
)

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
