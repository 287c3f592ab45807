"""A query parser over the small test model (people, places, organisations, dates in simple cased sentences)."""

import pytest

from doclinks.query import FieldSpec, QueryParser, ValueLinker

FIELDS = [
    FieldSpec("author", "who wrote it", "string", labels=("person",)),
    FieldSpec("city", "where it was written", "string", labels=("location",)),
    FieldSpec("publisher", "who published it", "list[string]", labels=("organization",)),
    FieldSpec("year", "the year it was written", "integer", labels=("date",)),
]
VOCABULARY = {
    "author": ["Anna Smith", "John Garcia", "Maria Rossi", "Pierre Moreau"],
    "city": ["Paris", "Kyōto", "Geneva", "Lima"],
    "publisher": ["NASA", "Google", "Oxfam"],
}


@pytest.fixture(scope="session")
def query_parser(small_ner_model):
    return QueryParser(small_ner_model, FIELDS, linker=ValueLinker(VOCABULARY))
