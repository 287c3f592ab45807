"""Tag normalisation: table tests on real-world mentions, corpus canonicalisation, normalize_links."""

import random

import pytest

from doclinks.document import Document
from doclinks.links import (
    DEFAULT_HONORIFICS,
    TITLE_HONORIFICS,
    Link,
    MergePolicy,
    add_link_fields,
    add_links,
    canonicalize,
    get_links,
    keep_apart,
    match_key,
    merges_of,
    normalize_links,
    normalize_tag,
    revert_merges,
)

ANY = MergePolicy.permissive()  # the containment rules alone, whatever the evidence of the longer tag

# (mention, readable tag, match key) with the default options.
TABLE = [
    # possessives, straight and typographic apostrophes, plural possessive, punctuation after
    ("Putin's", "Putin", "putin"),
    ("Putin’s", "Putin", "putin"),
    ("PUTIN'S", "PUTIN", "putin"),
    ("Russia’s", "Russia", "russia"),
    ("the Joneses'", "Joneses", "joneses"),
    ("Davis'", "Davis", "davis"),
    ("Xi's,", "Xi", "xi"),
    ("Putin's Russia", "Putin's Russia", "putin's russia"),  # not trailing: part of the name
    # surrounding punctuation and quotes
    ("“Vladimir Putin,”", "Vladimir Putin", "vladimir putin"),
    ("«Berlin»", "Berlin", "berlin"),
    ("(NATO)", "NATO", "nato"),
    ("Amnesty International (UK)", "Amnesty International (UK)", "amnesty international (uk)"),
    ("Berlin.", "Berlin", "berlin"),
    ("Yahoo!", "Yahoo", "yahoo"),
    ("#MeToo", "MeToo", "metoo"),
    # whitespace and invisible characters
    ("  Vladimir \n\t Putin ", "Vladimir Putin", "vladimir putin"),
    ("Vladimir\u00a0Putin", "Vladimir Putin", "vladimir putin"),
    ("Vladi\u200bmir Putin\ufeff", "Vladimir Putin", "vladimir putin"),
    # initials and abbreviations
    ("J. K. Rowling", "J. K. Rowling", "jk rowling"),
    ("J.K. Rowling", "J.K. Rowling", "jk rowling"),
    ("JK Rowling", "JK Rowling", "jk rowling"),
    ("George W. Bush", "George W. Bush", "george w bush"),
    ("U.S.", "U.S.", "us"),
    ("U. S. A.", "U. S. A.", "usa"),
    ("Martin Luther King Jr.", "Martin Luther King Jr.", "martin luther king jr"),
    ("St. Louis", "St. Louis", "st louis"),
    ("St Louis", "St Louis", "st louis"),
    # hyphens and dashes
    ("Jean-Luc Picard", "Jean-Luc Picard", "jean luc picard"),
    ("Jean\u2010Luc Picard", "Jean-Luc Picard", "jean luc picard"),  # U+2010 HYPHEN
    ("Jean\u2011Luc Picard", "Jean-Luc Picard", "jean luc picard"),  # non-breaking hyphen
    ("Coca\u2013Cola", "Coca-Cola", "coca cola"),  # en dash
    # accents: composed and decomposed forms are one tag; the key folds accents
    ("José Martí", "José Martí", "jose marti"),
    ("Jose\u0301 Marti\u0301", "José Martí", "jose marti"),
    ("Zoë Núñez", "Zoë Núñez", "zoe nunez"),
    ("Kraków", "Kraków", "krakow"),
    ("São Paulo", "São Paulo", "sao paulo"),
    ("Straße", "Straße", "strasse"),
    # all-caps headlines and compatibility forms
    ("VLADIMIR PUTIN", "VLADIMIR PUTIN", "vladimir putin"),
    ("ＮＡＴＯ", "NATO", "nato"),
    ("ﬁnland", "finland", "finland"),  # the fi ligature
    # articles and honorifics (default list: courtesy titles)
    ("the United Nations", "United Nations", "united nations"),
    ("The Hague", "The Hague", "hague"),
    ("Dr. Anna Smith", "Anna Smith", "anna smith"),
    ("DR ANNA SMITH", "ANNA SMITH", "anna smith"),
    ("Mrs Dalloway", "Dalloway", "dalloway"),
    ("President Zelenskyy", "President Zelenskyy", "president zelenskyy"),  # not a default honorific
    ("Dr.", "Dr", "dr"),  # a title alone is kept
    # nothing left
    ("'s", "", ""),
    ("...", "", ""),
    ("  ", "", ""),
]


@pytest.mark.parametrize("mention, readable, key", TABLE)
def test_normalize_tag_table(mention, readable, key):
    assert normalize_tag(mention) == (key, readable)


@pytest.mark.parametrize("mention, readable, key", [row for row in TABLE if row[1]])
def test_normalize_tag_is_idempotent(mention, readable, key):
    assert normalize_tag(readable) == (key, readable)
    assert match_key(mention) == key


@pytest.mark.parametrize(
    "mention, readable",
    [
        ("President Zelenskyy", "Zelenskyy"),
        ("Vice President Kamala Harris", "Kamala Harris"),
        ("Prime Minister Boris Johnson", "Boris Johnson"),
        ("Sen. Elizabeth Warren", "Elizabeth Warren"),
        ("Mr. President Biden", "Biden"),  # titles one after another
        ("PRESIDENT BIDEN", "BIDEN"),
        ("President", "President"),
    ],
)
def test_title_honorifics(mention, readable):
    assert normalize_tag(mention, honorifics=TITLE_HONORIFICS)[1] == readable


def test_honorifics_options():
    assert normalize_tag("Dr. Smith", honorifics=())[1] == "Dr. Smith"
    assert normalize_tag("Dr. Smith", honorifics=None)[1] == "Dr. Smith"
    assert normalize_tag("Chancellor Scholz", honorifics=["chancellor"])[1] == "Scholz"
    assert normalize_tag("Herr Doktor Müller", honorifics=["Herr Doktor"]) == ("muller", "Müller")
    assert "Dr." in DEFAULT_HONORIFICS and "President" not in DEFAULT_HONORIFICS


def test_fold_accents_off():
    assert normalize_tag("José Martí", fold_accents=False)[0] == "josé martí"
    assert normalize_tag("Jose\u0301", fold_accents=False)[0] == normalize_tag("José", fold_accents=False)[0]


@pytest.mark.parametrize("bad", [None, 3, b"Putin", ["Putin"]])
def test_normalize_tag_rejects_non_text(bad):
    with pytest.raises(TypeError, match="str"):
        normalize_tag(bad)


def test_bad_honorifics():
    with pytest.raises(TypeError, match="honorifics"):
        normalize_tag("Dr. Smith", honorifics="Dr.")
    with pytest.raises(TypeError, match="honorifics"):
        normalize_tag("Dr. Smith", honorifics=["Dr.", 3])


# ------------------------------------------------------------------------------------ canonicalize
P = "entity:Person"


def test_case_variants_get_the_most_frequent_form():
    occ = [(P, "Vladimir Putin"), (P, "VLADIMIR PUTIN"), (P, "Vladimir Putin"), (P, "vladimir putin")]
    mapping = canonicalize(occ)
    assert set(mapping.values()) == {"Vladimir Putin"}


def test_ties_prefer_mixed_case_and_do_not_depend_on_order():
    occ = [(P, "NATO"), (P, "Nato"), (P, "nato")]
    results = set()
    for seed in range(5):
        shuffled = occ[:]
        random.Random(seed).shuffle(shuffled)
        results.add(tuple(sorted(canonicalize(shuffled).items())))
    assert len(results) == 1
    assert set(canonicalize(occ).values()) == {"Nato"}
    # Frequency first: an acronym written in capitals most of the time stays in capitals.
    assert set(canonicalize([(P, "NATO"), (P, "NATO"), (P, "Nato")]).values()) == {"NATO"}


def test_short_mention_takes_the_one_longer_tag():
    occ = [(P, "Zelenskyy"), (P, "President Zelenskyy"), (P, "Volodymyr Zelenskyy")]
    # With "President" as a title, both short forms are parts of exactly one longer name.
    mapping = canonicalize(occ, honorifics=TITLE_HONORIFICS, policy=ANY)
    assert set(mapping.values()) == {"Volodymyr Zelenskyy"}
    # Without it, "Zelenskyy" is part of two longer tags: ambiguous, left alone.
    mapping = canonicalize(occ, policy=ANY)
    assert mapping[(P, "Zelenskyy")] == "Zelenskyy"
    assert mapping[(P, "President Zelenskyy")] == "President Zelenskyy"


def test_ambiguous_short_mentions_are_left_alone():
    occ = [(P, "Biden"), (P, "Joe Biden"), (P, "Jill Biden"), (P, "Putin"), (P, "Vladimir Putin")]
    mapping = canonicalize(occ, policy=ANY)
    assert mapping[(P, "Biden")] == "Biden"
    assert mapping[(P, "Putin")] == "Vladimir Putin"


def test_partial_matches_are_whole_words_of_the_same_kind():
    occ = [
        (P, "Ann"),
        (P, "Anna Smith"),
        (P, "Smith"),
        ("entity:Location", "Smith River"),
        (P, "Jean-Luc Picard"),
        (P, "Picard"),
    ]
    mapping = canonicalize(occ, policy=ANY)
    assert mapping[(P, "Ann")] == "Ann"  # "ann" is not a word of "anna smith"
    assert mapping[(P, "Smith")] == "Anna Smith"  # the location does not count
    assert mapping[("entity:Location", "Smith River")] == "Smith River"
    assert mapping[(P, "Picard")] == "Jean-Luc Picard"


def test_nested_longer_tags_resolve_to_the_longest():
    occ = [(P, "Zelenskyy"), (P, "Volodymyr Zelenskyy"), (P, "President Volodymyr Zelenskyy")]
    mapping = canonicalize(occ, policy=ANY)
    assert set(mapping.values()) == {"President Volodymyr Zelenskyy"}


def test_merge_partial_off_and_accents():
    occ = [(P, "Putin"), (P, "Vladimir Putin"), (P, "José Martí"), (P, "Jose Marti"), (P, "Jose Marti")]
    mapping = canonicalize(occ, merge_partial=False)
    assert mapping[(P, "Putin")] == "Putin"
    assert mapping[(P, "José Martí")] == mapping[(P, "Jose Marti")] == "Jose Marti"
    mapping = canonicalize(occ, merge_partial=False, fold_accents=False)
    assert mapping[(P, "José Martí")] == "José Martí"


# --------------------------------------------------------------------------------- normalize_links
def _doc(*tags, kind=P, **metadata):
    doc = Document("text", metadata=dict(metadata))
    add_links(doc, [Link.bidir(kind, t) for t in tags])
    return doc


def test_normalize_links_rewrites_links_entities_and_fields():
    a = _doc("Vladimir Putin", "Zelenskyy", source="a.txt")
    a.add_on = None
    add_links(a, Link.outgoing("hyperlink", "https://example.com/Putin"))
    a.metadata["entities"] = [{"text": "Zelenskyy", "kind": P, "tag": "Zelenskyy", "label": "Person"}]
    b = _doc("PUTIN", "Volodymyr Zelenskyy")
    c = _doc("Putin", "Vladimir Putin")  # two tags that become one
    add_link_fields(b)
    assert b.metadata[P] == ["putin", "volodymyr zelenskyy"]
    changes = normalize_links([a, b, c], policy=ANY)
    assert changes == {
        (P, "Zelenskyy"): "Volodymyr Zelenskyy",
        (P, "PUTIN"): "Vladimir Putin",
        (P, "Putin"): "Vladimir Putin",
    }
    assert get_links(a) == [
        Link.bidir(P, "Vladimir Putin"), Link.bidir(P, "Volodymyr Zelenskyy"),
        Link.outgoing("hyperlink", "https://example.com/Putin"),
    ]  # fmt: skip
    assert get_links(b) == [Link.bidir(P, "Vladimir Putin"), Link.bidir(P, "Volodymyr Zelenskyy")]
    assert get_links(c) == [Link.bidir(P, "Vladimir Putin")]
    assert a.metadata["entities"][0]["tag"] == "Volodymyr Zelenskyy"
    assert a.metadata["source"] == "a.txt"
    assert b.metadata[P] == ["vladimir putin", "volodymyr zelenskyy"]


def test_normalize_links_keeps_direction_and_other_kinds():
    a = Document("x")
    add_links(
        a, Link.outgoing("entity:Person", "putin"), Link.bidir("keyword", "PUTIN"), Link.bidir("keyword", "Putin")
    )
    b = _doc("Putin", "Putin")
    normalize_links([a, b])
    assert get_links(a) == [Link.outgoing(P, "Putin"), Link.bidir("keyword", "PUTIN"), Link.bidir("keyword", "Putin")]
    normalize_links([a, b], kinds=None)
    assert get_links(a) == [Link.outgoing(P, "Putin"), Link.bidir("keyword", "Putin")]


def test_normalize_links_works_on_langchain_documents():
    lc = pytest.importorskip("langchain_core.documents")
    a = lc.Document(page_content="x", metadata={"source": "s"}, id="a")
    b = lc.Document(page_content="y", id="b")
    add_links(a, Link.bidir(P, "Anna Smith"))
    add_links(b, Link.bidir(P, "Smith"))
    assert normalize_links(iter([a, b]), policy=ANY) == {(P, "Smith"): "Anna Smith"}
    assert get_links(b) == [Link.bidir(P, "Anna Smith")]
    assert a.id == "a" and a.metadata["source"] == "s"


def test_normalize_links_bad_input():
    doc = Document("x", metadata={"links": ["not a link"]})
    with pytest.raises(TypeError, match="Link"):
        normalize_links([doc])
    assert normalize_links([]) == {}


# ------------------------------------------------------------------------ conservative merges (default)
L = "entity:Location"


def test_garbage_long_tags_absorb_nothing():
    """The longer forms of badly cut spans (one chunk, a low score, a sentence inside) stay alone."""
    occ = [
        (L, "U.S.", 0.99),
        (L, "U.S.", 0.98),
        (L, "Germany", 0.95),
        (L, "Germany", 0.9),
        (L, "U.S. Embassies. Technically a part of Mission Germany", 0.58),
        (L, "Kansas", 1.0),
        (L, "Kansas in the 19th century. Born in Liverpool", 0.6),
        (L, "England", 0.98),
        (L, "Scotland, also inherited the throne of England", 0.7),
        (L, "Scotland, also inherited the throne of England", 0.7),  # twice: still a clause, not a name
    ]
    mapping = canonicalize(occ)
    for short in ("U.S.", "Germany", "Kansas", "England"):
        assert mapping[(L, short)] == short


def test_a_longer_tag_needs_evidence():
    once = [(P, "Zelenskyy", 0.9), (P, "Volodymyr Zelenskyy", 0.6)]
    assert canonicalize(once)[(P, "Zelenskyy")] == "Zelenskyy"  # seen once, weakly
    twice = once + [(P, "Volodymyr Zelenskyy", 0.55)]
    assert canonicalize(twice)[(P, "Zelenskyy")] == "Volodymyr Zelenskyy"  # seen in two chunks
    sure = [(P, "Zelenskyy", 0.9), (P, "Volodymyr Zelenskyy", 0.93)]
    assert canonicalize(sure)[(P, "Zelenskyy")] == "Volodymyr Zelenskyy"  # once, with a high score
    assert canonicalize(sure, policy=MergePolicy(min_score=0.95))[(P, "Zelenskyy")] == "Zelenskyy"
    unknown = [(P, "Zelenskyy"), (P, "Volodymyr Zelenskyy")]  # no scores: only the count speaks
    assert canonicalize(unknown)[(P, "Zelenskyy")] == "Zelenskyy"


def test_bare_first_names_and_shared_surnames_stay_apart():
    occ = [(P, "Anna", 0.9), (P, "Anna Freud", 0.95), (P, "Anna Freud", 0.95)]
    assert canonicalize(occ)[(P, "Anna")] == "Anna"  # a first name is not the person
    assert canonicalize(occ, policy=MergePolicy(surnames_only=False))[(P, "Anna")] == "Anna Freud"
    # Outside people, a first word may join: "Siemens" is "Siemens Healthineers" here.
    org = [("entity:Organization", "Siemens", 0.9)] + [("entity:Organization", "Siemens Healthineers", 0.95)] * 2
    assert canonicalize(org)[("entity:Organization", "Siemens")] == "Siemens Healthineers"
    hall = [(P, "Hall", 0.9)] + [(P, "G. Stanley Hall", 0.97)] * 2 + [(P, "Tom T. Hall", 0.97)] * 2
    assert canonicalize(hall)[(P, "Hall")] == "Hall"  # two people: ambiguous
    # An untrusted longer form still makes a surname ambiguous.
    hall = [(P, "Hall", 0.9), (P, "G. Stanley Hall", 0.6)] + [(P, "Tom T. Hall", 0.97)] * 2
    assert canonicalize(hall)[(P, "Hall")] == "Hall"


def test_longer_tag_must_be_cased_like_a_name_and_not_much_longer():
    occ = [(L, "England", 0.99)] * 3 + [(L, "new England", 0.95)] * 2
    assert canonicalize(occ)[(L, "England")] == "England"  # "the new England captain"
    occ = [(L, "England", 0.99), (L, "Bank of England", 0.95), (L, "Bank of England", 0.95)]
    assert canonicalize(occ)[(L, "England")] == "Bank of England"  # particles may stand inside
    lower = [(L, "england", 0.99), (L, "new england", 0.95), (L, "new england", 0.95)]
    assert canonicalize(lower)[(L, "england")] == "new england"  # no case to read in uncased text
    long = [(P, "Smith", 0.9)] + [(P, "Anna Maria Louisa Smith", 0.99)] * 2
    assert canonicalize(long)[(P, "Smith")] == "Smith"  # three words more
    assert canonicalize(long, policy=MergePolicy(max_extra_words=3))[(P, "Smith")] == "Anna Maria Louisa Smith"


@pytest.mark.parametrize(
    "kind, person",
    [("entity:Person", True), ("entity:person", True), ("entity:Politician", True), ("entity:Musical artist", True),
     ("entity:Organization", False), ("entity:Location", False), ("entity:Drug", False), ("Person", True)],
)  # fmt: skip
def test_person_kinds(kind, person):
    from doclinks.links.normalize import is_person_kind

    assert is_person_kind(kind) is person


def _scored_doc(*tags_scores):
    doc = Document("text")
    add_links(doc, [Link.bidir(P, t) for t, _ in tags_scores])
    doc.metadata["entities"] = [{"text": t, "kind": P, "tag": t, "label": "Person", "score": s} for t, s in tags_scores]
    return doc


def test_merges_are_recorded_listed_and_reverted():
    a = _scored_doc(("Volodymyr Zelenskyy", 0.95))
    b = _scored_doc(("Zelenskyy", 0.9), ("ZELENSKYY", 0.8))
    c = _scored_doc(("Zelenskyy", 0.92))
    changes = normalize_links([a, b, c])
    assert changes == {(P, "Zelenskyy"): "Volodymyr Zelenskyy", (P, "ZELENSKYY"): "Volodymyr Zelenskyy"}
    assert get_links(b) == [Link.bidir(P, "Volodymyr Zelenskyy")]
    assert [r["merged_from"] for r in b.metadata["entities"]] == ["Zelenskyy", "ZELENSKYY"]
    assert "merged_from" not in a.metadata["entities"][0]
    assert merges_of([a, b, c]) == [
        {"kind": P, "from": "Zelenskyy", "to": "Volodymyr Zelenskyy", "chunks": 2},
        {"kind": P, "from": "ZELENSKYY", "to": "Volodymyr Zelenskyy", "chunks": 1},
    ]
    # Undo, then normalise again: the same result (normalisation is a function of the mentions).
    snapshot = [(get_links(d), [dict(r) for r in d.metadata["entities"]]) for d in (a, b, c)]
    assert revert_merges([a, b, c]) == 3
    assert get_links(b) == [Link.bidir(P, "Zelenskyy"), Link.bidir(P, "ZELENSKYY")]
    assert merges_of([a, b, c]) == []
    normalize_links([a, b, c])
    assert [(get_links(d), d.metadata["entities"]) for d in (a, b, c)] == snapshot
    # Without partial merges, only case and spelling variants join.
    revert_merges([a, b, c])
    assert normalize_links([a, b, c], merge_partial=False) == {(P, "ZELENSKYY"): "Zelenskyy"}
    assert merges_of([a, b, c]) == []


def test_revert_keeps_a_tag_another_mention_still_carries():
    doc = _scored_doc(("Volodymyr Zelenskyy", 0.95), ("Zelenskyy", 0.9))
    doc.metadata["entities"][1]["tag"] = "Volodymyr Zelenskyy"
    doc.metadata["entities"][1]["merged_from"] = "Zelenskyy"
    doc.metadata["links"] = [Link.bidir(P, "Volodymyr Zelenskyy")]
    assert revert_merges([doc]) == 1
    assert get_links(doc) == [Link.bidir(P, "Volodymyr Zelenskyy"), Link.bidir(P, "Zelenskyy")]


def test_keep_apart_undoes_one_merge_for_good():
    a = _scored_doc(("Volodymyr Zelenskyy", 0.95), ("Anna Smith", 0.95))
    b = _scored_doc(("Zelenskyy", 0.9), ("Smith", 0.9))
    c = _scored_doc(("Volodymyr Zelenskyy", 0.93), ("Anna Smith", 0.95))
    normalize_links([a, b, c])
    assert set(get_links(b)) == {Link.bidir(P, "Anna Smith"), Link.bidir(P, "Volodymyr Zelenskyy")}
    assert keep_apart([a, b, c], "ZELENSKYY") == 1  # by match key; only the merged mention is marked
    revert_merges([a, b, c])
    normalize_links([a, b, c])
    assert set(get_links(b)) == {Link.bidir(P, "Anna Smith"), Link.bidir(P, "Zelenskyy")}  # the other merge stays
    revert_merges([a, b, c])
    normalize_links([a, b, c])  # a later run keeps it apart: the mark is in the records
    assert Link.bidir(P, "Zelenskyy") in get_links(b)
    assert (
        canonicalize([(P, "Putin"), (P, "Vladimir Putin")], policy=ANY, keep_apart=[(P, "PUTIN")])[(P, "Putin")]
        == "Putin"
    )
    with pytest.raises(ValueError, match="no match key"):
        keep_apart([a], "...")
