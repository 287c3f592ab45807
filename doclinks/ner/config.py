"""The GLiNER checkpoint configuration (`gliner_config.json`), read and written in the `gliner` 0.2.x format.

Four architectures of the family are supported (`GLiNERConfig.architecture`):

- ``uni-span``: span-level uni-encoder (`span_mode="markerV0"`, the urchade v1/v2/v2.1 checkpoints);
- ``uni-token``: token-level uni-encoder (`span_mode="token_level"`, NuNER Zero);
- ``bi-span`` and ``bi-token``: the same heads with a separate labels encoder (`labels_encoder`, a
  sentence transformer that reads each entity type on its own: knowledgator's gliner-bi-*, ModernGLiNER);
  with `post_fusion_schema` (knowledgator's gliner-poly-*) the label and word vectors then attend to each
  other before scoring (`fusion.CrossFuser`).

Anything else (relation, label-generating, streaming models, span representations on token models, ...)
is refused with an error that names the setting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import CONFIG_FILE

SPECIAL_TOKENS = ("[FLERT]",)  # upstream adds [FLERT] first, then the ENT and SEP markers
# On disk a model with the word-shape feature names this span mode: `gliner` builds its span layer from
# `span_mode` and refuses an unknown one ("Unknown span mode ..."), instead of loading the checkpoint
# with the shape weights silently dropped (its weight loading is not strict).
WORD_SHAPE_SPAN_MODE = "markerV0+word_shape"
TOKEN_LEVEL = "token_level"
ARCHITECTURES = ("uni-span", "uni-token", "bi-span", "bi-token")
FUSION_STEPS = ("l2l", "t2t", "l2t", "t2l")  # the steps of a post-fusion schema (`fusion.CrossFuser`)


class CheckpointError(ValueError):
    """A checkpoint (config, weights or tokenizer) that cannot be used; the message names the file."""


@dataclass
class GLiNERConfig:
    """Settings of a GLiNER model (span- or token-level, uni- or bi-encoder: `architecture`).

    Field names and defaults are those of `gliner.GLiNERConfig`, so a config saved by either package loads
    in the other. Keys we do not use are kept in `extra` and written back unchanged.
    """

    model_name: str = "microsoft/deberta-v3-small"
    max_width: int = 12  # longest span, in words
    hidden_size: int = 512  # width of the span and label vectors
    dropout: float = 0.4
    span_mode: str = "markerV0"
    max_len: int = 384  # most words the model reads at once
    num_rnn_layers: int = 1  # BiLSTM over word vectors; 0: none
    class_token_index: int = -1  # token id of ent_token; -1: not yet added to the tokenizer
    vocab_size: int = -1
    embed_ent_token: bool = True  # label vector from the <<ENT>> token (else from the token after it)
    ent_token: str = "<<ENT>>"
    sep_token: str = "<<SEP>>"
    subtoken_pooling: str = "first"
    words_splitter_type: str = "whitespace"
    max_types: int = 25
    max_neg_type_ratio: int = 1
    word_shape: bool = False  # doclinks only: a learned word-shape vector added to each token's input
    encoder_config: dict | None = None
    labels_encoder: str | None = None  # bi-encoders: the labels encoder's hub id or folder (its tokenizer's source)
    labels_encoder_config: dict | None = None  # bi-encoders: the labels encoder's transformers config
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict, source: str = CONFIG_FILE) -> GLiNERConfig:
        """Build and validate a config from a `gliner_config.json` dictionary; `source` names it in errors."""
        if not isinstance(data, dict):
            raise CheckpointError(f"{source}: expected a JSON object, got {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__ if f not in ("extra", "word_shape")}
        kwargs = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known}
        if kwargs.get("span_mode") == WORD_SHAPE_SPAN_MODE:
            kwargs["span_mode"], kwargs["word_shape"] = "markerV0", True
        config = cls(**kwargs, extra=extra)
        config.validate(source)
        return config

    @classmethod
    def from_file(cls, path: str | Path) -> GLiNERConfig:
        """Read `gliner_config.json` (or the given file)."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CheckpointError(f"{path}: not valid JSON ({exc})") from exc
        return cls.from_dict(data, source=str(path))

    def to_dict(self) -> dict:
        """The `gliner_config.json` dictionary (unused upstream keys included)."""
        data = dict(self.extra)
        for name in self.__dataclass_fields__:
            if name in ("extra", "word_shape"):
                continue
            if name.startswith("labels_encoder") and getattr(self, name) is None:
                continue  # uni-encoders: keep the file as it was (upstream's uni configs lack these keys)
            data[name] = getattr(self, name)
        if self.word_shape:
            data["span_mode"] = WORD_SHAPE_SPAN_MODE
        return data

    def save(self, directory: str | Path) -> None:
        """Write `gliner_config.json` into `directory`."""
        Path(directory, CONFIG_FILE).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    def validate(self, source: str = CONFIG_FILE) -> None:
        """Refuse settings this implementation does not run, naming the key and its value."""

        def refuse(key: str, value: Any, why: str) -> None:
            raise CheckpointError(f"{source}: {key}={value!r} is not supported: {why}")

        extra = self.extra
        if extra.get("model_type") == "gliner_streaming_span":
            refuse("model_type", "gliner_streaming_span", "streaming models are out of scope")
        if extra.get("relations_layer") is not None:
            refuse("relations_layer", extra["relations_layer"], "relation-extraction models are out of scope")
        if extra.get("labels_decoder") is not None:
            refuse("labels_decoder", extra["labels_decoder"], "label-generating models are out of scope")
        if self.span_mode not in ("markerV0", TOKEN_LEVEL):
            refuse(
                "span_mode", self.span_mode, f"only span_mode 'markerV0' (span-level) and {TOKEN_LEVEL!r} are supported"
            )
        if extra.get("represent_spans"):
            refuse("represent_spans", extra["represent_spans"], "token-level models with a span head are out of scope")
        if self.labels_encoder is not None and (not isinstance(self.labels_encoder, str) or not self.labels_encoder):
            refuse("labels_encoder", self.labels_encoder, "expected a hub id or a folder path")
        if self.labels_encoder_config is not None and not isinstance(self.labels_encoder_config, dict):
            refuse("labels_encoder_config", self.labels_encoder_config, "expected an object")
        if self.labels_encoder_config is not None and self.labels_encoder is None:
            refuse("labels_encoder_config", "{...}", "set without labels_encoder")
        if self.word_shape and self.architecture != "uni-span":
            refuse("span_mode", WORD_SHAPE_SPAN_MODE, "the word-shape feature exists for span-level uni-encoders only")
        schema = extra.get("post_fusion_schema")
        if schema is not None and schema != "":
            if not isinstance(schema, str):
                refuse("post_fusion_schema", schema, f"expected steps of {', '.join(FUSION_STEPS)} joined by '-'")
            unknown = [step for step in schema.split("-") if step not in FUSION_STEPS]
            if unknown:
                refuse(
                    "post_fusion_schema", schema, f"unknown step(s) {unknown}; the steps are {', '.join(FUSION_STEPS)}"
                )
        layers = extra.get("num_post_fusion_layers", 1)
        if not isinstance(layers, int) or isinstance(layers, bool) or layers < 0:
            refuse("num_post_fusion_layers", layers, "expected an integer >= 0")
        if extra.get("fuse_layers"):
            refuse("fuse_layers", extra["fuse_layers"], "layer fusion is out of scope")
        if extra.get("span_encoder_config") is not None:
            refuse("span_encoder_config", extra["span_encoder_config"], "span context encoders are out of scope")
        if extra.get("precomputed_prompts_mode"):
            refuse(
                "precomputed_prompts_mode", extra["precomputed_prompts_mode"], "precomputed prompts are out of scope"
            )
        if self.subtoken_pooling != "first":
            refuse("subtoken_pooling", self.subtoken_pooling, "only 'first' is supported")
        if self.words_splitter_type != "whitespace":
            refuse("words_splitter_type", self.words_splitter_type, "only 'whitespace' is supported")
        for key in ("max_width", "hidden_size", "max_len"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                refuse(key, value, "expected a positive integer")
        if not isinstance(self.num_rnn_layers, int) or isinstance(self.num_rnn_layers, bool) or self.num_rnn_layers < 0:
            refuse("num_rnn_layers", self.num_rnn_layers, "expected an integer >= 0")
        # Types of the other settings the network reads: a string "0.1" or "false" would load and run
        # silently wrong ("false" is true), so refuse it here, naming the key.
        for key in ("class_token_index", "vocab_size", "max_types", "max_neg_type_ratio"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool):
                refuse(key, value, "expected an integer")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            refuse("dropout", self.dropout, "expected a number in [0, 1)")
        if not isinstance(self.word_shape, bool):
            refuse("word_shape", self.word_shape, "expected true or false")
        if not isinstance(self.embed_ent_token, bool):
            refuse("embed_ent_token", self.embed_ent_token, "expected true or false")
        if not isinstance(self.model_name, str) or not self.model_name:
            refuse("model_name", self.model_name, "expected a non-empty string")
        if self.hidden_size % 2 and self.num_rnn_layers > 0:
            refuse("hidden_size", self.hidden_size, "the BiLSTM needs an even hidden size")
        if not isinstance(self.ent_token, str) or not self.ent_token:
            refuse("ent_token", self.ent_token, "expected a non-empty string")
        if not isinstance(self.sep_token, str) or not self.sep_token:
            refuse("sep_token", self.sep_token, "expected a non-empty string")
        if self.encoder_config is not None and not isinstance(self.encoder_config, dict):
            refuse("encoder_config", self.encoder_config, "expected an object")

    @property
    def token_level(self) -> bool:
        """True for token-level models (start / end / inside scores per word), False for span-level ones."""
        return self.span_mode == TOKEN_LEVEL

    @property
    def bi_encoder(self) -> bool:
        """True when entity types are read by a separate labels encoder, not in the text's row."""
        return self.labels_encoder is not None

    @property
    def architecture(self) -> str:
        """One of `ARCHITECTURES`: "uni-span", "uni-token", "bi-span", "bi-token"."""
        return f"{'bi' if self.bi_encoder else 'uni'}-{'token' if self.token_level else 'span'}"

    @property
    def post_fusion_schema(self) -> str:
        """The post-fusion steps, e.g. "l2l-l2t-t2t" (`fusion.CrossFuser`); "" when the model has none."""
        return self.extra.get("post_fusion_schema") or ""

    @property
    def num_post_fusion_layers(self) -> int:
        """How many times the post-fusion steps are stacked (1 unless the config says otherwise)."""
        return self.extra.get("num_post_fusion_layers", 1)

    @property
    def runs_post_fusion(self) -> bool:
        """True when the forward pass fuses labels and words: a bi-encoder with a schema (`gliner` builds the
        layers of a uni-encoder too, and never runs them)."""
        return self.bi_encoder and bool(self.post_fusion_schema)

    @property
    def special_tokens(self) -> list[str]:
        """The tokens upstream adds to the tokenizer, in its order."""
        return [*SPECIAL_TOKENS, self.ent_token, self.sep_token]
