"""Tiny decoder-encoder GLiNER checkpoints (Llama, Qwen2) built by `gliner` 0.2.29 itself, offline and seeded.

Each encoder is a small random configuration over a tokenizer trained here with the `tokenizers` package on
the test sentences (no download): Llama-like (SentencePiece-style `▁` word starts, a `<s>` before each
row) and Qwen2-like (byte-level BPE, no special tokens around a row). `gliner` builds the model from the
folder (random encoder weights, seeded), adds its markers, fine-tunes the heads briefly and saves it.

How `gliner` gets the bidirectional Llama: it takes `llm2vec`'s `LlamaBiModel` when `llm2vec` imports, and
`llm2vec` 0.2.3 cannot import beside `gliner` 0.2.29 (transformers <= 4.44.2 against >= 4.51.3; see
`doclinks/ner/decoders.py`). `gliner_builds_llama_with` puts doclinks' `BidirectionalLlama` where
`gliner` looks for `LlamaBiModel`, for the build and for the peer's inference; that class is checked
against `llm2vec` 0.2.3 itself, on transformers 4.44.2, by `test_decoder_encoders.py` (through
`llm2vec_encoder_peer.py`, in a venv of its own). Qwen2 needs no stand-in: `llm2vec` 0.2.3's
`Qwen2BiModel` computes what the plain `Qwen2Model` `gliner` builds without `llm2vec` computes (causal).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from doclinks.ner.decoders import BidirectionalLlama

from .parity_texts import parity_cases
from .peer_models import build_peer_checkpoint, synthetic_examples

VOCAB_SIZE = 1200
# Small, but every part of the real models: grouped-query attention (4 heads, 2 key-value heads), 2 layers,
# RMSNorm, rotary positions, a gated MLP; Qwen2's biases on q, k, v.
ENCODER = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
               num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=False)  # fmt: skip


def _corpus() -> list[str]:
    texts, labels = parity_cases(n_generated=200, seed=11)
    label_words = [name for names in labels for name in (names if isinstance(names, list) else list(names.values()))]
    synthetic = [" ".join(x["tokenized_text"]) for x in synthetic_examples(400, seed=1)]
    return texts + label_words + synthetic


def tiny_tokenizer(kind: str):
    """A `PreTrainedTokenizerFast` of `VOCAB_SIZE` ids: "llama" (Metaspace BPE, `<s>` first) or "qwen2"
    (byte-level BPE, nothing added); trained on the test sentences, deterministic."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if kind == "llama":
        specials = ["<unk>", "<s>", "</s>", "<pad>"]
        tok = Tokenizer(models.BPE(unk_token="<unk>"))
        tok.pre_tokenizer, tok.decoder = pre_tokenizers.Metaspace(), decoders.Metaspace()
        trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=specials)
        tok.train_from_iterator(_corpus(), trainer)
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", tok.token_to_id("<s>"))]
        )
        names = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>")
    else:
        specials = ["<|endoftext|>"]
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=VOCAB_SIZE, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        )
        tok.train_from_iterator(_corpus(), trainer)
        names = dict(eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=512, **names)


def write_encoder_folder(kind: str, folder: Path) -> Path:
    """A transformers folder with the tiny config and tokenizer of `kind` ("llama" or "qwen2"), no weights."""
    from transformers import LlamaConfig, Qwen2Config

    tokenizer = tiny_tokenizer(kind)
    ids = dict(pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    if kind == "llama":
        config = LlamaConfig(vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, **ids, **ENCODER)
    else:
        config = Qwen2Config(vocab_size=len(tokenizer), **ids, **ENCODER)
    folder.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@contextmanager
def gliner_builds_llama_with(model_class=BidirectionalLlama):
    """While the block runs, `gliner` builds a Llama encoder with `model_class`, where it would take
    `llm2vec`'s `LlamaBiModel`."""
    from gliner.modeling import encoder

    saved, available = dict(encoder.DECODER_MODEL_MAPPING), encoder.IS_LLM2VEC
    encoder.DECODER_MODEL_MAPPING["LlamaConfig"] = model_class
    encoder.IS_LLM2VEC = True  # the flag `gliner` checks before it takes a class from the mapping
    try:
        yield
    finally:
        encoder.DECODER_MODEL_MAPPING.clear()
        encoder.DECODER_MODEL_MAPPING.update(saved)
        encoder.IS_LLM2VEC = available


def build_decoder_checkpoint(kind: str, directory: Path, *, seed: int = 7, fine_tune_steps: int = 60) -> Path:
    """A span-level uni-encoder GLiNER on a tiny random `kind` encoder, built, tuned and saved by `gliner`."""
    encoder = write_encoder_folder(kind, directory / "encoder")
    with gliner_builds_llama_with():
        return build_peer_checkpoint(
            directory / "gliner", hidden_size=64, rnn_layers=1, seed=seed, fine_tune_steps=fine_tune_steps,
            learning_rate=3e-3, embed_ent_token=False, encoder=encoder,
        )  # fmt: skip


if __name__ == "__main__":  # python -m tests.ner.decoder_peers OUT: both checkpoints, for a look or a benchmark
    import sys

    for name in ("llama", "qwen2"):
        print(build_decoder_checkpoint(name, Path(sys.argv[1]) / name))
