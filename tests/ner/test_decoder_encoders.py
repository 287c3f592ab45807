"""Decoder-only encoders (a tiny Llama, made bidirectional, and a tiny Qwen2) under GLiNER heads, built by
`gliner` 0.2.29 (`decoder_peers.py`): same entities as `gliner`, scores within 1e-5; and doclinks' encoder
gives `llm2vec` 0.2.3's hidden states, run in a venv of its own (`llm2vec_encoder_peer.py`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from doclinks import GLiNER
from doclinks.ner.config import CheckpointError

from .decoder_peers import build_decoder_checkpoint, gliner_builds_llama_with
from .parity_texts import parity_cases
from .test_parity import MODES, assert_same_entities, peer_inference

gliner = pytest.importorskip("gliner")

KINDS = ("llama", "qwen2")
THRESHOLD = 0.3  # the tuned scores spread from ~0.01 to ~0.99
# The venv where `llm2vec` 0.2.3 runs (see llm2vec_encoder_peer.py); the peer test is skipped without it.
LLM2VEC_PYTHON = Path(os.environ.get("DOCLINKS_LLM2VEC_PYTHON", "/work/venv-llm2vec/bin/python"))


@pytest.fixture(scope="session")
def decoder_checkpoint(tmp_path_factory):
    """kind -> folder of a span-level uni-encoder GLiNER on a tiny random `kind` encoder, built once per session."""
    built: dict[str, Path] = {}

    def build(kind: str) -> Path:
        if kind not in built:
            built[kind] = build_decoder_checkpoint(kind, tmp_path_factory.mktemp(kind))
        return built[kind]

    return build


@pytest.fixture(scope="module", params=KINDS)
def both(request, decoder_checkpoint):
    folder = decoder_checkpoint(request.param)
    with gliner_builds_llama_with():
        theirs = gliner.GLiNER.from_pretrained(str(folder))
    return request.param, GLiNER.from_pretrained(folder), theirs


@pytest.fixture(scope="module")
def cases():
    return parity_cases(n_generated=50, seed=3)


def first_token_sees_the_last(model: GLiNER) -> bool:
    """Whether the first token's vector moves when only the last token of the row changes."""
    encoder = model.network.token_rep_layer.bert_layer.model
    ids = torch.tensor([[5, 17, 40, 99, 123, 7]])
    changed = ids.clone()
    changed[0, -1] = 8
    with torch.inference_mode():
        a = encoder(input_ids=ids, attention_mask=torch.ones_like(ids))[0]
        b = encoder(input_ids=changed, attention_mask=torch.ones_like(ids))[0]
    return bool((a[0, 0] - b[0, 0]).abs().max() > 1e-6)


def test_llama_is_bidirectional_and_qwen2_causal_as_llm2vec_runs_them(both):
    kind, ours, theirs = both
    assert ours.config.architecture == "uni-span"
    assert ours.network.token_rep_layer.bert_layer.model.config.model_type == kind
    assert first_token_sees_the_last(ours) == (kind == "llama")
    assert type(theirs.model.token_rep_layer.bert_layer.model).__name__ == (
        "BidirectionalLlama" if kind == "llama" else "Qwen2Model"
    )


@pytest.mark.parametrize("mode", list(MODES))
def test_parity(both, cases, mode):
    _, ours, theirs = both
    texts, labels = cases
    expected = peer_inference(theirs, texts, labels, threshold=THRESHOLD, batch_size=8, **MODES[mode])
    got = ours.inference(texts, labels, threshold=THRESHOLD, batch_size=8, **MODES[mode])
    assert assert_same_entities(got, expected, THRESHOLD) > 100


def test_gliner_loads_what_we_save(both, cases, tmp_path):
    kind, ours, _ = both
    texts, labels = cases
    texts, labels = texts[-30:], labels[-30:]
    saved = ours.save_pretrained(tmp_path / "resaved")
    encoder_config = json.loads((saved / "gliner_config.json").read_text())["encoder_config"]
    assert encoder_config["model_type"] == kind and "is_causal" not in encoder_config
    with gliner_builds_llama_with():
        theirs = gliner.GLiNER.from_pretrained(str(saved))
    found = ours.inference(texts, labels, threshold=THRESHOLD)
    assert assert_same_entities(found, peer_inference(theirs, texts, labels, threshold=THRESHOLD), THRESHOLD) > 20
    reloaded = GLiNER.from_pretrained(saved)
    assert first_token_sees_the_last(reloaded) == (kind == "llama")
    assert reloaded.inference(texts, labels, threshold=THRESHOLD) == found


def test_long_texts_and_many_labels(both):
    """Windows past the 384-word row and label groups past half a row work as for every encoder."""
    _, ours, _ = both
    sentence = "Anna Smith moved to Paris in 2019 ."
    text = f"{sentence} {' '.join(['the city was quiet and the river was wide .'] * 80)} {sentence}"
    found = ours.predict_entities(text, ["person", "location", "date"], threshold=THRESHOLD)
    assert any(e["start"] >= len(text) - len(sentence) for e in found)
    assert all(text[e["start"] : e["end"]] == e["text"] for e in found)
    many = [f"kind {i}" for i in range(150)] + ["person"]
    assert len(ours._prompt_groups(many)) > 1
    assert all(text[e["start"] : e["end"]] == e["text"] for e in ours.predict_entities(text, many, threshold=THRESHOLD))


def test_an_unchecked_decoder_type_is_refused_by_name(decoder_checkpoint, tmp_path):
    saved = GLiNER.from_pretrained(decoder_checkpoint("qwen2")).save_pretrained(tmp_path / "copy")
    config = json.loads((saved / "gliner_config.json").read_text())
    config["encoder_config"]["model_type"] = "mistral"
    (saved / "gliner_config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"encoder_config: a mistral encoder .* not supported"):
        GLiNER.from_pretrained(saved)


@pytest.mark.skipif(
    not LLM2VEC_PYTHON.is_file(), reason=f"no llm2vec venv at {LLM2VEC_PYTHON} (llm2vec_encoder_peer.py)"
)
@pytest.mark.parametrize("kind", KINDS)
def test_encoder_gives_llm2vec_hidden_states(decoder_checkpoint, kind, tmp_path):
    """`llm2vec` 0.2.3's `LlamaBiModel` / `Qwen2BiModel` on transformers 4.44.2, eager and SDPA, against doclinks'
    encoder on transformers 5, on the same weights and padded rows of real prompts and texts."""
    ours = GLiNER.from_pretrained(decoder_checkpoint(kind))
    encoder = ours.network.token_rep_layer.bert_layer.model
    texts = ["<<ENT>> person <<ENT>> location <<SEP>> Anna Smith moved to Paris in 2019 .", "Siemens hired Omar", "Zoë"]
    rows = ours.tokenizer(texts, padding=True, return_tensors="pt")
    assert (rows["attention_mask"] == 0).any()  # padded rows: the mask is tested too
    (tmp_path / "encoder_config.json").write_text(json.dumps(ours.config.encoder_config))
    save_file({k: v.contiguous() for k, v in encoder.state_dict().items()}, str(tmp_path / "encoder.safetensors"))
    save_file({k: rows[k].contiguous() for k in ("input_ids", "attention_mask")}, str(tmp_path / "rows.safetensors"))
    script = Path(__file__).with_name("llm2vec_encoder_peer.py")
    done = subprocess.run(
        [str(LLM2VEC_PYTHON), str(script), str(tmp_path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    versions = json.loads((tmp_path / "peer_versions.json").read_text())
    assert versions["llm2vec"] == "0.2.3" and versions["transformers"] == "4.44.2", versions
    with torch.inference_mode():
        mine = encoder(input_ids=rows["input_ids"], attention_mask=rows["attention_mask"])[0]
    real = rows["attention_mask"].bool()
    for name, theirs in load_file(str(tmp_path / "peer.safetensors")).items():
        assert (mine[real] - theirs[real]).abs().max() < 1e-5, (name, versions, sys.version)
