"""GLiNERLinkExtractor and LinkExtractorTransformer: LangChain's names and meaning, and what doclinks adds.

Most tests use `LexiconModel` (exact, instant); the real model tests use the peer's small fine-tuned
checkpoint (session fixture), the seed example runs on the real State of the Union text.
"""

from __future__ import annotations

import copy
import importlib.util
import warnings
from pathlib import Path

import pytest

from doclinks.document import Document
from doclinks.links import (
    EXTRACT_KWARGS,
    GLiNERLinkExtractor,
    Link,
    LinkExtractor,
    LinkExtractorTransformer,
    TITLE_HONORIFICS,
    add_links,
    get_links,
    load_model,
)
from doclinks.ner.default import NoDefaultModelError
from tests.links.fakes import BatchOnlyModel, LexiconModel

ROOT = Path(__file__).resolve().parents[2]
SOTU = ROOT.parent / "shared" / "data" / "texts" / "state_of_the_union.txt"

LEXICON = {
    "Vladimir Putin": ("Person", 0.95),
    "Putin's": ("Person", 0.9),
    "PUTIN": ("Person", 0.8),
    "Zelenskyy": ("Person", 0.7),
    "Ukraine": ("Location", 0.6),
    "Kyiv": ("Location", 0.35),
    "sanctions": ("Topic", 0.55),
    "'s": ("Person", 0.9),  # junk that normalises to nothing
}


def extractor(labels=("Person", "Location", "Topic"), lexicon=LEXICON, **kwargs) -> GLiNERLinkExtractor:
    return GLiNERLinkExtractor(list(labels), model=LexiconModel(lexicon), **kwargs)


def tags(links):
    return sorted((link.kind, link.tag) for link in links)


# ---------------------------------------------------------------------------------- LangChain API
def test_extract_one_gives_bidir_links_per_entity():
    ex = extractor()
    links = ex.extract_one("Vladimir Putin invaded Ukraine; sanctions followed.")
    assert isinstance(links, set) and all(isinstance(link, Link) for link in links)
    assert links == {
        Link.bidir(kind="entity:Person", tag="Vladimir Putin"),
        Link.bidir(kind="entity:Location", tag="Ukraine"),
        Link.bidir(kind="entity:Topic", tag="sanctions"),
    }
    assert ex.kinds == ["entity:Person", "entity:Location", "entity:Topic"]


def test_kind_prefix_and_documents_of_both_kinds():
    lc = pytest.importorskip("langchain_core.documents")
    ex = extractor(kind="ner")
    text = "Zelenskyy spoke in Kyiv about Ukraine."
    expected = {Link.bidir("ner:Person", "Zelenskyy"), Link.bidir("ner:Location", "Ukraine")}
    assert ex.extract_one(text) == expected
    assert ex.extract_one(Document(text, id="d1")) == expected
    assert ex.extract_one(lc.Document(page_content=text)) == expected


def test_extract_many_one_set_per_input_in_order():
    ex = extractor()
    inputs = ["Ukraine", "nothing here", Document("Zelenskyy"), "Vladimir Putin and Zelenskyy"]
    out = list(ex.extract_many(inputs))
    assert [tags(x) for x in out] == [
        [("entity:Location", "Ukraine")],
        [],
        [("entity:Person", "Zelenskyy")],
        [("entity:Person", "Vladimir Putin"), ("entity:Person", "Zelenskyy")],
    ]


def test_add_links_of_a_set_is_reproducible():
    ex = extractor()
    doc = Document("sanctions on Vladimir Putin; Zelenskyy in Ukraine")
    add_links(doc, ex.extract_one(doc))
    assert get_links(doc) == sorted(get_links(doc), key=lambda link: (link.kind, link.tag))
    assert doc.metadata == {"links": get_links(doc)}  # extract_one has no side effect


def test_extract_kwargs_reach_the_model():
    model = LexiconModel(LEXICON)
    kwargs = dict(threshold=0.3, flat_ner=False, multi_label=True, batch_size=3, max_batch_tokens=999, chunk_size=5)
    ex = GLiNERLinkExtractor(["Location"], model=model, extract_kwargs=kwargs)
    assert ex.extract_one("Kyiv, Ukraine") == {Link.bidir("entity:Location", "Kyiv"), Link.bidir("entity:Location", "Ukraine")}
    call = model.calls[-1]
    assert {k: call[k] for k in kwargs} == kwargs and call["labels"] == ["Location"]
    assert set(EXTRACT_KWARGS) == set(kwargs)


def test_label_descriptions_dict():
    model = LexiconModel({"Ukraine": ("Location", 0.9)})
    ex = GLiNERLinkExtractor({"Location": "a country or city"}, model=model)
    assert ex.extract_one("Ukraine") == {Link.bidir("entity:Location", "Ukraine")}
    assert model.calls[-1]["labels"] == {"Location": "a country or city"}
    assert ex.labels == ["Location"]


def test_a_model_with_only_batch_predict_entities():
    """Like a `gliner.GLiNER`: chunks by hand, passes only the keys that were set."""
    model = BatchOnlyModel(LEXICON)
    ex = GLiNERLinkExtractor(["Person"], model=model, extract_kwargs={"chunk_size": 2, "flat_ner": True})
    out = list(ex.extract_many(["Zelenskyy", "PUTIN", "Vladimir Putin"]))
    assert [tags(x) for x in out] == [[("entity:Person", "Zelenskyy")], [("entity:Person", "PUTIN")], [("entity:Person", "Vladimir Putin")]]
    assert [c["n"] for c in model.calls] == [2, 1]
    assert model.calls[0] == {"flat_ner": True, "threshold": 0.5, "n": 2}


# ------------------------------------------------------------------------------- doclinks extras
def test_extract_many_streams():
    model = LexiconModel(LEXICON)
    ex = GLiNERLinkExtractor(["Person"], model=model, extract_kwargs={"chunk_size": 4})

    def endless():
        i = 0
        while True:
            i += 1
            yield f"Zelenskyy number {i}"

    results = ex.extract_many(endless())
    first = next(results)
    assert first == {Link.bidir("entity:Person", "Zelenskyy")}
    assert model.read == 4  # one chunk read, not the whole input
    for _ in range(5):
        next(results)
    assert model.read == 8


def test_progress_bar(capsys):
    ex = extractor()
    list(ex.extract_many(["Ukraine"] * 3, progress=True))
    err = capsys.readouterr().err
    assert "entities" in err and "3/3" in err
    list(ex.extract_many(["Ukraine"] * 3))
    assert capsys.readouterr().err == ""


def test_per_label_thresholds():
    model = LexiconModel(LEXICON)
    ex = GLiNERLinkExtractor(
        ["Person", "Location", "Topic"], model=model, extract_kwargs={"threshold": 0.5},
        thresholds={"Location": 0.3, "Person": 0.75},
    )  # fmt: skip
    links = ex.extract_one("Zelenskyy in Kyiv; sanctions on PUTIN")
    assert model.calls[-1]["threshold"] == 0.3  # the model runs at the lowest threshold
    assert tags(links) == [("entity:Location", "Kyiv"), ("entity:Person", "PUTIN"), ("entity:Topic", "sanctions")]
    assert ex.thresholds == {"Person": 0.75, "Location": 0.3, "Topic": 0.5}


def test_max_links_keeps_the_best_scored():
    ex = extractor(max_links=2)
    text = "sanctions, Ukraine, Zelenskyy, Kyiv, Vladimir Putin"
    assert tags(ex.extract_one(text)) == [("entity:Person", "Vladimir Putin"), ("entity:Person", "Zelenskyy")]
    records = next(ex.extract_entities([text]))
    assert {r["text"]: r["linked"] for r in records} == {
        "sanctions": False, "Ukraine": False, "Zelenskyy": True, "Vladimir Putin": True,
    }  # fmt: skip  (Kyiv is under the threshold)


def test_normalisation_in_one_document_and_off_switch():
    text = "PUTIN said. Putin's army. Vladimir Putin. 's"
    ex = extractor(["Person"])
    assert ex.extract_one(text) == {Link.bidir("entity:Person", "Putin"), Link.bidir("entity:Person", "Vladimir Putin")}
    raw = extractor(["Person"], normalize=False)
    assert tags(raw.extract_one(text)) == [
        ("entity:Person", "'s"), ("entity:Person", "PUTIN"), ("entity:Person", "Putin's"), ("entity:Person", "Vladimir Putin"),
    ]  # fmt: skip


def test_entity_records_explain_the_links():
    text = "Vladimir Putin met Zelenskyy. 's"
    records = next(extractor(["Person"]).extract_entities([text]))
    assert [(r["text"], r["tag"], r["linked"]) for r in records] == [
        ("Vladimir Putin", "Vladimir Putin", True), ("Zelenskyy", "Zelenskyy", True), ("'s", None, False),
    ]  # fmt: skip
    for r in records:
        assert text[r["start"] : r["end"]] == r["text"]
        assert r["kind"] == "entity:Person" and r["label"] == "Person" and isinstance(r["score"], float)


def test_annotate_streams_documents_in_place():
    ex = extractor(["Person"], extract_kwargs={"chunk_size": 2})
    docs = [Document(f"Zelenskyy {i}", metadata={"n": i}, id=str(i)) for i in range(5)]
    out = list(ex.annotate(iter(docs)))
    assert [d.id for d in out] == ["0", "1", "2", "3", "4"] and out[0] is docs[0]
    assert get_links(docs[3]) == [Link.bidir("entity:Person", "Zelenskyy")]
    assert docs[3].metadata["entities"][0]["tag"] == "Zelenskyy" and docs[3].metadata["n"] == 3


# ---------------------------------------------------------------------------------- transformer
def test_transformer_keeps_ids_metadata_and_inputs():
    lc = pytest.importorskip("langchain_core.documents")
    ex = extractor()
    docs = [
        lc.Document(page_content="PUTIN in Ukraine", metadata={"source": "a.txt", "page": 1}, id="a"),
        lc.Document(page_content="Vladimir Putin and sanctions", metadata={"links": [Link.outgoing("url", "x")]}, id="b"),
        Document("Putin's plans", metadata={"source": "c.txt"}, id="c"),
    ]
    before = copy.deepcopy(docs)
    out = LinkExtractorTransformer([ex]).transform_documents(docs)
    assert docs == before  # inputs untouched
    assert [type(d) for d in out] == [lc.Document, lc.Document, Document]
    assert [d.id for d in out] == ["a", "b", "c"]
    assert [d.page_content for d in out] == [d.page_content for d in docs]
    assert out[0].metadata["source"] == "a.txt" and out[0].metadata["page"] == 1
    # Across the documents, PUTIN / Putin / Vladimir Putin become one tag.
    putin = Link.bidir("entity:Person", "Vladimir Putin")
    assert putin in get_links(out[0]) and putin in get_links(out[2])
    assert get_links(out[1]) == [Link.outgoing("url", "x"), putin, Link.bidir("entity:Topic", "sanctions")]
    assert [r["tag"] for r in out[0].metadata["entities"]] == ["Vladimir Putin", "Ukraine"]
    # Off: per-document tags only.
    raw = LinkExtractorTransformer([ex], normalize_links=False, entities_key=None).transform_documents(docs)
    assert Link.bidir("entity:Person", "PUTIN") in get_links(raw[0]) and "entities" not in raw[0].metadata


def test_transformer_canonical_tags_with_titles():
    """The issue's case: "Zelenskyy", "President Zelenskyy" and "Volodymyr Zelenskyy" become one tag."""
    lexicon = {"President Zelenskyy": ("Person", 0.9), "Volodymyr Zelenskyy": ("Person", 0.9), "Zelenskyy": ("Person", 0.8)}
    ex = GLiNERLinkExtractor(["Person"], model=LexiconModel(lexicon), honorifics=TITLE_HONORIFICS)
    docs = [Document("From President Zelenskyy to every Ukrainian"), Document("Volodymyr Zelenskyy spoke"), Document("Zelenskyy")]
    out = LinkExtractorTransformer([ex]).transform_documents(docs)
    assert [get_links(d) for d in out] == [[Link.bidir("entity:Person", "Volodymyr Zelenskyy")]] * 3
    assert [r["text"] for d in out for r in d.metadata["entities"]] == ["President Zelenskyy", "Volodymyr Zelenskyy", "Zelenskyy"]
    # One call at a time (extract_one), each document keeps its own tag; normalize_links joins them later.
    assert [ex.extract_one(d) for d in docs] == [{Link.bidir("entity:Person", t)} for t in ["Zelenskyy", "Volodymyr Zelenskyy", "Zelenskyy"]]


def test_transformer_runs_twice_without_duplicates():
    t = LinkExtractorTransformer([extractor()])
    once = t.transform_documents([Document("Zelenskyy in Ukraine")])
    twice = t.transform_documents(once)
    assert get_links(twice[0]) == get_links(once[0])
    assert twice[0].metadata["entities"] == once[0].metadata["entities"]


def test_transformer_with_several_extractors_and_langchain_links():
    lcx = pytest.importorskip("langchain_community.graph_vectorstores.extractors")
    from langchain_community.graph_vectorstores.links import Link as LCLink

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Keywords(lcx.LinkExtractor):
            def extract_one(self, input):  # noqa: A002
                return {LCLink.bidir("kw", w) for w in input.page_content.split() if w.islower()}

        kw = Keywords()
    people = extractor(["Person"])
    places = extractor(["Location"], kind="place")
    out = LinkExtractorTransformer([people, kw, places]).transform_documents([Document("Zelenskyy visited Ukraine")])
    assert tags(get_links(out[0])) == [("entity:Person", "Zelenskyy"), ("kw", "visited"), ("place:Location", "Ukraine")]
    assert [r["kind"] for r in out[0].metadata["entities"]] == ["entity:Person", "place:Location"]


def test_transformer_metadata_fields():
    out = LinkExtractorTransformer([extractor()], metadata_fields=True).transform_documents(
        [Document("Vladimir Putin, Ukraine"), Document("PUTIN")]
    )
    assert out[0].metadata["entity:Person"] == ["vladimir putin"]
    assert out[0].metadata["entity:Location"] == ["ukraine"]
    assert out[1].metadata["entity:Person"] == ["vladimir putin"]


def test_our_extractor_is_a_link_extractor():
    class Upper(LinkExtractor[str]):
        def extract_one(self, input):  # noqa: A002
            return {Link.bidir("upper", w) for w in input.split() if w.isupper()}

    assert list(Upper().extract_many(["A b", "c D"])) == [{Link.bidir("upper", "A")}, {Link.bidir("upper", "D")}]
    assert isinstance(extractor(), LinkExtractor)


# ------------------------------------------------------------------------------------ bad input
class _NotText:
    page_content = 5


@pytest.mark.parametrize("bad", [42, None, b"bytes", ["a list"], _NotText()])
def test_non_text_input(bad):
    ex = extractor()
    with pytest.raises(TypeError, match="input"):
        ex.extract_one(bad)


def test_non_text_input_in_extract_many_names_its_index():
    ex = extractor()
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        list(ex.extract_many(["Ukraine", 3.5]))
    with pytest.raises(TypeError, match="iterable"):
        list(ex.extract_many("Ukraine"))


@pytest.mark.parametrize(
    "labels, error, match",
    [
        ([1, "Person"], TypeError, "label"),
        (["Person", None], TypeError, "label"),
        ("Person", TypeError, "single str"),
        ([], ValueError, "no labels"),
        (["  "], ValueError, "empty"),
        ({"Person": 3}, TypeError, "description"),
        (42, TypeError, "labels"),
    ],
)
def test_bad_labels(labels, error, match):
    with pytest.raises(error, match=match):
        GLiNERLinkExtractor(labels, model=LexiconModel({}))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"treshold": 0.3}, TypeError, "'treshold'"),
        ({"labels": ["x"]}, TypeError, "'labels'"),
        ({"threshold": 1.5}, ValueError, "threshold"),
        ({"threshold": "0.3"}, TypeError, "threshold"),
        ({"flat_ner": "yes"}, TypeError, "flat_ner"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"chunk_size": 2.0}, TypeError, "chunk_size"),
    ],
)
def test_bad_extract_kwargs_fail_at_construction(kwargs, error, match):
    model = LexiconModel({})
    with pytest.raises(error, match=match):
        GLiNERLinkExtractor(["Person"], model=model, extract_kwargs=kwargs)
    assert model.calls == []


def test_other_bad_options():
    m = LexiconModel({})
    with pytest.raises(ValueError, match="'Place' is not one of the labels"):
        GLiNERLinkExtractor(["Person"], model=m, thresholds={"Place": 0.3})
    with pytest.raises(ValueError, match="thresholds"):
        GLiNERLinkExtractor(["Person"], model=m, thresholds={"Person": 0})
    with pytest.raises(ValueError, match="max_links"):
        GLiNERLinkExtractor(["Person"], model=m, max_links=0)
    with pytest.raises(TypeError, match="model"):
        GLiNERLinkExtractor(["Person"], model=3.5)
    with pytest.raises(TypeError, match="transform_documents"):
        LinkExtractorTransformer([extractor()]).transform_documents([], unknown=1)
    with pytest.raises(TypeError, match=r"documents\[0\]"):
        LinkExtractorTransformer([extractor()]).transform_documents(["a str"])
    with pytest.raises(TypeError, match="extract_many"):
        LinkExtractorTransformer([object()])


def test_default_model_when_not_shipped():
    from doclinks.ner.default import default_model

    try:
        model = default_model()
    except NoDefaultModelError:
        with pytest.raises(NoDefaultModelError, match="pass a model explicitly"):
            GLiNERLinkExtractor(["Person"])
    else:
        assert GLiNERLinkExtractor(["Person"]).model is model


# ------------------------------------------------------------------------------ the real model
@pytest.fixture(scope="module")
def one_torch_thread():
    """One intra-op thread: on a small shared box (CI, a training run beside) two threads fight for
    the cores and the real-model tests run 5x slower; the results do not change."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def peer_model(peer_checkpoint_384_tuned, one_torch_thread):
    return load_model(str(peer_checkpoint_384_tuned))


def test_models_by_name_are_loaded_once(peer_checkpoint_384_tuned, peer_model):
    a = GLiNERLinkExtractor(["person"], model=peer_checkpoint_384_tuned)
    b = GLiNERLinkExtractor(["location"], model=str(peer_checkpoint_384_tuned))
    assert a.model is b.model is peer_model


def test_real_model_batches_equal_single_calls_and_long_texts_are_read_whole(peer_model):
    ex = GLiNERLinkExtractor(["person", "location"], model=peer_model, extract_kwargs={"threshold": 0.3, "batch_size": 2})
    filler = "the committee discussed the budget again . " * 80  # ~560 words, past one window
    texts = [
        "Anna Smith moved to Berlin in 2019 .",
        filler + "Anna Smith moved to Cape Town in 2019 .",
        "In June 2020 , NASA hired John Wang in New York .",
    ]
    many = list(ex.extract_many(texts))
    assert many == [ex.extract_one(t) for t in texts]
    assert Link.bidir("entity:person", "Anna Smith") in many[0]
    assert Link.bidir("entity:location", "Cape Town") in many[1]  # after 560 words: a second window
    records = list(ex.extract_entities(texts))[1]
    town = next(r for r in records if r["tag"] == "Cape Town")
    assert town["start"] > 3000 and texts[1][town["start"] : town["end"]] == "Cape Town"


@pytest.mark.skipif(importlib.util.find_spec("gliner") is None, reason="needs the gliner package")
def test_same_links_as_langchains_extractor(peer_checkpoint_384_tuned, peer_model):
    """Moving from LangChain is a change of imports: with normalisation off, the links are LangChain's."""
    lcx = pytest.importorskip("langchain_community.graph_vectorstores.extractors")
    texts = [
        "Anna Smith moved to Berlin in 2019 .",
        "According to Omar Okafor , Siemens will grow in the 1980s .",
        "Li Tanaka and Pierre Dubois met in Cape Town .",
    ]
    labels = ["person", "location", "organization"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lcx.GLiNERLinkExtractor(labels, model=str(peer_checkpoint_384_tuned))
        expected = [{(link.kind, link.direction, link.tag) for link in s} for s in theirs.extract_many(texts)]
    ours = GLiNERLinkExtractor(labels, model=peer_model, normalize=False)
    got = [{(link.kind, link.direction, link.tag) for link in s} for s in ours.extract_many(texts)]
    assert got == expected and any(expected)


def _run_seed_example(model):
    import runpy

    example = runpy.run_path(str(ROOT / "examples" / "langchain_seed_example.py"))
    return example["main"](SOTU, model=model)


def _check_seed_output(documents, printed):
    lc = pytest.importorskip("langchain_core.documents")
    assert len(documents) > 30 and all(isinstance(d, lc.Document) for d in documents)
    first = documents[0].metadata
    assert list(first) == ["source", "links"] and first["source"] == str(SOTU)
    assert first["links"] and all(isinstance(link, Link) and link.direction == "bidir" for link in first["links"])
    assert {link.kind for doc in documents for link in get_links(doc)} <= {"entity:Person", "entity:Topic"}
    assert printed.strip() == repr(first)
    assert printed.startswith("{'source': ") and "'links': [Link(kind='entity:Person', direction='bidir', tag='" in printed


@pytest.mark.skipif(not SOTU.is_file(), reason=f"{SOTU} is not there")
@pytest.mark.skipif(importlib.util.find_spec("langchain_text_splitters") is None, reason="needs langchain-text-splitters")
def test_seed_example_with_the_peer_model(peer_model, capsys):
    documents = _run_seed_example(peer_model)
    printed = capsys.readouterr().out
    _check_seed_output(documents, printed)
    assert Link.bidir("entity:Person", "Vladimir Putin") in documents[0].metadata["links"]


@pytest.mark.skipif(not SOTU.is_file(), reason=f"{SOTU} is not there")
@pytest.mark.skipif(importlib.util.find_spec("langchain_text_splitters") is None, reason="needs langchain-text-splitters")
def test_seed_example_with_the_default_model(capsys, one_torch_thread):
    from doclinks.ner.default import default_model

    try:
        default_model()
    except NoDefaultModelError as exc:
        pytest.skip(f"the default model is not shipped yet: {exc}")
    documents = _run_seed_example(None)
    _check_seed_output(documents, capsys.readouterr().out)
    tags_ = {link.tag for doc in documents for link in get_links(doc) if link.kind == "entity:Person"}
    assert any("Putin" in t for t in tags_) and any("Zelenskyy" in t for t in tags_)
