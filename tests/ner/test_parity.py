"""doclinks.GLiNER gives the entities of the `gliner` package on the same checkpoint, computed in the same run."""

from __future__ import annotations

import pytest

from doclinks import GLiNER
from doclinks.paths import CONFIG_FILE

from .parity_texts import parity_cases

gliner = pytest.importorskip("gliner")

SCORE_TOLERANCE = 1e-5
MODES = {
    "flat": dict(flat_ner=True, multi_label=False),
    "nested": dict(flat_ner=False, multi_label=False),
    "multi_label": dict(flat_ner=True, multi_label=True),
}


def assert_same_entities(ours: list[list[dict]], theirs: list[list[dict]], threshold: float) -> int:
    """Same (start, end, label) per text, scores within 1e-5; only an entity scored within 1e-5 of the
    threshold may be on one side alone. Returns the number of entities compared."""
    assert len(ours) == len(theirs)
    compared = 0
    for i, (mine, peer) in enumerate(zip(ours, theirs)):
        mine_by_key = {(e["start"], e["end"], e["label"]): e for e in mine}
        peer_by_key = {(e["start"], e["end"], e["label"]): e for e in peer}
        assert len(mine_by_key) == len(mine) and len(peer_by_key) == len(peer), f"text {i}: duplicate entities"
        for key in mine_by_key.keys() ^ peer_by_key.keys():
            entity = mine_by_key.get(key) or peer_by_key[key]
            assert abs(entity["score"] - threshold) < SCORE_TOLERANCE, f"text {i}: {entity} found by one side only"
        for key in mine_by_key.keys() & peer_by_key.keys():
            a, b = mine_by_key[key], peer_by_key[key]
            assert abs(a["score"] - b["score"]) <= SCORE_TOLERANCE, f"text {i}: {a} vs {b}"
            assert a["text"] == b["text"]
            compared += 1
        # Same order, except among entities that share a start (upstream orders those by score).
        assert [e["start"] for e in mine if (e["start"], e["end"], e["label"]) in peer_by_key] == [
            e["start"] for e in peer if (e["start"], e["end"], e["label"]) in mine_by_key
        ]
    return compared


def peer_inference(peer, texts: list[str], labels: list, **kwargs) -> list[list[dict]]:
    """`gliner`'s entities of each text, in input order, computed on the texts sorted by length.

    Upstream pads each batch to its longest text and scores every span of it; sorted, a batch holds
    texts of about one length, which saves it ~40% of the time. A text's entities do not depend on its
    batch neighbours (beyond float rounding, well inside the tolerance).
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i].split()))
    found = peer.inference([texts[i] for i in order], [labels[i] for i in order], **kwargs)
    back: list[list[dict]] = [[] for _ in texts]
    for position, i in enumerate(order):
        back[i] = found[position]
    return back


@pytest.fixture(scope="module")
def models_512(peer_checkpoint_512):
    """(ours, theirs) on the 512 peer, each loaded once for the module (inference changes neither)."""
    return GLiNER.from_pretrained(peer_checkpoint_512), gliner.GLiNER.from_pretrained(str(peer_checkpoint_512))


@pytest.fixture(scope="module")
def models_384(peer_checkpoint_384_tuned):
    """(ours, theirs) on the tuned 384 peer, each loaded once for the module."""
    return GLiNER.from_pretrained(peer_checkpoint_384_tuned), gliner.GLiNER.from_pretrained(
        str(peer_checkpoint_384_tuned)
    )


@pytest.fixture(scope="module")
def cases():
    # 152 texts: the 32 edge cases and 120 random ones (232 until the suite grew past its 8-minute goal).
    texts, labels = parity_cases(n_generated=120)
    assert len(texts) >= 150
    return texts, labels


@pytest.mark.parametrize("mode", list(MODES))
def test_parity_random_heads_512_projection_lstm(models_512, cases, mode):
    texts, labels = cases
    ours, theirs = models_512
    expected = peer_inference(theirs, texts, labels, threshold=0.5, batch_size=8, **MODES[mode])
    got = ours.inference(texts, labels, threshold=0.5, batch_size=8, **MODES[mode])
    # Random heads score everything near 0.5: many entities, a hard test of ordering and ties.
    assert assert_same_entities(got, expected, 0.5) > 100


# Every mode at the low threshold (the most entities, the hardest greedy step); flat at the usual one.
@pytest.mark.parametrize(
    ("threshold", "mode"), [(0.15, "flat"), (0.15, "nested"), (0.15, "multi_label"), (0.5, "flat")]
)
def test_parity_fine_tuned_384(models_384, cases, mode, threshold):
    texts, labels = cases
    ours, theirs = models_384
    expected = peer_inference(theirs, texts, labels, threshold=threshold, **MODES[mode])
    got = ours.inference(texts, labels, threshold=threshold, **MODES[mode])
    assert_same_entities(got, expected, threshold)
    if threshold < 0.5:
        assert sum(map(len, expected)) > 100  # the tuned scores spread well away from 0.5


def test_fine_tuned_scores_are_spread(models_384, cases):
    texts, labels = cases
    ours, _ = models_384
    scores = [e["score"] for ents in ours.inference(texts[:60], labels[:60], threshold=0.01) for e in ents]
    assert min(scores) < 0.1 and max(scores) > 0.25


def test_predict_entities_matches_peer_one_text(models_384):
    text = "Zoë Müller moved to São Paulo in 2019 , then joined Siemens ."
    labels = {"person": "person name", "location": "location", "organization": "organization", "date": "date"}
    ours = models_384[0].predict_entities(text, labels, threshold=0.1)
    theirs = models_384[1].predict_entities(text, labels, threshold=0.1)
    assert assert_same_entities([ours], [theirs], 0.1) == len(theirs) > 0
    assert {e["label"] for e in ours} <= set(labels)  # names come back, descriptions stay in the prompt


def test_gliner_loads_what_we_save(models_512, tmp_path, cases):
    texts, labels = cases
    texts, labels = texts[:40], labels[:40]
    ours, _ = models_512
    saved = ours.save_pretrained(tmp_path / "resaved")
    assert (saved / "model.safetensors").is_file() and (saved / CONFIG_FILE).is_file()
    theirs = gliner.GLiNER.from_pretrained(str(saved))
    reloaded = GLiNER.from_pretrained(saved)
    expected = peer_inference(theirs, texts, labels, threshold=0.5)
    assert assert_same_entities(ours.inference(texts, labels, threshold=0.5), expected, 0.5) > 20
    assert reloaded.inference(texts, labels, threshold=0.5) == ours.inference(texts, labels, threshold=0.5)


def test_we_load_gliner_safetensors(models_384, tmp_path, cases):
    texts, labels = cases
    _, theirs = models_384
    theirs.save_pretrained(tmp_path / "safe", safe_serialization=True)
    assert (tmp_path / "safe" / "model.safetensors").is_file()
    ours = GLiNER.from_pretrained(tmp_path / "safe")
    expected = peer_inference(theirs, texts[:60], labels[:60], threshold=0.15)
    assert_same_entities(ours.inference(texts[:60], labels[:60], threshold=0.15), expected, 0.15)
