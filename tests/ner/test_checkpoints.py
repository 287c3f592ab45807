"""Checkpoints: old layouts, clear errors for every broken part, and fresh models that save, export and
load in doclinks and in `gliner`."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from doclinks import GLiNER
from doclinks.ner import CheckpointError
from doclinks.ner.checkpoints import save_checkpoint
from doclinks.ner.merging import export_checkpoint
from doclinks.paths import CONFIG_FILE, packaged_minilm

from .train.helpers import fresh_model

TEXTS = ["Anna Smith moved to Berlin in 2019 .", "Omar Rossi joined Siemens in Tokyo ."]
LABELS = ["person", "location", "organization", "date"]


@pytest.fixture
def checkpoint(peer_checkpoint_384_tuned, tmp_path):
    target = tmp_path / "ckpt"
    shutil.copytree(peer_checkpoint_384_tuned, target)
    return target


def edit_config(folder, **changes):
    path = folder / CONFIG_FILE
    config = json.loads(path.read_text())
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    path.write_text(json.dumps(config))


def test_old_checkpoint_without_tokenizer_or_encoder_config(checkpoint):
    """Like urchade v1/v2: the tokenizer and encoder come from model_name, special tokens are added."""
    gliner = pytest.importorskip("gliner")
    expected = GLiNER.from_pretrained(checkpoint).inference(TEXTS, LABELS, threshold=0.05)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        (checkpoint / name).unlink(missing_ok=True)
    edit_config(checkpoint, encoder_config=None, class_token_index=-1, vocab_size=-1, model_name=str(packaged_minilm()))
    ours = GLiNER.from_pretrained(checkpoint)
    assert ours.config.class_token_index == ours.tokenizer.convert_tokens_to_ids("<<ENT>>")
    got = ours.inference(TEXTS, LABELS, threshold=0.05)
    assert got == expected
    theirs = gliner.GLiNER.from_pretrained(str(checkpoint)).inference(TEXTS, LABELS, threshold=0.05)
    assert [[(e["start"], e["end"], e["label"]) for e in t] for t in theirs] == [
        [(e["start"], e["end"], e["label"]) for e in t] for t in got
    ]


def test_pytorch_bin_corrupt(checkpoint):
    weights = checkpoint / "pytorch_model.bin"
    weights.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match=r"pytorch_model\.bin"):
        GLiNER.from_pretrained(checkpoint)


def test_safetensors_truncated(checkpoint):
    state = torch.load(checkpoint / "pytorch_model.bin", weights_only=True)
    (checkpoint / "pytorch_model.bin").unlink()
    save_file({k: v.contiguous() for k, v in state.items()}, str(checkpoint / "model.safetensors"))
    data = (checkpoint / "model.safetensors").read_bytes()
    (checkpoint / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"model\.safetensors"):
        GLiNER.from_pretrained(checkpoint)


def test_missing_and_unexpected_weights_are_listed(checkpoint):
    state = torch.load(checkpoint / "pytorch_model.bin", weights_only=True)
    del state["prompt_rep_layer.0.bias"]
    state["extra.weight"] = torch.zeros(2)
    torch.save(state, checkpoint / "pytorch_model.bin")
    with pytest.raises(
        CheckpointError, match=r"missing weights: prompt_rep_layer\.0\.bias.*unexpected weights: extra\.weight"
    ):
        GLiNER.from_pretrained(checkpoint)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused(checkpoint, value):
    state = torch.load(checkpoint / "pytorch_model.bin", weights_only=True)
    for key in state:
        if state[key].is_floating_point():
            state[key] = torch.full_like(state[key], value)
    torch.save(state, checkpoint / "pytorch_model.bin")
    with pytest.raises(CheckpointError, match=r"non-finite \(NaN or infinite\) values in \d+ weights"):
        GLiNER.from_pretrained(checkpoint)


def test_no_weights_file(checkpoint):
    (checkpoint / "pytorch_model.bin").unlink()
    with pytest.raises(CheckpointError, match="No weights"):
        GLiNER.from_pretrained(checkpoint)


@pytest.mark.parametrize(
    "changes, named",
    [
        ({"span_mode": "markerV1"}, "span_mode='markerV1'"),
        ({"span_mode": "token_level", "represent_spans": True}, "represent_spans"),
        ({"labels_encoder": 42}, "labels_encoder=42"),
        ({"labels_encoder_config": {"model_type": "bert"}}, "labels_encoder_config"),
        ({"post_fusion_schema": "l2l-t2x"}, r"post_fusion_schema=.l2l-t2x.*unknown step"),
        ({"post_fusion_schema": "l2l", "num_post_fusion_layers": -1}, "num_post_fusion_layers=-1"),
        ({"relations_layer": "biaffine"}, "relations_layer"),
        ({"labels_decoder": "gpt2"}, "labels_decoder"),
        ({"max_width": 0}, "max_width=0"),
        ({"subtoken_pooling": "mean"}, "subtoken_pooling"),
        # Values of the wrong type: they used to load and then run wrong ("false" is true) or find nothing.
        ({"dropout": "0.1"}, "dropout='0.1'"),
        ({"embed_ent_token": "false"}, "embed_ent_token='false'"),
        ({"num_rnn_layers": True}, "num_rnn_layers=True"),
        ({"class_token_index": "30523"}, "class_token_index='30523'"),
        ({"max_types": 2.5}, "max_types=2.5"),
    ],
)
def test_config_with_unsupported_or_unknown_values(checkpoint, changes, named):
    edit_config(checkpoint, **changes)
    with pytest.raises(CheckpointError, match=named):
        GLiNER.from_pretrained(checkpoint)


def test_config_not_json(checkpoint):
    (checkpoint / CONFIG_FILE).write_text("{not json")
    with pytest.raises(CheckpointError, match=CONFIG_FILE):
        GLiNER.from_pretrained(checkpoint)


def test_unknown_encoder_type(checkpoint):
    config = json.loads((checkpoint / CONFIG_FILE).read_text())
    config["encoder_config"]["model_type"] = "no-such-architecture"
    (checkpoint / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="no-such-architecture"):
        GLiNER.from_pretrained(checkpoint)


def test_tokenizer_without_special_tokens(checkpoint):
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(f"{packaged_minilm()}/{name}", checkpoint / name)
    with pytest.raises(CheckpointError, match="<<ENT>>"):
        GLiNER.from_pretrained(checkpoint)


def test_not_a_checkpoint_folder(tmp_path):
    with pytest.raises(CheckpointError, match=CONFIG_FILE):
        GLiNER.from_pretrained(tmp_path)


def test_missing_local_path():
    with pytest.raises(FileNotFoundError, match="No checkpoint folder"):
        GLiNER.from_pretrained("./no/such/folder")


def test_hub_id_offline_says_what_to_download():
    with pytest.raises(FileNotFoundError, match=r"huggingface-cli download urchade/gliner_medium-v2\.1"):
        GLiNER.from_pretrained("urchade/gliner_medium-v2.1", local_files_only=True)


def test_dtype_and_save_roundtrip(checkpoint, tmp_path):
    half = GLiNER.from_pretrained(checkpoint, dtype="bf16")
    assert next(half.network.parameters()).dtype == torch.bfloat16
    half.predict_entities(TEXTS[0], LABELS, threshold=0.05)  # runs
    with pytest.raises(ValueError, match="dtype"):
        GLiNER.from_pretrained(checkpoint, dtype="int3")
    saved = GLiNER.from_pretrained(checkpoint).save_pretrained(tmp_path / "out")
    assert set(load_file(str(saved / "model.safetensors"))) == set(
        torch.load(checkpoint / "pytorch_model.bin", weights_only=True)
    )


def test_interpolated_weights_lie_between_base_and_tuned(checkpoint, tmp_path):
    from doclinks.ner.checkpoints import load_checkpoint
    from doclinks.ner.merging import interpolate_checkpoints

    tuned = tmp_path / "tuned"
    shutil.copytree(checkpoint, tuned)
    state = torch.load(tuned / "pytorch_model.bin", weights_only=True)
    shifted = {k: v + 1.0 if v.is_floating_point() else v for k, v in state.items()}
    torch.save(shifted, tuned / "pytorch_model.bin")
    out = interpolate_checkpoints(checkpoint, tuned, tmp_path / "mix", weight=0.25)
    _, _, network = load_checkpoint(out)
    _, _, base = load_checkpoint(checkpoint)
    base_state = base.state_dict()
    for name, value in network.state_dict().items():
        if value.is_floating_point():
            torch.testing.assert_close(value, base_state[name] + 0.25)
    # weight 0 is the base model: same entities, same scores
    same = interpolate_checkpoints(checkpoint, tuned, tmp_path / "zero", weight=0.0)
    assert GLiNER.from_pretrained(same).predict_entities(TEXTS[0], LABELS, threshold=0.1) == GLiNER.from_pretrained(
        checkpoint
    ).predict_entities(TEXTS[0], LABELS, threshold=0.1)
    with pytest.raises(ValueError, match=r"weight must be in \[0, 1\]"):
        interpolate_checkpoints(checkpoint, tuned, tmp_path / "bad", weight=1.5)


def test_interpolation_weights_by_parameter_prefix(checkpoint, tmp_path):
    from doclinks.ner.checkpoints import load_checkpoint
    from doclinks.ner.merging import interpolate_checkpoints

    tuned = tmp_path / "tuned"
    shutil.copytree(checkpoint, tuned)
    state = torch.load(tuned / "pytorch_model.bin", weights_only=True)
    torch.save({k: v + 1.0 if v.is_floating_point() else v for k, v in state.items()}, tuned / "pytorch_model.bin")
    embeddings, layers = (
        "token_rep_layer.bert_layer.model.embeddings.",
        "token_rep_layer.bert_layer.model.encoder.layer.",
    )
    prefixes = {embeddings: 0.0, layers: 1.0, layers + "0.": 0.5}  # the longest matching prefix wins
    out = interpolate_checkpoints(checkpoint, tuned, tmp_path / "mix", weight=0.25, weight_by_prefix=prefixes)
    base_state = load_checkpoint(checkpoint)[2].state_dict()
    seen = set()
    for name, value in load_checkpoint(out)[2].state_dict().items():
        if not value.is_floating_point():
            continue
        shift = 0.0 if name.startswith(embeddings) else 0.5 if name.startswith(layers + "0.") else 1.0 if (
            name.startswith(layers)) else 0.25  # fmt: skip
        torch.testing.assert_close(value, base_state[name] + shift)
        seen.add(shift)
    assert seen == {0.0, 0.5, 1.0, 0.25}
    with pytest.raises(ValueError, match=r"no parameter name starts with 'decoder\.'"):
        interpolate_checkpoints(checkpoint, tuned, tmp_path / "bad", weight_by_prefix={"decoder.": 0.5})
    with pytest.raises(ValueError, match=r"weight must be in \[0, 1\]"):
        interpolate_checkpoints(checkpoint, tuned, tmp_path / "bad", weight_by_prefix={embeddings: -0.1})


def test_fresh_model_size_and_round_trip(tmp_path):
    config, tokenizer, network = fresh_model()
    assert config.max_width == 12 and config.num_rnn_layers == 1 and config.class_token_index == len(tokenizer) - 2
    assert sum(p.numel() for p in network.parameters()) * 2 <= 60e6  # fits 60 MB in fp16
    folder = save_checkpoint(tmp_path / "fresh", config, tokenizer, network)
    network.eval()
    ours = GLiNER(config, tokenizer, network)
    loaded = GLiNER.from_pretrained(folder)
    text, labels = "Anna Smith moved from Paris to Siemens in Berlin .", ["person", "city", "company"]
    expected = ours.predict_entities(text, labels, threshold=0.3)
    assert loaded.predict_entities(text, labels, threshold=0.3) == expected
    # fp16 export: half the bytes, same predictions to fp16 rounding.
    half = export_checkpoint(folder, tmp_path / "half")
    assert (half / "model.safetensors").stat().st_size < 0.55 * (folder / "model.safetensors").stat().st_size
    got = GLiNER.from_pretrained(half).predict_entities(text, labels, threshold=0.3)
    assert [(e["start"], e["end"], e["label"]) for e in got][:3] == [
        (e["start"], e["end"], e["label"]) for e in expected
    ][:3]


@pytest.mark.parametrize("embed_ent_token", [True, False])
def test_fresh_model_loads_in_gliner(tmp_path, embed_ent_token):
    from gliner import GLiNER as PeerGLiNER

    config, tokenizer, network = fresh_model()
    config.embed_ent_token = embed_ent_token  # label vectors from the marker, or from the label's first token
    folder = save_checkpoint(tmp_path / "fresh", config, tokenizer, network)
    network.eval()
    text, labels = "Anna Smith moved from Paris to Siemens in Berlin .", ["person", "city", "company"]
    ours = GLiNER(config, tokenizer, network).predict_entities(text, labels, threshold=0.3)
    peer = PeerGLiNER.from_pretrained(str(folder), local_files_only=True)
    theirs = peer.predict_entities(text, labels, threshold=0.3)
    assert [(e["start"], e["end"], e["label"]) for e in theirs] == [(e["start"], e["end"], e["label"]) for e in ours]
    assert [e["score"] for e in theirs] == pytest.approx([e["score"] for e in ours], abs=1e-4)
