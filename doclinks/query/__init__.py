"""Query parsing with GLiNER: questions into constraints on metadata fields, without an LLM.

`QueryParser(model, fields).parse(query, today=...)` gives a `ParsedQuery`: typed constraints with their
spans and scores, the filter (`doclinks.store.filters` syntax), the limit, the text left for the vector
search, the entity tags, and what it could not use. `GLiNERSelfQueryRetriever` searches a doclinks
store with it (LangChain's retriever interface); `DoclinksTranslator` and
`ParsedQuery.to_structured_query` speak LangChain's ``StructuredQuery``. See docs/query.md.
"""

from __future__ import annotations

from .fields import FIELD_TYPES, FieldSpec, load_fields
from .linking import ValueLinker
from .numbers import ValueNotUnderstood
from .parsed import Constraint, ParsedQuery, Span
from .parser import MAX_QUERY_CHARS, QueryParser

__all__ = [
    "FIELD_TYPES",
    "FieldSpec",
    "load_fields",
    "ValueLinker",
    "ValueNotUnderstood",
    "Constraint",
    "ParsedQuery",
    "Span",
    "QueryParser",
    "MAX_QUERY_CHARS",
    "GLiNERSelfQueryRetriever",
    "DoclinksTranslator",
]


def __getattr__(name: str):
    # These need langchain-core (the "langchain" extra): imported on first use.
    if name == "GLiNERSelfQueryRetriever":
        from .retriever import GLiNERSelfQueryRetriever

        return GLiNERSelfQueryRetriever
    if name == "DoclinksTranslator":
        from .structured import DoclinksTranslator

        return DoclinksTranslator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
