"""Post-fusion (poly-encoder) checkpoints built by `gliner` 0.2.29 itself, run by both implementations in the
same process: same entities, scores within 1e-5 (the family's tolerance; the issue asked for 1e-4)."""

from __future__ import annotations

import json

import pytest
import torch

from doclinks import GLiNER
from doclinks.ner.config import CheckpointError

from .parity_texts import parity_cases
from .peer_models import build_peer_checkpoint
from .test_parity import MODES, assert_same_entities, peer_inference

gliner = pytest.importorskip("gliner")

# name -> (span_mode, bi_encoder, schema, layers, a threshold well inside the tuned scores). Two schemas, each
# at span and token level; hidden 384: a multiple of MiniLM's 12 heads, which the fusion attention uses.
CHECKPOINTS = {
    "bi-span l2l-l2t-t2t x2": ("markerV0", True, "l2l-l2t-t2t", 2, 0.1),
    "bi-span t2l-l2t": ("markerV0", True, "t2l-l2t", 1, 0.1),
    "bi-token t2l-l2t": ("token_level", True, "t2l-l2t", 1, 0.1),
    "bi-token l2l-l2t-t2t": ("token_level", True, "l2l-l2t-t2t", 1, 0.1),
    "uni-span l2l-l2t (built, never run)": ("markerV0", False, "l2l-l2t", 1, 0.1),
}


@pytest.fixture(scope="session")
def build_post_fusion(tmp_path_factory):
    """name -> (folder, threshold): a checkpoint built by `gliner` (all-MiniLM-L6-v2 as text and labels
    encoder, BiLSTM, the post-fusion layers) whose heads and fusion layers are briefly fine-tuned (encoder
    frozen; 40 steps at 2e-4: at 1e-3 the fused scores all sink under 0.01), once per session."""
    built: dict[str, tuple] = {}

    def build(name: str):
        if name not in built:
            span_mode, bi_encoder, schema, layers, threshold = CHECKPOINTS[name]
            folder = build_peer_checkpoint(
                tmp_path_factory.mktemp("post-fusion"), hidden_size=384, rnn_layers=1, seed=5, fine_tune_steps=40,
                learning_rate=2e-4, embed_ent_token=False, span_mode=span_mode, bi_encoder=bi_encoder,
                post_fusion_schema=schema, num_post_fusion_layers=layers,
            )  # fmt: skip
            built[name] = (folder, threshold)
        return built[name]

    return build


@pytest.fixture(scope="module", params=list(CHECKPOINTS))
def checkpoint(request, build_post_fusion):
    """(name, folder, threshold), for each checkpoint in turn."""
    return (request.param, *build_post_fusion(request.param))


@pytest.fixture(scope="module")
def cases():
    """The hand-written parity texts and 20 generated ones (the family tests take 50: five checkpoints
    here, three modes each, would cost the suite minutes for little more evidence)."""
    return parity_cases(n_generated=20, seed=3)


@pytest.fixture(scope="module")
def both(checkpoint):
    _, folder, threshold = checkpoint
    return GLiNER.from_pretrained(folder), gliner.GLiNER.from_pretrained(str(folder)), threshold


def test_loads_with_its_fusion_layers(checkpoint, both):
    name, _, _ = checkpoint
    ours, theirs, _ = both
    _, bi_encoder, schema, layers, _ = CHECKPOINTS[name]
    assert ours.config.post_fusion_schema == schema and ours.config.runs_post_fusion == bi_encoder
    assert len(ours.network.cross_fuser.layers) == layers == len(theirs.model.cross_fuser.layers)


@pytest.mark.parametrize("mode", list(MODES))
def test_parity(both, cases, mode):
    ours, theirs, threshold = both
    texts, labels = cases
    expected = peer_inference(theirs, texts, labels, threshold=threshold, batch_size=8, **MODES[mode])
    got = ours.inference(texts, labels, threshold=threshold, batch_size=8, **MODES[mode])
    # at least a few entities decided (8 on 42 texts in one whole-suite run; 33 on 82 alone)
    assert assert_same_entities(got, expected, threshold) >= 5


def test_scores_are_spread(both, cases):
    """The fine-tuning spread the scores on both sides of the threshold: parity is tested on real decisions."""
    ours, _, threshold = both
    texts, labels = cases
    scores = [e["score"] for ents in ours.inference(texts[-40:], labels[-40:], threshold=0.01) for e in ents]
    assert min(scores) < threshold / 2 and max(scores) > threshold + 0.3
    assert sum(s > threshold for s in scores) >= 5 and sum(s < threshold for s in scores) >= 5


def test_gliner_loads_what_we_save(both, cases, tmp_path):
    ours, _, threshold = both
    texts, labels = cases
    texts, labels = texts[-20:], labels[-20:]
    saved = ours.save_pretrained(tmp_path / "resaved")
    assert (
        json.loads((saved / "gliner_config.json").read_text())["post_fusion_schema"] == ours.config.post_fusion_schema
    )
    theirs = gliner.GLiNER.from_pretrained(str(saved))
    found = ours.inference(texts, labels, threshold=threshold)
    assert assert_same_entities(found, peer_inference(theirs, texts, labels, threshold=threshold), threshold) > 3
    assert GLiNER.from_pretrained(saved).inference(texts, labels, threshold=threshold) == found


def test_long_text_is_read_in_windows(checkpoint):
    """No text is cut: a text far past the 384-word window finds entities up to its end."""
    _, folder, threshold = checkpoint
    model = GLiNER.from_pretrained(folder)
    sentence = "Anna Smith moved to Paris in 2019 ."
    filler = " ".join(["the city was quiet and the river was wide ."] * 120)  # ~1,200 words
    text = f"{sentence} {filler} {sentence}"
    found = model.predict_entities(text, ["person", "location", "date"], threshold=threshold)
    tail = len(text) - len(sentence)
    assert any(e["start"] < len(sentence) for e in found) and any(e["start"] >= tail for e in found)
    assert all(text[e["start"] : e["end"]] == e["text"] for e in found)


def test_fused_label_scores_depend_on_the_other_labels_and_vectors_are_still_cached(build_post_fusion):
    """With l2l the labels attend to each other: a span's score for "person" moves when other labels join
    (the plain bi-encoder's does not). The labels encoder's vectors are still computed once per label."""
    folder, threshold = build_post_fusion("bi-span l2l-l2t-t2t x2")
    model = GLiNER.from_pretrained(folder)
    text = "Anna Smith moved to Paris in 2019 ."
    alone = {(e["start"], e["end"]): e["score"] for e in model.predict_entities(text, ["person"], threshold=0.01)}
    more = model.predict_entities(text, ["person", "location", "date", "food"], threshold=0.01)
    with_others = {(e["start"], e["end"]): e["score"] for e in more if e["label"] == "person"}
    shared = alone.keys() & with_others.keys()
    # A plain bi-encoder keeps such a score within 1e-5 (test_family_parity); here it moves past that (by
    # ~1e-4 on a saturated 0.9999 score), two orders above float noise (~1e-7).
    assert shared and max(abs(alone[k] - with_others[k]) for k in shared) > 1e-5
    assert len(model.label_vectors) == 4
    model.predict_entities(text, ["date", "person"], threshold=threshold)
    assert len(model.label_vectors) == 4


def test_bad_schema_names_the_setting(build_post_fusion, tmp_path):
    folder, _ = build_post_fusion("bi-token t2l-l2t")
    saved = GLiNER.from_pretrained(folder).save_pretrained(tmp_path / "copy")
    config = json.loads((saved / "gliner_config.json").read_text())
    config["post_fusion_schema"] = "l2l-x2y"
    (saved / "gliner_config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"post_fusion_schema='l2l-x2y'.*unknown step"):
        GLiNER.from_pretrained(saved)


def test_cli_eval_runs_a_post_fusion_model(build_post_fusion, tmp_path, capsys):
    from doclinks import cli

    from .train.helpers import write_toy_data

    folder, threshold = build_post_fusion("bi-span t2l-l2t")
    root = write_toy_data(tmp_path / "data")
    out = tmp_path / "r.json"
    argv = ["eval", "--model", str(folder), "--data", str(root), "--sets", "toy", "--limit", "4",
            "--threshold", str(threshold), "--json", str(out)]  # fmt: skip
    assert cli.main(argv) == 0
    result = json.loads(out.read_text())["sets"]["toy"]
    assert result["sentences"] == 4 and result["tp"] + result["fn"] > 0


def test_cli_train_starts_from_a_uni_encoder_with_fusion_layers_and_keeps_them(build_post_fusion, tmp_path, capsys):
    """`doclinks train` trains span-level uni-encoders; one carrying post-fusion layers (which `gliner` never
    runs in a uni-encoder) trains, and its checkpoints keep the layers, unchanged, for `gliner` to load."""
    from doclinks import cli
    from doclinks.paths import latest_checkpoint

    from .train.helpers import write_toy_data

    folder, _ = build_post_fusion("uni-span l2l-l2t (built, never run)")
    root = write_toy_data(tmp_path / "data")
    run = tmp_path / "run"
    argv = ["train", "--output", str(run), "--init", str(folder), "--data", str(root), "--sets", "gliner-sample",
            "--steps", "2", "--batch-size", "2", "--max-words", "16", "--max-types", "4", "--no-progress"]  # fmt: skip
    assert cli.main(argv) == 0
    assert json.loads(capsys.readouterr().out)["steps_run"] == 2
    trained = GLiNER.from_pretrained(latest_checkpoint(run))
    start = GLiNER.from_pretrained(folder)
    assert trained.config.post_fusion_schema == "l2l-l2t"
    before, after = start.network.cross_fuser.state_dict(), trained.network.cross_fuser.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    head = "span_rep_layer.span_rep_layer.project_start.0.weight"
    assert not torch.equal(start.network.state_dict()[head], trained.network.state_dict()[head])
    assert hasattr(gliner.GLiNER.from_pretrained(str(latest_checkpoint(run))).model, "cross_fuser")


def test_training_a_bi_encoder_with_fusion_is_refused_by_name(build_post_fusion, tmp_path):
    from doclinks.ner.train.config import TrainConfig
    from doclinks.ner.train.trainer import build_trainer

    folder, _ = build_post_fusion("bi-span t2l-l2t")
    with pytest.raises(ValueError, match="bi-span model; training starts from span-level uni-encoders only"):
        build_trainer(TrainConfig(), tmp_path / "run", init=folder, pool={"synthetic": []})
