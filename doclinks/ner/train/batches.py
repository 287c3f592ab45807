"""Training batches: padded encoder rows `[CLS] <<ENT>> l1 ... <<SEP>> words [SEP]`, the (span, label)
targets, and the masks of the loss. Rows are built as `GLiNER` builds them for inference
(`..inputs`), so that the model trains on what it will read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ..config import GLiNERConfig
from ..inputs import (
    SHAPE_UNKNOWN,
    Segment,
    build_row,
    collate,
    row_shape_ids,
    special_ids,
    tokenize_prompt,
    tokenize_words,
    word_shape,
)


@dataclass
class Batch:
    """Encoder inputs (see `inputs.collate`), targets (B, W, K, C), and the masks of the loss."""

    inputs: dict[str, torch.Tensor]
    targets: torch.Tensor
    span_mask: torch.Tensor  # (B, W, K): the span ends inside its row's words
    label_mask: torch.Tensor  # (B, C): the column is one of its row's labels
    prompts: list[list[str]]
    spans: list[list[tuple[int, int, int]]]  # per row: (start, end inclusive, label column) kept

    def to(self, device: torch.device | str) -> Batch:
        """The batch with its tensors on `device`."""
        return Batch(
            {k: v.to(device) for k, v in self.inputs.items()},
            self.targets.to(device), self.span_mask.to(device), self.label_mask.to(device), self.prompts, self.spans,
        )  # fmt: skip


class BatchBuilder:
    """Turns (words, prompts, spans) into padded training rows `[CLS] <<ENT>> l1 ... <<SEP>> words [SEP]`."""

    def __init__(self, config: GLiNERConfig, tokenizer, max_tokens: int | None = None):
        self.config = config
        self.tokenizer = tokenizer
        self.special = special_ids(tokenizer, config.ent_token)
        limit = tokenizer.model_max_length if isinstance(tokenizer.model_max_length, int) else 512
        self.max_tokens = min(max_tokens or limit, limit, 100_000)

    def build(self, items: Sequence[tuple]) -> Batch:
        """`items`: per example its words, its prompts (label texts) and its spans (start, end, prompt index),
        optionally followed by `case_known` (default True): False reads every word's shape as `SHAPE_UNKNOWN`
        (the case cue withheld) in a model with the word-shape feature."""
        config, special = self.config, self.special
        pieces = tokenize_words(self.tokenizer, [item[0] for item in items], self.tokenizer.unk_token_id or 0)
        segments, kept_spans, prompts_out = [], [], []
        for b, (item, word_pieces) in enumerate(zip(items, pieces)):
            words, prompts, spans = item[:3]
            case_known = item[3] if len(item) > 3 else True
            if not prompts:
                raise ValueError("every training example needs at least one label")
            prompt = tokenize_prompt(self.tokenizer, prompts, config.ent_token, config.sep_token)
            room = self.max_tokens - len(special.prefix) - len(special.suffix) - len(prompt.ids)
            used, n = 0, 0
            while n < len(word_pieces) and used + len(word_pieces[n]) <= room:
                used += len(word_pieces[n])
                n += 1
            n = max(n, 1)  # a single over-long word keeps its first sub-tokens (build_row cuts it)
            ids, word_pos, label_pos = build_row(
                special, prompt, word_pieces[:n], self.max_tokens, config.embed_ent_token
            )
            shape_ids = None
            if config.word_shape:
                shapes = [word_shape(w) if case_known else SHAPE_UNKNOWN for w in words[:n]]
                shape_ids = row_shape_ids(len(ids), word_pos, word_pieces[:n], shapes, len(ids) - len(special.suffix))
            segments.append(Segment(b, 0, 0, n, list(range(len(prompts))), ids, word_pos, label_pos, shape_ids))
            kept_spans.append([(s, e, c) for s, e, c in spans if e < n and e - s < config.max_width])
            prompts_out.append(list(prompts))
        inputs = collate(segments, special.pad)
        batch, width = len(segments), inputs["word_positions"].size(1)
        classes = inputs["label_positions"].size(1)
        targets = torch.zeros(batch, width, config.max_width, classes)
        for b, spans in enumerate(kept_spans):
            for s, e, c in spans:
                targets[b, s, e - s, c] = 1.0
        starts = torch.arange(width).view(1, -1, 1)
        widths = torch.arange(config.max_width).view(1, 1, -1)
        span_mask = starts + widths < inputs["num_words"].view(-1, 1, 1)
        label_mask = torch.arange(classes).view(1, -1) < inputs["num_labels"].view(-1, 1)
        return Batch(inputs, targets, span_mask, label_mask, prompts_out, kept_spans)
