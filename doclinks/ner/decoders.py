"""Decoder-only LLMs as GLiNER encoders (knowledgator's gliner-llama-*, gliner-qwen-*), on plain `transformers`.

`gliner` 0.2.29 builds a checkpoint whose `encoder_config` is a Llama, Qwen2, Mistral or Gemma config with
the `llm2vec` package's models (`LlamaBiModel`, `Qwen2BiModel`, ...), which drop the causal mask. `llm2vec`
0.2.3 (its latest) pins transformers <= 4.44.2, and `gliner` 0.2.29 needs >= 4.51.3 (it imports
`ModernBertConfig`): the two cannot run in one environment, and `llm2vec` cannot import under transformers 5
(`LlamaFlashAttention2` is gone). doclinks does what those models compute in a few lines on the
transformers it has, checked against `llm2vec` 0.2.3 run on transformers 4.44.2
(`tests/ner/llm2vec_encoder_peer.py`), on the same weights and token rows:

- Llama (`LlamaBiModel`): every token attends to every non-padding token, positions 0, 1, ... from the
  row's first token; `BidirectionalLlama` below sets the configuration switch transformers 5 reads
  (`is_causal=False`: a padding-only mask) and clears each attention layer's `is_causal` flag (without
  it, a row with no padding would take SDPA's causal path).
- Qwen2 (`Qwen2BiModel`): in `llm2vec` 0.2.3 it replaces the attention layers but not the model's mask
  builder, so its attention stays causal (measured: the first token's vector does not change with the
  last token). A checkpoint trained through it learned causal attention, and doclinks runs it so: the
  plain `Qwen2Model` with the padding mask gives `llm2vec`'s numbers.
- Mistral and Gemma: not checked against `llm2vec` here, so refused by name.

The parameter names are those of `LlamaModel` / `Qwen2Model`, as `llm2vec`'s subclasses keep them, so a
checkpoint loads unchanged. Words are pooled from their first sub-token, like any other encoder.
"""

from __future__ import annotations

from transformers import LlamaConfig, LlamaModel

from .config import CONFIG_FILE, CheckpointError

BIDIRECTIONAL = ("llama",)  # model types run with every token seeing every token
CAUSAL_AS_LLM2VEC = ("qwen2",)  # model types `llm2vec` 0.2.3 leaves causal
REFUSED = ("mistral", "gemma")  # decoder types `gliner` maps to `llm2vec` that doclinks has not checked


class BidirectionalLlama(LlamaModel):
    """`LlamaModel` with attention over the whole row (padding masked), as `llm2vec`'s `LlamaBiModel`."""

    def __init__(self, config: LlamaConfig):
        super().__init__(config)
        make_bidirectional(self)


def make_bidirectional(model) -> None:
    """Turn the causal mask of a transformers 5 decoder off: the config switch and each layer's flag."""
    model.config.is_causal = False
    for module in model.modules():
        if hasattr(module, "is_causal"):
            module.is_causal = False


def decoder_kind(model_type: str | None) -> str | None:
    """ "bidirectional", "causal" or None (an encoder-only model); ValueError for a decoder type doclinks refuses."""
    if model_type in BIDIRECTIONAL:
        return "bidirectional"
    if model_type in CAUSAL_AS_LLM2VEC:
        return "causal"
    if model_type in REFUSED:
        raise ValueError(
            f"a {model_type} encoder (which gliner reads through llm2vec) is not supported: doclinks runs Llama "
            "(bidirectional) and Qwen2 decoder encoders only"
        )
    return None


def build_encoder(encoder_config, key: str = "encoder_config"):
    """An untrained transformers model of `encoder_config`, bidirectional where `llm2vec` makes it so; a
    refused decoder type is a `CheckpointError` naming the config `key` it came from."""
    from transformers import AutoModel

    try:
        kind = decoder_kind(getattr(encoder_config, "model_type", None))
    except ValueError as exc:
        raise CheckpointError(f"{CONFIG_FILE}: {key}: {exc}") from exc
    model = AutoModel.from_config(encoder_config)
    if kind == "bidirectional":
        make_bidirectional(model)
    return model


def saved_config(model) -> dict:
    """The encoder's config as a dict for `gliner_config.json`, without the switch `make_bidirectional`
    set (the file stays as `gliner` writes it; the model type says how to run it)."""
    values = model.config.to_dict()
    if decoder_kind(values.get("model_type")) == "bidirectional":
        values.pop("is_causal", None)
    return values
