import pytest

from doclinks.document import Document, as_document
from doclinks.links import Link, add_links, get_links


def test_link_is_frozen_and_hashable():
    a = Link(kind="entity:Person", direction="bidir", tag="Vladimir Putin")
    b = Link.bidir("entity:Person", "Vladimir Putin")
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.tag = "other"  # type: ignore[misc]


def test_classmethods_set_direction():
    assert Link.incoming("k", "t").direction == "in"
    assert Link.outgoing("k", "t").direction == "out"
    assert Link.bidir("k", "t").direction == "bidir"
    assert Link.incoming("k", "t") != Link.outgoing("k", "t")


@pytest.mark.parametrize("direction", ["both", "IN", "", "incoming"])
def test_bad_direction_names_the_problem(direction):
    with pytest.raises(ValueError, match="direction"):
        Link(kind="k", direction=direction, tag="t")  # type: ignore[arg-type]


def test_bad_kind_and_tag():
    with pytest.raises(TypeError, match="tag"):
        Link(kind="k", direction="in", tag=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        Link(kind="", direction="in", tag="t")
    with pytest.raises(ValueError, match="tag"):
        Link(kind="k", direction="in", tag="")


def test_add_links_keeps_order_and_drops_duplicates():
    doc = Document("text")
    a, b, c = Link.bidir("k", "a"), Link.outgoing("k", "b"), Link.incoming("k", "c")
    add_links(doc, a, [b, a], (x for x in [c, b]))
    assert get_links(doc) == [a, b, c]
    add_links(doc, c, a)
    assert doc.metadata["links"] == [a, b, c]


def test_add_links_rejects_non_links_without_partial_update():
    doc = Document("text")
    add_links(doc, Link.bidir("k", "a"))
    with pytest.raises(TypeError, match="Link"):
        add_links(doc, Link.bidir("k", "b"), "not a link")
    with pytest.raises(TypeError, match="Link"):
        add_links(doc, [Link.bidir("k", "c"), {"kind": "k"}])
    assert get_links(doc) == [Link.bidir("k", "a")]


def test_get_links_of_a_document_without_links():
    assert get_links(Document("x")) == []


def test_document_defaults_are_not_shared():
    a, b = Document("a"), Document("b")
    a.metadata["x"] = 1
    assert b.metadata == {} and a.id is None


def test_document_rejects_bad_types():
    with pytest.raises(TypeError, match="page_content"):
        Document(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="metadata"):
        Document("x", metadata=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="id"):
        Document("x", id=5)  # type: ignore[arg-type]


def test_langchain_document_works():
    lc = pytest.importorskip("langchain_core.documents")
    doc = lc.Document(page_content="Putin met Xi.", id="d1")
    link = Link.bidir("entity:Person", "Vladimir Putin")
    add_links(doc, link, link)
    assert get_links(doc) == [link]
    ours = as_document(doc)
    assert (ours.page_content, ours.id, ours.metadata["links"]) == ("Putin met Xi.", "d1", [link])


def test_as_document_rejects_other_objects():
    with pytest.raises(TypeError, match="page_content"):
        as_document("just text")
