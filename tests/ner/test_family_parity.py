"""The GLiNER family beyond the span uni-encoder: token-level and bi-encoder checkpoints built by `gliner`
0.2.29 itself, run by both implementations in the same process: same entities, scores within 1e-5."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from doclinks import GLiNER
from doclinks.ner.checkpoints import LABELS_TOKENIZER_DIR
from doclinks.ner.config import CheckpointError

from .parity_texts import LABEL_POOL, parity_cases
from .peer_models import build_peer_checkpoint
from .test_parity import MODES, assert_same_entities, peer_inference

gliner = pytest.importorskip("gliner")

# (span_mode, bi_encoder, hidden_size, fine-tuning steps, a threshold well inside the tuned scores)
ARCHITECTURES = {
    "uni-token": ("token_level", False, 384, 50, 0.2),
    "bi-span": ("markerV0", True, 512, 30, 0.4),  # hidden 512: both encoders' outputs are projected
    "bi-token": ("token_level", True, 384, 40, 0.3),
}


@pytest.fixture(scope="module")
def build_family(tmp_path_factory):
    """architecture -> (folder, threshold): a small checkpoint of that architecture, built and briefly
    fine-tuned (heads only; all-MiniLM-L6-v2 as text and labels encoder, BiLSTM included) by `gliner`,
    once per module."""
    built: dict[str, tuple] = {}

    def build(architecture: str):
        if architecture not in built:
            span_mode, bi_encoder, hidden, steps, threshold = ARCHITECTURES[architecture]
            folder = build_peer_checkpoint(
                tmp_path_factory.mktemp(architecture), hidden_size=hidden, rnn_layers=1, seed=5,
                fine_tune_steps=steps, embed_ent_token=False, span_mode=span_mode, bi_encoder=bi_encoder,
            )  # fmt: skip
            built[architecture] = (folder, threshold)
        return built[architecture]

    return build


@pytest.fixture(scope="module", params=list(ARCHITECTURES))
def family_checkpoint(request, build_family):
    """(architecture, folder, threshold), for each architecture in turn."""
    return (request.param, *build_family(request.param))


@pytest.fixture(scope="module")
def cases():
    texts, labels = parity_cases(n_generated=50, seed=3)
    return texts, labels


@pytest.fixture(scope="module")
def both(family_checkpoint):
    _, folder, threshold = family_checkpoint
    return GLiNER.from_pretrained(folder), gliner.GLiNER.from_pretrained(str(folder)), threshold


def test_loads_as_its_architecture(family_checkpoint, both):
    ours, _, _ = both
    assert ours.config.architecture == family_checkpoint[0]


@pytest.mark.parametrize("mode", list(MODES))
def test_parity(both, cases, mode):
    ours, theirs, threshold = both
    texts, labels = cases
    expected = peer_inference(theirs, texts, labels, threshold=threshold, batch_size=8, **MODES[mode])
    got = ours.inference(texts, labels, threshold=threshold, batch_size=8, **MODES[mode])
    assert assert_same_entities(got, expected, threshold) > 40


def test_scores_are_spread(both, cases):
    """The brief fine-tuning spread the scores on both sides of the architecture's parity threshold: parity
    is tested on real decisions. (Relative to that threshold, not fixed numbers: how far a model fine-tuned
    during the run spreads its scores is its own opinion.)"""
    ours, _, threshold = both
    texts, labels = cases
    scores = [e["score"] for ents in ours.inference(texts[-40:], labels[-40:], threshold=0.05) for e in ents]
    assert min(scores) < threshold / 2 and max(scores) > threshold + 0.1
    assert sum(s > threshold for s in scores) >= 5 and sum(s < threshold for s in scores) >= 5


def test_gliner_loads_what_we_save(both, cases, tmp_path):
    ours, _, threshold = both
    texts, labels = cases
    texts, labels = texts[-30:], labels[-30:]
    saved = ours.save_pretrained(tmp_path / "resaved")
    assert (saved / LABELS_TOKENIZER_DIR).is_dir() == ours.config.bi_encoder
    theirs = gliner.GLiNER.from_pretrained(str(saved))
    assert type(theirs).__name__.startswith("BiEncoder" if ours.config.bi_encoder else "UniEncoder")
    found = ours.inference(texts, labels, threshold=threshold)
    assert assert_same_entities(found, peer_inference(theirs, texts, labels, threshold=threshold), threshold) > 10
    assert GLiNER.from_pretrained(saved).inference(texts, labels, threshold=threshold) == found


def count_encoder_rows(model: GLiNER) -> list[int]:
    """Rows the text encoder reads, appended to as the model runs (a forward hook on the real encoder)."""
    rows: list[int] = []
    encoder = model.network.token_rep_layer.bert_layer.model
    encoder.register_forward_hook(
        lambda module, args, kwargs, output: rows.append(
            int(kwargs.get("input_ids", kwargs.get("inputs_embeds")).shape[0])
        ),
        with_kwargs=True,
    )
    return rows


@pytest.mark.parametrize("architecture", ["bi-span", "bi-token"])
def test_bi_encoder_label_vectors_are_computed_once_and_labels_cost_no_text_rows(build_family, architecture):
    folder, threshold = build_family(architecture)
    model = GLiNER.from_pretrained(folder)
    rows = count_encoder_rows(model)
    texts = ["Anna Smith moved to Paris in 2019 .", "Siemens hired Omar Okafor in Tokyo ."]
    few = model.inference(texts, ["person", "location"], threshold=threshold)
    assert len(model.label_vectors) == 2 and sum(rows) == 2
    labels_500 = ["person", "location", *[f"{name} {i}" for i in range(249) for name in ("kind", "type")]][:500]
    many = model.inference(texts, labels_500, threshold=threshold)
    assert sum(rows) == 4  # 500 labels: still one row per text, no label groups
    assert len(model.label_vectors) == 500
    # A bi-encoder scores each label on its own: a span's score for "person" does not move with 498 more
    # labels around it (a uni-encoder's does: the labels share the row).
    scores_few = {(i, e["start"], e["end"], e["label"]): e["score"] for i, ents in enumerate(few) for e in ents}
    scores_many = {(i, e["start"], e["end"], e["label"]): e["score"] for i, ents in enumerate(many) for e in ents}
    for key in scores_few.keys() & scores_many.keys():
        assert abs(scores_few[key] - scores_many[key]) < 1e-5
    encoded = len(model.label_vectors)
    model.inference(texts, labels_500[::-1], threshold=threshold)
    assert len(model.label_vectors) == encoded  # reused, not encoded again
    # A cached vector is the one a fresh encoding gives (batch neighbours change only float rounding).
    cached = model.label_vectors.vectors(["person"])
    model.label_vectors.clear()
    assert torch.allclose(model.label_vectors.vectors(["person"]), cached, atol=1e-6)


def test_uni_encoder_labels_cost_rows(build_family):
    """The contrast: a uni-encoder's many labels are read in groups, each one more row per text."""
    folder, threshold = build_family("uni-token")
    model = GLiNER.from_pretrained(folder)
    rows = count_encoder_rows(model)
    labels_200 = [f"{name} {i}" for i in range(10) for name in LABEL_POOL][:200]
    model.inference(["Anna Smith moved to Paris in 2019 ."], labels_200, threshold=threshold)
    assert sum(rows) > 1


def test_long_text_is_read_in_windows(family_checkpoint):
    """No text is cut: a text far past the 384-word window finds entities up to its end."""
    _, folder, threshold = family_checkpoint
    model = GLiNER.from_pretrained(folder)
    sentence = "Anna Smith moved to Paris in 2019 ."
    filler = " ".join(["the city was quiet and the river was wide ."] * 120)  # ~1,200 words
    text = f"{sentence} {filler} {sentence}"
    alone = model.predict_entities(sentence, ["person", "location", "date"], threshold=threshold)
    found = model.predict_entities(text, ["person", "location", "date"], threshold=threshold)
    assert alone, "the tuned model finds something in the sentence"
    tail = len(text) - len(sentence)
    assert any(e["start"] >= tail for e in found), "entities found in the last window too"
    assert all(text[e["start"] : e["end"]] == e["text"] for e in found)


def test_bi_encoder_without_its_labels_tokenizer_names_the_setting(build_family, tmp_path):
    folder, _ = build_family("bi-token")
    model = GLiNER.from_pretrained(folder)
    saved = model.save_pretrained(tmp_path / "copy")
    shutil.rmtree(saved / LABELS_TOKENIZER_DIR)
    config = json.loads((saved / "gliner_config.json").read_text())
    config["labels_encoder"] = str(tmp_path / "no-such-encoder")
    (saved / "gliner_config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="labels tokenizer"):
        GLiNER.from_pretrained(saved)


def test_training_refuses_to_start_from_another_architecture(build_family, tmp_path):
    from doclinks.ner.train.config import TrainConfig
    from doclinks.ner.train.trainer import build_trainer

    folder, _ = build_family("bi-token")
    with pytest.raises(ValueError, match="bi-token model; training starts from span-level uni-encoders only"):
        build_trainer(TrainConfig(), tmp_path / "run", init=folder, pool={"synthetic": []})


@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_link_extractor_runs_every_architecture(build_family, architecture):
    """`GLiNERLinkExtractor(model=folder)` links on whatever a checkpoint of each architecture finds,
    exactly the entities the model gives (at the extractor's threshold, best score per tag)."""
    from doclinks.links import GLiNERLinkExtractor

    folder, threshold = build_family(architecture)
    extractor = GLiNERLinkExtractor(
        ["person", "location"], model=str(folder), extract_kwargs={"threshold": threshold}, min_link_score=None,
        normalize=False, respect_boundaries=False,
    )  # fmt: skip
    text = "Anna Smith moved to Paris in 2019 , then Omar Okafor visited Tokyo ."
    links = extractor.extract_one(text)
    entities = GLiNER.from_pretrained(folder).predict_entities(text, ["person", "location"], threshold=threshold)
    assert entities and {(link.kind, link.tag) for link in links} == {
        (f"entity:{e['label']}", e["text"]) for e in entities
    }


def test_ingest_command_takes_a_bi_encoder(build_family, tmp_path):
    from tests.cli.conftest import run_cli, write_corpus

    folder, threshold = build_family("bi-token")
    corpus = write_corpus(
        tmp_path,
        {"notes/a.txt": "Anna Smith moved to Paris in 2019 .\n", "notes/b.txt": "Omar Okafor visited Paris .\n"},
    )
    done = run_cli("ingest", "notes", "--labels", "person,location", "--db", corpus / "graph.db", "--model", folder,
                   "--threshold", str(threshold), "--no-progress", cwd=corpus)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 chunks" in done.stdout or "2 new" in done.stdout, done.stdout


def test_subnormals_flush_during_the_forward_pass_only():
    from doclinks.ner.gliner import flushed_denormals

    tiny = torch.tensor([1e-39])  # subnormal in float32
    supported = torch.set_flush_denormal(False)  # False on CPUs without the flag (then nothing flushes)
    with flushed_denormals(True):
        assert (float(tiny * 1.0) == 0.0) == supported
    assert float(tiny * 1.0) > 0.0  # PyTorch's default is back
    with flushed_denormals(False):
        assert float(tiny * 1.0) > 0.0
