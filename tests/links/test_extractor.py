"""GLiNERLinkExtractor and LinkExtractorTransformer: LangChain's names and meaning, and what doclinks adds.

The logic tests (thresholds, the link cap, checks of input and options, batching) run on the small test
model (`ner`: `small_ner_model`, trained by the test session), so a new default model changes none of
them. The tests marked ``shipped_model`` check the shipped model end to end (`shipped_ner`:
`doclinks.default_model()`, fixed weights), on texts where its findings are clear: the scores the assertions depend on lie far from the thresholds in play,
so the results are the same on every CPU. Where a test must see what the model was given (the keyword
arguments, how many inputs it has read), `Recording` wraps the real model and forwards every call to it.
The `gliner` package's own model (loaded from the same folder) is the model with `batch_predict_entities`
only, and LangChain's extractor runs on it for the parity test. The seed example runs on the real State of
the Union text.
"""

from __future__ import annotations

import copy
import importlib.util
import warnings
from itertools import pairwise
from pathlib import Path

import pytest

from doclinks.document import Document
from doclinks.links import (
    EXTRACT_KWARGS,
    GLiNERLinkExtractor,
    Link,
    LinkExtractor,
    LinkExtractorTransformer,
    add_links,
    get_links,
    load_model,
    normalize_tag,
)
from doclinks.ner.default import DEFAULT_MODEL_DIR, NoDefaultModelError

ROOT = Path(__file__).resolve().parents[2]
SOTU = ROOT.parent / "shared" / "data" / "texts" / "state_of_the_union.txt"

LABELS = ["Person", "Location", "Organization"]


class Recording:
    """A spy around a real `doclinks.GLiNER`: forwards `iter_inference` to it, records the keyword
    arguments of each call and counts the texts the model has pulled from its input."""

    def __init__(self, model):
        self.model = model
        self.calls: list[dict] = []
        self.read = 0

    def iter_inference(self, texts, labels, **kwargs):
        self.calls.append(dict(kwargs, labels=labels))

        def counted():
            for text in texts:
                self.read += 1
                yield text

        return self.model.iter_inference(counted(), labels, **kwargs)


class BatchOnly:
    """A spy around a real `gliner.GLiNER`, which has `batch_predict_entities` and no `iter_inference`:
    forwards each call and records its keyword arguments and number of texts."""

    def __init__(self, model):
        self.model = model
        self.calls: list[dict] = []

    def batch_predict_entities(self, texts, labels, **kwargs):
        self.calls.append(dict(kwargs, n=len(texts)))
        return self.model.batch_predict_entities(texts, labels, **kwargs)


@pytest.fixture(scope="module")
def gliner_model(one_torch_thread, small_ner_checkpoint):
    """The `gliner` package's GLiNER, loaded from the small test model's folder (the shipped model reads
    word shapes, which `gliner` refuses)."""
    gliner = pytest.importorskip("gliner")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gliner.GLiNER.from_pretrained(str(small_ner_checkpoint))


def tags(links):
    return sorted((link.kind, link.tag) for link in links)


# ---------------------------------------------------------------------------------- LangChain API
def test_extract_one_gives_bidir_links_per_entity(ner):
    ex = GLiNERLinkExtractor(LABELS, model=ner)
    links = ex.extract_one("According to Omar Okafor , Siemens will grow in Berlin .")
    assert isinstance(links, set) and all(isinstance(link, Link) for link in links)
    assert links == {
        Link.bidir(kind="entity:Person", tag="Omar Okafor"),
        Link.bidir(kind="entity:Location", tag="Berlin"),
        Link.bidir(kind="entity:Organization", tag="Siemens"),
    }
    assert ex.kinds == ["entity:Person", "entity:Location", "entity:Organization"]


@pytest.mark.shipped_model
def test_kind_prefix_and_documents_of_both_kinds(shipped_ner):
    lc = pytest.importorskip("langchain_core.documents")
    ex = GLiNERLinkExtractor(LABELS, kind="ner", model=shipped_ner)
    text = "Angela Merkel met Emmanuel Macron in Berlin."
    expected = {
        Link.bidir("ner:Person", "Angela Merkel"),
        Link.bidir("ner:Person", "Emmanuel Macron"),
        Link.bidir("ner:Location", "Berlin"),
    }
    assert ex.extract_one(text) == expected
    assert ex.extract_one(Document(text, id="d1")) == expected
    assert ex.extract_one(lc.Document(page_content=text)) == expected


@pytest.mark.shipped_model
def test_extract_many_one_set_per_input_in_order(shipped_ner):
    ex = GLiNERLinkExtractor(LABELS, model=shipped_ner)
    inputs = ["Ukraine", "nothing here", Document("Angela Merkel"), "Angela Merkel and Emmanuel Macron"]
    out = list(ex.extract_many(inputs))
    assert [tags(x) for x in out] == [
        [("entity:Location", "Ukraine")],
        [],
        [("entity:Person", "Angela Merkel")],
        [("entity:Person", "Angela Merkel"), ("entity:Person", "Emmanuel Macron")],
    ]


@pytest.mark.shipped_model
def test_add_links_of_a_set_is_reproducible(shipped_ner):
    ex = GLiNERLinkExtractor(LABELS, model=shipped_ner)
    doc = Document("In June 2020 , NASA hired John Wang in New York .")
    add_links(doc, ex.extract_one(doc))
    assert len(get_links(doc)) == 3
    assert get_links(doc) == sorted(get_links(doc), key=lambda link: (link.kind, link.tag))
    assert doc.metadata == {"links": get_links(doc)}  # extract_one has no side effect


@pytest.mark.shipped_model
def test_extract_kwargs_reach_the_model(shipped_ner):
    spy = Recording(shipped_ner)
    kwargs = dict(threshold=0.3, flat_ner=False, multi_label=True, batch_size=3, max_batch_tokens=999, chunk_size=5)
    ex = GLiNERLinkExtractor(["Location"], model=spy, extract_kwargs=kwargs, contrast_labels=None)  # one call
    text = "Kyiv, Ukraine"
    links = ex.extract_one(text)
    assert links == {Link.bidir("entity:Location", "Kyiv"), Link.bidir("entity:Location", "Ukraine")}
    call = spy.calls[-1]
    assert {k: call[k] for k in kwargs} == kwargs and call["labels"] == ["Location"]
    assert set(EXTRACT_KWARGS) == set(kwargs)
    # The records are what the model gives when called with those settings directly.
    direct = shipped_ner.inference([text], ["Location"], **{k: v for k, v in kwargs.items() if k != "chunk_size"})[0]
    records = next(ex.extract_entities([text]))
    assert [(r["start"], r["end"], r["score"]) for r in records] == [(e["start"], e["end"], e["score"]) for e in direct]


@pytest.mark.shipped_model
def test_label_descriptions_dict(shipped_ner):
    """The model reads the description, the links carry the name."""
    spy = Recording(shipped_ner)
    ex = GLiNERLinkExtractor({"Place": "city"}, model=spy, contrast_labels=None)  # one call: the user's labels
    assert ex.extract_one("Kyiv, Ukraine") == {
        Link.bidir("entity:Place", "Kyiv"),
        Link.bidir("entity:Place", "Ukraine"),
    }
    assert spy.calls[-1]["labels"] == {"Place": "city"}
    assert ex.labels == ["Place"] and ex.kinds == ["entity:Place"]
    records = next(ex.extract_entities(["Kyiv, Ukraine"]))
    direct = shipped_ner.predict_entities("Kyiv, Ukraine", {"Place": "city"})
    assert [r["score"] for r in records] == [e["score"] for e in direct]


@pytest.mark.filterwarnings("ignore:GLiNER.batch_predict_entities is deprecated:FutureWarning")
@pytest.mark.shipped_model
def test_a_model_with_only_batch_predict_entities(ner, gliner_model):
    """A `gliner.GLiNER`: doclinks chunks by hand, passes only the keys that were set."""
    assert not hasattr(gliner_model, "iter_inference")
    spy = BatchOnly(gliner_model)
    ex = GLiNERLinkExtractor(
        ["Person"], model=spy, extract_kwargs={"chunk_size": 2, "flat_ner": True}, contrast_labels=None
    )
    texts = ["Anna Smith visited Paris .", "Omar Okafor works for Siemens .", "Anna Smith met Li Tanaka in Oslo ."]
    out = list(ex.extract_many(texts))
    assert all(out)
    assert out == list(
        GLiNERLinkExtractor(["Person"], model=ner, contrast_labels=None).extract_many(texts)
    )  # doclinks' own engine
    assert [c["n"] for c in spy.calls] == [2, 1]
    assert spy.calls[0] == {"flat_ner": True, "threshold": 0.5, "n": 2}
    # With a contrast label: each chunk of texts is read twice, the second time with the contrast label.
    spy.calls.clear()
    judged = GLiNERLinkExtractor(["Person"], model=spy, extract_kwargs={"chunk_size": 2}, contrast_labels=["date"])
    assert list(judged.extract_many(texts)) == list(
        GLiNERLinkExtractor(["Person"], model=ner, contrast_labels=["date"]).extract_many(texts)
    )
    assert [c["n"] for c in spy.calls] == [2, 2, 1, 1]


# ------------------------------------------------------------------------------- doclinks extras
@pytest.mark.shipped_model
def test_extract_many_streams(shipped_ner):
    spy = Recording(shipped_ner)
    ex = GLiNERLinkExtractor(["Person"], model=spy, extract_kwargs={"chunk_size": 4}, contrast_labels=None)

    def endless():
        i = 0
        while True:
            i += 1
            yield f"Angela Merkel number {i}"

    results = ex.extract_many(endless())
    first = next(results)
    assert first == {Link.bidir("entity:Person", "Angela Merkel")}
    assert spy.read == 4  # one chunk read, not the whole input
    for _ in range(5):
        assert next(results) == first
    assert spy.read == 8
    # With contrast labels (a second call per chunk) the input is still read one chunk at a time.
    judged = GLiNERLinkExtractor(["Person"], model=Recording(shipped_ner), extract_kwargs={"chunk_size": 4})
    results = judged.extract_many(endless())
    assert next(results) == first and judged.model.read == 8  # the 4 texts of the first chunk, read by both calls


def test_progress_bar(ner, capsys):
    ex = GLiNERLinkExtractor(LABELS, model=ner)
    list(ex.extract_many(["Ukraine"] * 3, progress=True))
    err = capsys.readouterr().err
    assert "entities" in err and "3/3" in err
    list(ex.extract_many(["Ukraine"] * 3))
    assert capsys.readouterr().err == ""


SPREAD_TEXT = "Anna Smith met Omar Okafor at Acme Corp in Berlin near the old bridge ."
#: Labels the small model knows and some it does not (their scores spread between 0 and 1).
SPREAD_LABELS = ["Person", "Location", "building", "food"]


def widest_gap(scores) -> tuple[float, float]:
    """The two neighbouring distinct scores with the widest gap between them (low, high)."""
    ordered = sorted(set(scores))
    assert len(ordered) >= 2, ordered
    return max(pairwise(ordered), key=lambda pair: pair[1] - pair[0])


def test_per_label_thresholds(ner):
    """On the small test model, with limits chosen from its own scores: each label keeps the mentions above
    its own limit; the model runs once, at the lowest limit."""
    found = ner.predict_entities(SPREAD_TEXT, SPREAD_LABELS, threshold=0.05)
    low, high = widest_gap(e["score"] for e in found)
    assert high - low > 0.04
    cut = (low + high) / 2  # the threshold for all: mentions at `low` and below are out
    weak = next(e for e in found if e["score"] == low)
    limit = max(0.05, low - 0.02)  # the weak mention's label keeps it
    spy = Recording(ner)
    ex = GLiNERLinkExtractor(SPREAD_LABELS, model=spy, extract_kwargs={"threshold": cut},
                             thresholds={weak["label"]: limit}, min_link_score=None)  # fmt: skip
    limits = {label: (limit if label == weak["label"] else cut) for label in SPREAD_LABELS}
    assert ex.thresholds == limits
    links = ex.extract_one(SPREAD_TEXT)
    assert spy.calls[-1]["threshold"] == limit  # the model runs at the lowest threshold
    at_limit = ner.predict_entities(SPREAD_TEXT, SPREAD_LABELS, threshold=limit)

    def above(limit_of):
        return sorted(
            {(f"entity:{e['label']}", normalize_tag(e["text"])[1]) for e in at_limit if e["score"] > limit_of(e)}
        )

    assert tags(links) == above(lambda e: limits[e["label"]])
    assert (f"entity:{weak['label']}", normalize_tag(weak["text"])[1]) in tags(links)
    # One threshold for all gives other links: the weak mention is out.
    flat = tags(GLiNERLinkExtractor(SPREAD_LABELS, model=ner, extract_kwargs={"threshold": cut},
                                    min_link_score=None).extract_one(SPREAD_TEXT))  # fmt: skip
    assert flat == above(lambda e: cut) and flat != tags(links)


def test_max_links_keeps_the_best_scored(ner):
    """On the small test model: the cap keeps the best-scored entities' links and every record."""
    kwargs = {"extract_kwargs": {"threshold": 0.05}, "min_link_score": None}
    records = next(GLiNERLinkExtractor(SPREAD_LABELS, model=ner, **kwargs).extract_entities([SPREAD_TEXT]))
    best: dict[tuple[str, str], float] = {}
    for r in records:
        best[(r["kind"], r["tag"])] = max(best.get((r["kind"], r["tag"]), 0.0), r["score"])
    ranked = sorted(best, key=lambda k: -best[k])
    low, high = widest_gap(best.values())
    assert high - low > 0.04
    cut = sum(best[k] >= high for k in ranked)  # a clear cut between two scores
    ex = GLiNERLinkExtractor(SPREAD_LABELS, model=ner, max_links=cut, **kwargs)
    assert tags(ex.extract_one(SPREAD_TEXT)) == sorted(ranked[:cut]) and 0 < cut < len(ranked)
    capped = next(ex.extract_entities([SPREAD_TEXT]))
    assert {(r["kind"], r["tag"]): r["linked"] for r in capped} == {k: k in ranked[:cut] for k in ranked}
    assert [r["score"] for r in capped] == [r["score"] for r in records]  # the cap drops links, not records


@pytest.mark.shipped_model
def test_normalisation_in_one_document_and_off_switch(shipped_ner):
    text = "Vladimir Putin spoke on Monday. Putin said the army would stay. PUTIN ALSO WARNED."
    ex = GLiNERLinkExtractor(["Person"], model=shipped_ner)
    assert ex.extract_one(text) == {Link.bidir("entity:Person", "Putin"), Link.bidir("entity:Person", "Vladimir Putin")}
    records = next(ex.extract_entities([text]))
    assert [(r["text"], r["tag"]) for r in records] == [
        ("Vladimir Putin", "Vladimir Putin"),
        ("Putin", "Putin"),
        ("PUTIN", "Putin"),
    ]
    raw = GLiNERLinkExtractor(["Person"], model=shipped_ner, normalize=False, min_link_score=None)
    assert tags(raw.extract_one(text)) == [
        ("entity:Person", "PUTIN"), ("entity:Person", "Putin"), ("entity:Person", "Vladimir Putin"),
    ]  # fmt: skip


@pytest.mark.shipped_model
def test_entity_records_explain_the_links(shipped_ner):
    """One record per mention, with offsets; a mention that normalises to nothing ("#") gives no link.

    The model gives "#" a low "symbol" score (v5 0.02, v6 0.008): the threshold is half the model's own score,
    low enough to let it through."""
    text = "Angela Merkel met Emmanuel Macron . I love this #"
    found = shipped_ner.predict_entities(text, ["Person", "symbol"], threshold=0.001)
    threshold = next(e["score"] for e in found if e["text"] == "#") / 2
    ex = GLiNERLinkExtractor(["Person", "symbol"], model=shipped_ner, extract_kwargs={"threshold": threshold})
    records = next(ex.extract_entities([text]))
    assert [(r["text"], r["label"], r["tag"], r["linked"]) for r in records] == [
        ("Angela Merkel", "Person", "Angela Merkel", True),
        ("Emmanuel Macron", "Person", "Emmanuel Macron", True),
        ("#", "symbol", None, False),
    ]  # fmt: skip
    for r in records:
        assert text[r["start"] : r["end"]] == r["text"]
        assert r["kind"] == f"entity:{r['label']}" and isinstance(r["score"], float) and r["score"] > threshold
    assert ex.extract_one(text) == {
        Link.bidir("entity:Person", "Angela Merkel"),
        Link.bidir("entity:Person", "Emmanuel Macron"),
    }


@pytest.mark.shipped_model
def test_annotate_streams_documents_in_place(shipped_ner):
    spy = Recording(shipped_ner)
    ex = GLiNERLinkExtractor(["Person"], model=spy, extract_kwargs={"chunk_size": 2}, contrast_labels=None)
    docs = [Document(f"Angela Merkel {i}", metadata={"n": i}, id=str(i)) for i in range(5)]
    stream = ex.annotate(iter(docs))
    assert next(stream) is docs[0] and spy.read == 2
    out = [docs[0], *stream]
    assert [d.id for d in out] == ["0", "1", "2", "3", "4"] and all(a is b for a, b in zip(out, docs))
    assert get_links(docs[3]) == [Link.bidir("entity:Person", "Angela Merkel")]
    assert docs[3].metadata["entities"][0]["tag"] == "Angela Merkel" and docs[3].metadata["n"] == 3


# ---------------------------------------------------------------------------------- transformer
@pytest.mark.shipped_model
def test_transformer_keeps_ids_metadata_and_inputs(shipped_ner):
    lc = pytest.importorskip("langchain_core.documents")
    ex = GLiNERLinkExtractor(LABELS, model=shipped_ner)
    docs = [
        lc.Document(page_content="PUTIN in Ukraine", metadata={"source": "a.txt", "page": 1}, id="a"),
        lc.Document(
            page_content="Vladimir Putin and sanctions", metadata={"links": [Link.outgoing("url", "x")]}, id="b"
        ),
        Document("Putin's plans, as Vladimir Putin told them", metadata={"source": "c.txt"}, id="c"),
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
    assert get_links(out[0]) == [Link.bidir("entity:Location", "Ukraine"), putin]
    assert get_links(out[1]) == [Link.outgoing("url", "x"), putin]
    assert get_links(out[2]) == [putin]
    assert [(r["text"], r["tag"]) for r in out[0].metadata["entities"]] == [
        ("PUTIN", "Vladimir Putin"),
        ("Ukraine", "Ukraine"),
    ]
    # Off: per-document tags only.
    raw = LinkExtractorTransformer([ex], normalize_links=False, entities_key=None).transform_documents(docs)
    assert Link.bidir("entity:Person", "PUTIN") in get_links(raw[0]) and "entities" not in raw[0].metadata
    # Per-document tags: "Putin" joins "Vladimir Putin" only if that form is trusted (MergePolicy), else stays apart.
    raw_tags = {link.tag for link in get_links(raw[2])}
    assert "Vladimir Putin" in raw_tags and raw_tags <= {"Putin", "Vladimir Putin"}


@pytest.mark.shipped_model
def test_transformer_canonical_tags_across_documents(shipped_ner):
    """The issue's case: "Mr. Zelenskyy" (a title before the name; the tag never keeps it), "Zelenskyy"
    and "Volodymyr Zelenskyy" (seen in two documents: a trusted long form) become one tag across documents."""
    texts = ["Mr. Zelenskyy spoke .", "Volodymyr Zelenskyy spoke .", "Zelenskyy spoke .", "Volodymyr Zelenskyy left ."]
    docs = [Document(t) for t in texts]
    ex = GLiNERLinkExtractor(["Person"], model=shipped_ner)
    out = LinkExtractorTransformer([ex]).transform_documents(docs)
    assert [get_links(d) for d in out] == [[Link.bidir("entity:Person", "Volodymyr Zelenskyy")]] * 4
    assert [r["tag"] for d in out for r in d.metadata["entities"]] == ["Volodymyr Zelenskyy"] * 4
    # One call at a time (extract_one), each document keeps its own tag; normalize_links joins them later.
    own = ["Zelenskyy", "Volodymyr Zelenskyy", "Zelenskyy", "Volodymyr Zelenskyy"]
    assert [ex.extract_one(d) for d in docs] == [{Link.bidir("entity:Person", t)} for t in own]
    # Without corpus normalisation each document keeps its own tag.
    out = LinkExtractorTransformer([ex], normalize_links=False).transform_documents(docs)
    assert [[link.tag for link in get_links(d)] for d in out] == [[t] for t in own]


@pytest.mark.shipped_model
def test_transformer_runs_twice_without_duplicates(shipped_ner):
    t = LinkExtractorTransformer([GLiNERLinkExtractor(LABELS, model=shipped_ner)])
    once = t.transform_documents([Document("Angela Merkel in Berlin")])
    twice = t.transform_documents(once)
    assert tags(get_links(once[0])) == [("entity:Location", "Berlin"), ("entity:Person", "Angela Merkel")]
    assert get_links(twice[0]) == get_links(once[0])
    assert twice[0].metadata["entities"] == once[0].metadata["entities"] and len(once[0].metadata["entities"]) == 2


@pytest.mark.shipped_model
def test_transformer_with_several_extractors_and_langchain_links(shipped_ner):
    lcx = pytest.importorskip("langchain_community.graph_vectorstores.extractors")
    from langchain_community.graph_vectorstores.links import Link as LCLink

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Keywords(lcx.LinkExtractor):
            def extract_one(self, input):
                return {LCLink.bidir("kw", w) for w in input.page_content.split() if w.islower()}

        kw = Keywords()
    people = GLiNERLinkExtractor(["Person"], model=shipped_ner)
    places = GLiNERLinkExtractor(["Location"], kind="place", model=shipped_ner)
    out = LinkExtractorTransformer([people, kw, places]).transform_documents([Document("Angela Merkel visited Berlin")])
    assert tags(get_links(out[0])) == [
        ("entity:Person", "Angela Merkel"),
        ("kw", "visited"),
        ("place:Location", "Berlin"),
    ]
    assert [r["kind"] for r in out[0].metadata["entities"]] == ["entity:Person", "place:Location"]


@pytest.mark.shipped_model
def test_transformer_metadata_fields(shipped_ner):
    out = LinkExtractorTransformer(
        [GLiNERLinkExtractor(LABELS, model=shipped_ner)], metadata_fields=True
    ).transform_documents(
        [Document("Vladimir Putin, Ukraine"), Document("PUTIN said ."), Document("Vladimir Putin spoke .")]
    )
    assert out[0].metadata["entity:Person"] == ["vladimir putin"]
    assert out[0].metadata["entity:Location"] == ["ukraine"]
    assert out[1].metadata["entity:Person"] == ["vladimir putin"]
    assert "entity:Location" not in out[1].metadata


def test_our_extractor_is_a_link_extractor(ner):
    class Upper(LinkExtractor[str]):
        def extract_one(self, input):
            return {Link.bidir("upper", w) for w in input.split() if w.isupper()}

    assert list(Upper().extract_many(["A b", "c D"])) == [{Link.bidir("upper", "A")}, {Link.bidir("upper", "D")}]
    assert isinstance(GLiNERLinkExtractor(LABELS, model=ner), LinkExtractor)


# ------------------------------------------------------------------------------------ bad input
class _NotText:
    page_content = 5


@pytest.mark.parametrize("bad", [42, None, b"bytes", ["a list"], _NotText()])
def test_non_text_input(ner, bad):
    ex = GLiNERLinkExtractor(LABELS, model=ner)
    with pytest.raises(TypeError, match="input"):
        ex.extract_one(bad)


def test_non_text_input_in_extract_many_names_its_index(ner):
    ex = GLiNERLinkExtractor(LABELS, model=ner)
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
def test_bad_labels(ner, labels, error, match):
    with pytest.raises(error, match=match):
        GLiNERLinkExtractor(labels, model=ner)


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
def test_bad_extract_kwargs_fail_at_construction(ner, kwargs, error, match):
    spy = Recording(ner)
    with pytest.raises(error, match=match):
        GLiNERLinkExtractor(["Person"], model=spy, extract_kwargs=kwargs)
    assert spy.calls == [] and spy.read == 0


def test_other_bad_options(ner):
    with pytest.raises(ValueError, match="'Place' is not one of the labels"):
        GLiNERLinkExtractor(["Person"], model=ner, thresholds={"Place": 0.3})
    with pytest.raises(ValueError, match="thresholds"):
        GLiNERLinkExtractor(["Person"], model=ner, thresholds={"Person": 0})
    with pytest.raises(ValueError, match="max_links"):
        GLiNERLinkExtractor(["Person"], model=ner, max_links=0)
    with pytest.raises(TypeError, match="model"):
        GLiNERLinkExtractor(["Person"], model=3.5)
    ex = GLiNERLinkExtractor(LABELS, model=ner)
    with pytest.raises(TypeError, match="transform_documents"):
        LinkExtractorTransformer([ex]).transform_documents([], unknown=1)
    with pytest.raises(TypeError, match=r"documents\[0\]"):
        LinkExtractorTransformer([ex]).transform_documents(["a str"])
    with pytest.raises(TypeError, match="extract_many"):
        LinkExtractorTransformer([object()])


# ----------------------------------------------------------------------------- which model runs
@pytest.mark.shipped_model
def test_no_model_means_the_default_model(shipped_ner):
    assert GLiNERLinkExtractor(["Person"]).model is shipped_ner
    assert load_model(None) is shipped_ner


def test_an_installation_missing_the_default_model_says_to_pass_one(tmp_path, monkeypatch):
    import doclinks.ner.default as default

    monkeypatch.setattr(default, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")  # the folder deleted
    monkeypatch.setattr(default, "_model", None)  # as if this process had not loaded it yet
    with pytest.raises(NoDefaultModelError, match="pass a model explicitly"):
        GLiNERLinkExtractor(["Person"])


def test_models_by_name_are_loaded_once(ner, monkeypatch):
    a = GLiNERLinkExtractor(["person"], model=DEFAULT_MODEL_DIR)
    b = GLiNERLinkExtractor(["location"], model=str(DEFAULT_MODEL_DIR))
    monkeypatch.chdir(DEFAULT_MODEL_DIR.parent)
    c = GLiNERLinkExtractor(["location"], model="default")  # a relative path: resolved to the same folder
    assert a.model is b.model is c.model is load_model(DEFAULT_MODEL_DIR)
    assert a.model.config.hidden_size == ner.config.hidden_size


def test_batches_equal_single_calls_and_long_texts_are_read_whole(ner):
    ex = GLiNERLinkExtractor(["person", "location"], model=ner, extract_kwargs={"threshold": 0.3, "batch_size": 2})
    filler = "the committee discussed the budget again . " * 80  # ~560 words, past one window
    texts = [
        "Anna Smith moved to Berlin in 2019 .",
        filler + "Anna Smith moved to Cape Town in 2019 .",
        "In June 2020 , NASA hired John Wang in New York .",
    ]
    many = list(ex.extract_many(texts))
    assert many == [ex.extract_one(t) for t in texts]
    # The clear names only (a subset: what else the small model reads at 0.3, such as "2019" when no date
    # label is asked for, is its opinion, not the batching logic under test).
    assert {Link.bidir("entity:person", "Anna Smith"), Link.bidir("entity:location", "Berlin")} <= many[0]
    assert Link.bidir("entity:location", "Cape Town") in many[1]  # after 560 words: a second window
    assert Link.bidir("entity:person", "John Wang") in many[2]
    records = list(ex.extract_entities(texts))[1]
    town = next(r for r in records if r["tag"] == "Cape Town")
    assert town["start"] > 3000 and texts[1][town["start"] : town["end"]] == "Cape Town"


@pytest.mark.skipif(importlib.util.find_spec("gliner") is None, reason="needs the gliner package")
def test_same_links_as_langchains_extractor(ner, small_ner_checkpoint):
    """Moving from LangChain is a change of imports: with doclinks' additions off, the links are LangChain's.
    (On the small test model: `gliner` cannot load the shipped model, which reads word shapes.)"""
    lcx = pytest.importorskip("langchain_community.graph_vectorstores.extractors")
    texts = [
        "Anna Smith moved to Berlin in 2019 .",
        "According to Omar Okafor , Siemens will grow in the 1980s .",
        "Li Tanaka and Pierre Dubois met in Cape Town .",
        "PUTIN said. Putin's army. Vladimir Putin.",
    ]
    labels = ["person", "location", "organization"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lcx.GLiNERLinkExtractor(labels, model=str(small_ner_checkpoint))  # loaded by the gliner package
        expected = [{(link.kind, link.direction, link.tag) for link in s} for s in theirs.extract_many(texts)]
    ours = GLiNERLinkExtractor(
        labels, model=ner, normalize=False, respect_boundaries=False, min_link_score=None, contrast_labels=None
    )
    got = [{(link.kind, link.direction, link.tag) for link in s} for s in ours.extract_many(texts)]
    assert got == expected
    assert all(got[:3])


@pytest.mark.skipif(not SOTU.is_file(), reason=f"{SOTU} is not there")
@pytest.mark.skipif(
    importlib.util.find_spec("langchain_text_splitters") is None, reason="needs langchain-text-splitters"
)
@pytest.mark.shipped_model
def test_seed_example_with_the_default_model(shipped_ner, capsys):
    import runpy

    lc = pytest.importorskip("langchain_core.documents")
    example = runpy.run_path(str(ROOT / "examples" / "langchain_seed_example.py"))
    documents = example["main"](SOTU, model=None)
    printed = capsys.readouterr().out
    assert len(documents) > 30 and all(isinstance(d, lc.Document) for d in documents)
    first = documents[0].metadata
    assert list(first) == ["source", "links"] and first["source"] == str(SOTU)
    assert first["links"] and all(isinstance(link, Link) and link.direction == "bidir" for link in first["links"])
    assert {link.kind for doc in documents for link in get_links(doc)} <= {"entity:Person", "entity:Topic"}
    assert printed.strip() == repr(first)
    assert (
        printed.startswith("{'source': ") and "'links': [Link(kind='entity:Person', direction='bidir', tag='" in printed
    )
    assert Link.bidir("entity:Person", "Vladimir Putin") in first["links"]
    tags_ = {link.tag for doc in documents for link in get_links(doc) if link.kind == "entity:Person"}
    assert any("Zelenskyy" in t for t in tags_)
