"""QueryParser on the small test model: clear cases only (people, places, organisations, years)."""

from datetime import date, datetime, timezone

import pytest

from doclinks.query import MAX_QUERY_CHARS, QueryParser
from doclinks.query.parser import reference_date, residual_text

from .conftest import FIELDS

TODAY = "2026-12-07"


def by_field(parsed):
    return {c.field: (c.operator, c.value) for c in parsed.constraints}


def test_constraints_carry_spans_scores_and_typed_values(query_parser):
    q = "Books by Anna Smith written in Paris in 1999 ."
    p = query_parser.parse(q, today=TODAY)
    assert by_field(p) == {"author": ("eq", "Anna Smith"), "city": ("eq", "Paris"), "year": ("eq", 1999)}
    for c in p.constraints:
        assert q[c.start : c.end] in ("Anna Smith", "Paris", "1999")
        assert c.phrase_start <= c.start < c.end <= c.phrase_end
        assert 0.5 <= c.score <= 1.0
    assert p.filter == {
        "$and": [{"author": {"$eq": "Anna Smith"}}, {"city": {"$eq": "Paris"}}, {"year": {"$eq": 1999}}]
    }
    assert p.residual == "Books written"
    assert p.unused == [] and p.unknown == []


def test_comparisons_negation_lists_and_limit(query_parser):
    p = query_parser.parse("Top 3 reports from Google or NASA , not by Maria Rossi , written after 1990 .", today=TODAY)
    assert by_field(p) == {
        "publisher": ("in", ["Google", "NASA"]),
        "author": ("ne", "Maria Rossi"),
        "year": ("gte", 1991),
    }
    assert p.limit == 3
    assert p.residual == "reports, written"


def test_values_link_to_the_store_and_unknown_ones_are_reported_not_filtered(query_parser):
    p = query_parser.parse("Books written in Kyoto by Peter Novak .", today=TODAY)
    assert by_field(p) == {"city": ("eq", "Kyōto")}
    assert [c.link for c in p.constraints] == ["folded"]
    assert [(c.field, c.value) for c in p.unknown] == [("author", "Peter Novak")]
    assert "Peter Novak" in p.residual  # nothing silently dropped
    assert p.filter == {"city": {"$eq": "Kyōto"}}


def test_relative_and_decade_values_use_today(query_parser):
    p = query_parser.parse("Books by Anna Smith , not from the 1990s .", today=TODAY)
    assert by_field(p)["year"] == ("not_between", [1990, 1999])
    assert p.filter["$and"][1] == {"$not": {"year": {"$gte": 1990, "$lte": 1999}}}


def test_a_query_with_nothing_to_parse(query_parser):
    for q in ("", "   ", "novels about the sea"):
        p = query_parser.parse(q, today=TODAY)
        assert p.constraints == [] and p.filter is None and p.limit is None and p.is_empty
        assert p.residual == q.strip()


def test_batch_parsing_matches_one_by_one(query_parser):
    queries = ["Books by Anna Smith written in Paris .", "", "Reports from NASA after 1990 .", "plain words"]
    batch = query_parser.parse_batch(queries, today=TODAY)
    single = [query_parser.parse(q, today=TODAY) for q in queries]

    # padding in a batch moves scores by float noise only: compare all but the scores, then the scores
    def strip(p):
        d = p.to_dict()
        return {**d, **{k: [{**x, "score": None} for x in d[k]] for k in ("constraints", "spans", "entities")}}

    assert [strip(b) for b in batch] == [strip(s) for s in single]
    for b, s in zip(batch, single):
        assert [c.score for c in b.constraints] == pytest.approx([c.score for c in s.constraints], abs=1e-3)


def test_bad_queries_give_clear_errors(query_parser):
    with pytest.raises(ValueError, match=f"query 0 is 10,000 characters long; a query is at most {MAX_QUERY_CHARS:,}"):
        query_parser.parse("x" * 10_000)
    with pytest.raises(TypeError, match="query 0: expected str, got bytes"):
        query_parser.parse(b"books")
    with pytest.raises(ValueError, match="today must be an ISO date"):
        query_parser.parse("books", today="next tuesday")
    long_ok = ("Books by Anna Smith . " * 90)[:MAX_QUERY_CHARS]
    assert query_parser.parse(long_ok, today=TODAY).constraints  # the longest query still parses


def test_labels_that_collide_are_refused(small_ner_model):
    with pytest.raises(ValueError, match="label 'person' belongs to two fields"):
        QueryParser(small_ner_model, [*FIELDS, {"name": "editor", "type": "string", "labels": ["person"]}])
    with pytest.raises(ValueError, match=r"labels \['person'\] are both entity labels and field labels"):
        QueryParser(small_ner_model, FIELDS, entity_labels=["person"])


def test_entity_labels_give_entities_not_constraints(small_ner_model):
    parser = QueryParser(small_ner_model, [FIELDS[3]], entity_labels=["person"])
    p = parser.parse("Anna Smith joined NASA in 1999 .", today=TODAY)
    assert [(e.text, e.label) for e in p.entities] == [("Anna Smith", "person")]
    assert by_field(p) == {"year": ("eq", 1999)}
    assert p.entity_tags == []  # no store's tags given: nothing to match
    tags = [("entity:Person", "Anna Smith"), ("entity:Person", "John Garcia"), ("entity:Organization", "NASA")]
    tagged = QueryParser(small_ner_model, [FIELDS[3]], entity_labels=["person"], tags=tags)
    assert tagged.parse("Anna Smith joined NASA in 1999 .", today=TODAY).entity_tags == [
        ("entity:Person", "Anna Smith")
    ]


def test_reference_date():
    assert reference_date("2026-03-31") == date(2026, 3, 31)
    assert reference_date(date(2026, 3, 31)) == date(2026, 3, 31)
    late = datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc)
    assert reference_date(late) == date(2026, 3, 31)
    assert reference_date(late, "Asia/Tokyo") == date(2026, 4, 1)  # already April in Tokyo
    with pytest.raises(TypeError, match="today must be a date"):
        reference_date(20260331)


def test_residual_text():
    q = "cheap thai place under $20 with 4 stars"
    assert residual_text(q, [(q.index("under"), q.index(" with")), (q.index("4"), len(q))]) == "cheap thai place"
    assert residual_text(q, []) == q


def test_shared_labels_are_resolved_by_the_stores_values(small_ner_model):
    from doclinks.query import FieldSpec, ValueLinker

    fields = [FieldSpec("author", labels=("person",)), FieldSpec("translator", labels=("person",))]
    linker = ValueLinker({"author": ["Anna Smith"], "translator": ["John Garcia"]})
    parser = QueryParser(small_ner_model, fields, linker=linker)
    p = parser.parse("Books by Anna Smith with John Garcia .", today=TODAY)
    assert by_field(p) == {"author": ("eq", "Anna Smith"), "translator": ("eq", "John Garcia")}
    with pytest.raises(ValueError, match="label 'person' belongs to two fields"):
        QueryParser(small_ner_model, fields)  # without a store's values nothing decides


def test_stored_values_written_out_are_found_without_the_model(small_ner_model):
    from doclinks.query import FieldSpec, ValueLinker

    fields = [*FIELDS, FieldSpec("genre", labels=("genre",))]
    linker = ValueLinker({"genre": ["poetry", "novel", "science fiction"], "author": ["Anna Smith"],
                          "publisher": ["NASA"]})  # fmt: skip
    p = QueryParser(small_ner_model, fields, linker=linker).parse("Novels by Anna Smith , not science fiction .",
                                                                  today=TODAY)  # fmt: skip
    genre = [(c.operator, c.value, c.label, c.score) for c in p.constraints if c.field == "genre"]
    assert genre == [("eq", "novel", "vocabulary", 1.0), ("ne", "science fiction", "vocabulary", 1.0)]
    assert p.unknown == []  # a span the model read as a publisher, linked to none: the stored genre wins
    off = QueryParser(small_ner_model, fields, linker=linker, scan_values=False).parse("Novels by Anna Smith .")
    assert [c.field for c in off.constraints] == ["author"]


def test_a_number_with_a_fields_unit_goes_to_that_field():
    from doclinks.query import FieldSpec
    from doclinks.query.parsed import Span
    from doclinks.query.routing import route

    year = FieldSpec("year", type="integer", labels=("date",))
    rating = FieldSpec("rating", type="float", labels=("rating",), units=("stars", "star"))
    price = FieldSpec("price", type="float", labels=("price",), units=("$", "dollars", "bucks"))
    fields = [year, rating, price]
    for q, value, field in [
        ("rated at least 4 stars", "4", rating),
        ("films under $5", "$5", price),
        ("films for 15 bucks or less", "15", price),
        ("films from 1994", "1994", year),
    ]:
        s = q.index(value)
        assert route(q, Span(s, s + len(value), value, "date", 0.9), [year], fields, None) is field, q
