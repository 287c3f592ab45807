"""The GLiNER networks (span- and token-level, uni- and bi-encoder), with the parameter names of `gliner`
checkpoints.

The span head:

Upstream builds a vector for every (start, width) span, `out_project(relu([start_word; end_word]))`,
then dots it with each label vector. Here the span head is computed per word: the first layer of
`out_project` applied to `relu([s; e])` is `W_s relu(s) + W_e relu(e) + b`, a start-word term plus an
end-word term, and its last layer folds into the label vectors because a score is a dot product:
`(W2 z + b2) . p = z . (W2^T p) + b2 . p`. The scores are the same (to float rounding); the cost per
span drops from two dense layers to one addition, a ReLU and a dot product per label.

The token head (`TokenScorer`, upstream's `Scorer`) scores each (word, label) pair with an MLP on
`[t0; l0; t1 * l1]`; its first layer splits the same way into a word term, a label term and the
product term, so only the product is computed per pair. A bi-encoder reads each label alone with its
labels encoder (mean-pooled), so label vectors are computed once per label and reused for every text;
with post-fusion (`fusion.CrossFuser`) those vectors then attend to the row's words and to each other,
and both heads above run unchanged on the fused vectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .config import GLiNERConfig
from .fusion import CrossFuser
from .inputs import NUM_WORD_SHAPES

if TYPE_CHECKING:
    from transformers import PreTrainedModel


def layer(block: nn.Sequential, index: int) -> nn.Linear:
    """The `nn.Linear` at `index` of `block` (a `projection_layer` or similar), typed as such."""
    linear = block[index]
    if not isinstance(linear, nn.Linear):
        raise TypeError(f"layer {index} of {type(block).__name__} is {type(linear).__name__}, not Linear")
    return linear


def config_int(model: PreTrainedModel, name: str) -> int:
    """The integer field `name` (`hidden_size`, `num_attention_heads`) of a transformers model's config."""
    value = getattr(model.config, name)
    if not isinstance(value, int):
        raise TypeError(f"{type(model).__name__}.config.{name} is {value!r}, not an integer")
    return value


def projection_layer(in_dim: int, dropout: float, out_dim: int | None = None) -> nn.Sequential:
    """Upstream's two-layer FFN: Linear(in, 4*out), ReLU, Dropout, Linear(4*out, out)."""
    out_dim = in_dim if out_dim is None else out_dim
    return nn.Sequential(
        nn.Linear(in_dim, out_dim * 4), nn.ReLU(), nn.Dropout(dropout), nn.Linear(out_dim * 4, out_dim)
    )


class _Backbone(nn.Module):
    """Holds the transformers encoder under the name upstream uses (`bert_layer.model`)."""

    def __init__(self, model: PreTrainedModel):
        super().__init__()
        self.model = model


class TokenEncoder(nn.Module):
    """The transformer encoder, then a linear projection when its width differs from `hidden_size`.

    With `word_shape`, a learned vector per word shape (`inputs.word_shape`) is added to each token's
    input embedding, so an uncased encoder sees capitalisation. It starts at zero: a model given the
    feature computes exactly what it computed without it until training moves the vectors.
    """

    def __init__(
        self,
        backbone: PreTrainedModel,
        hidden_size: int,
        word_shape: bool = False,
        labels_backbone: PreTrainedModel | None = None,
    ):
        super().__init__()
        self.bert_layer = _Backbone(backbone)
        width = config_int(backbone, "hidden_size")
        if width != hidden_size:
            self.projection = nn.Linear(width, hidden_size)
        if word_shape:
            self.word_shape = nn.Embedding(NUM_WORD_SHAPES, width)
            nn.init.zeros_(self.word_shape.weight)
        if labels_backbone is not None:  # bi-encoders (upstream's `BiEncoder`)
            self.labels_encoder = _Backbone(labels_backbone)
            labels_width = config_int(labels_backbone, "hidden_size")
            if labels_width != hidden_size:
                self.labels_projection = nn.Linear(labels_width, hidden_size)

    def encode_labels(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Label vectors (N, hidden_size) of N tokenized labels (N, T): the labels encoder's token vectors,
        projected, then averaged over the label's tokens (specials included, padding excluded), as upstream."""
        hidden = self.labels_encoder.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)[0]
        if hasattr(self, "labels_projection"):
            hidden = self.labels_projection(hidden)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, shape_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Token vectors (B, T, hidden_size) of the rows `input_ids` (B, T); `shape_ids` (B, T) is required
        by, and only by, a model with the word-shape feature."""
        model = self.bert_layer.model
        if hasattr(self, "word_shape"):
            if shape_ids is None:
                raise ValueError("this model reads word shapes: shape_ids (B, T) is required")
            embeds = model.get_input_embeddings()(input_ids) + self.word_shape(shape_ids)
            hidden = model(inputs_embeds=embeds, attention_mask=attention_mask, return_dict=True)[0]
        elif shape_ids is not None:
            raise ValueError("shape_ids given to a model without the word-shape feature")
        else:
            hidden = model(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)[0]
        if hasattr(self, "projection"):
            hidden = self.projection(hidden)
        return hidden


class WordLSTM(nn.Module):
    """Bidirectional LSTM over the word vectors of each row (padding excluded by packing)."""

    def __init__(self, hidden_size: int, num_layers: int):
        super().__init__()
        self.lstm = nn.LSTM(hidden_size, hidden_size // 2, num_layers=num_layers, bidirectional=True, batch_first=True)

    def forward(self, words: torch.Tensor, num_words: torch.Tensor) -> torch.Tensor:
        """Word vectors (B, W, D) read in context; `num_words` (B,) marks where each row's words end."""
        packed = pack_padded_sequence(words, num_words.cpu(), batch_first=True, enforce_sorted=False)
        output, _ = self.lstm(packed)
        output, _ = pad_packed_sequence(output, batch_first=True, total_length=words.size(1))
        return output


class SpanMarkerV0(nn.Module):
    """Span head: FFNs on the start and end words, then an FFN on their concatenation (`markerV0`)."""

    def __init__(self, hidden_size: int, max_width: int, dropout: float):
        super().__init__()
        self.max_width = max_width
        self.project_start = projection_layer(hidden_size, dropout)
        self.project_end = projection_layer(hidden_size, dropout)
        self.out_project = projection_layer(hidden_size * 2, dropout, hidden_size)

    def score(self, words: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Logits (B, W, K, C) of every span (start word, width index) against every label vector.

        `words` is (B, W, D) and `labels` (B, C, D), both already final (labels through
        `prompt_rep_layer`). Spans that run past the last word get logit 0; callers mask them.
        """
        batch, num_words, dim = words.shape
        first, dropout, last = layer(self.out_project, 0), self.out_project[2], layer(self.out_project, 3)
        start_term = F.linear(F.relu(self.project_start(words)), first.weight[:, :dim], first.bias)  # (B, W, H)
        end_term = F.linear(F.relu(self.project_end(words)), first.weight[:, dim:])  # (B, W, H)
        label_weights = labels @ last.weight  # (B, C, H): W2^T p
        label_bias = labels @ last.bias  # (B, C): b2 . p
        if not (self.training or torch.is_grad_enabled()):
            return self._score_inference(start_term, end_term, label_weights, label_bias)
        per_width = []
        for width in range(self.max_width):
            if width >= num_words:
                per_width.append(words.new_zeros(batch, num_words, labels.size(1)))
                continue
            hidden = dropout(F.relu(start_term[:, : num_words - width] + end_term[:, width:]))
            logits = torch.baddbmm(label_bias.unsqueeze(1), hidden, label_weights.transpose(1, 2))
            per_width.append(F.pad(logits, (0, 0, 0, width)))
        return torch.stack(per_width, dim=2)

    def _score_inference(
        self, start_term: torch.Tensor, end_term: torch.Tensor, label_weights: torch.Tensor, label_bias: torch.Tensor
    ) -> torch.Tensor:
        """`score` without autograd: blocks of 32 start words and one reused buffer keep the (words, H)
        hidden tensor in cache and avoid allocations (1.6x faster on CPU than the autograd path)."""
        batch, num_words, hidden = start_term.shape
        out = start_term.new_zeros(batch, num_words, self.max_width, label_weights.size(1))
        weights_t = label_weights.transpose(1, 2).contiguous()  # (B, H, C)
        bias = label_bias.unsqueeze(1)
        block = 32
        buffer = start_term.new_empty(batch, min(block, num_words), hidden)
        for first in range(0, num_words, block):
            last = min(num_words, first + block)
            for width in range(self.max_width):
                n = min(last, num_words - width) - first
                if n <= 0:
                    break
                h = buffer[:, :n]
                torch.add(start_term[:, first : first + n], end_term[:, first + width : first + width + n], out=h)
                h.relu_()
                out[:, first : first + n, width] = torch.baddbmm(bias, h, weights_t)
        return out


class TokenScorer(nn.Module):
    """Token head (upstream's `Scorer`): start, end and inside logits of every (word, label) pair.

    Upstream: `t = proj_token(w)`, `l = proj_label(p)`, each split in halves `(x0, x1)`, then
    `out_mlp([t0; l0; t1 * l1])` per (word, label) pair: Linear(3H, 4H), Dropout, ReLU,
    Linear(4H, 3). The first Linear is `A t0 + B l0 + C (t1 * l1) + b`: the first two terms are computed
    once per word and per label, the third per pair, in blocks of labels that bound the memory.
    """

    #: Most elements of one (B, W, labels, 4H) block: 16M floats, 64 MB in float32.
    BLOCK_ELEMENTS = 1 << 24

    def __init__(self, hidden_size: int, dropout: float):
        super().__init__()
        self.proj_token = nn.Linear(hidden_size, hidden_size * 2)
        self.proj_label = nn.Linear(hidden_size, hidden_size * 2)
        self.out_mlp = nn.Sequential(
            nn.Linear(hidden_size * 3, hidden_size * 4), nn.Dropout(dropout), nn.ReLU(), nn.Linear(hidden_size * 4, 3)
        )

    def forward(self, words: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Logits (B, W, C, 3), [start, end, inside], of words (B, W, D) against labels (B, C, D)."""
        batch, num_words, dim = words.shape
        num_labels = labels.size(1)
        first, dropout, last = layer(self.out_mlp, 0), self.out_mlp[1], layer(self.out_mlp, 3)
        token_0, token_1 = self.proj_token(words).split(dim, dim=-1)  # (B, W, D) each
        label_0, label_1 = self.proj_label(labels).split(dim, dim=-1)  # (B, C, D) each
        word_term = F.linear(token_0, first.weight[:, :dim])  # (B, W, 4D)
        label_term = F.linear(label_0, first.weight[:, dim : 2 * dim], first.bias)  # (B, C, 4D)
        pair_weight = first.weight[:, 2 * dim :]
        step = max(1, self.BLOCK_ELEMENTS // max(1, batch * num_words * first.out_features))
        blocks = []
        for lo in range(0, num_labels, step):
            hi = min(num_labels, lo + step)
            pairs = token_1.unsqueeze(2) * label_1[:, lo:hi].unsqueeze(1)  # (B, W, c, D)
            hidden = F.linear(pairs, pair_weight) + word_term.unsqueeze(2) + label_term[:, lo:hi].unsqueeze(1)
            blocks.append(last(F.relu(dropout(hidden))))
        if not blocks:
            return words.new_zeros(batch, num_words, 0, 3)
        return torch.cat(blocks, dim=2)


class SpanRepLayer(nn.Module):
    """Wrapper kept for upstream's parameter names (`span_rep_layer.span_rep_layer.*`)."""

    def __init__(self, hidden_size: int, max_width: int, dropout: float):
        super().__init__()
        self.span_rep_layer = SpanMarkerV0(hidden_size, max_width, dropout)


def gather_rows(hidden: torch.Tensor, positions: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """Vectors of `hidden` (B, T, D) at `positions` (B, N); rows past `counts` are zero."""
    index = positions.unsqueeze(-1).expand(-1, -1, hidden.size(-1))
    picked = torch.gather(hidden, 1, index)
    valid = torch.arange(positions.size(1), device=positions.device)[None, :] < counts[:, None]
    return picked * valid.unsqueeze(-1).to(picked.dtype)


class GLiNERNetwork(nn.Module):
    """Encoder (plus a labels encoder for bi-encoders), optional BiLSTM, and either the span head and label
    projection (span-level models) or the token head (token-level models) of a GLiNER model."""

    def __init__(self, config: GLiNERConfig, backbone: PreTrainedModel, labels_backbone: PreTrainedModel | None = None):
        super().__init__()
        if config.bi_encoder != (labels_backbone is not None):
            raise ValueError("a labels encoder is required by, and only by, a bi-encoder config (labels_encoder)")
        self.config = config
        self.token_rep_layer = TokenEncoder(backbone, config.hidden_size, config.word_shape, labels_backbone)
        if config.num_rnn_layers > 0:
            self.rnn = WordLSTM(config.hidden_size, config.num_rnn_layers)
        if config.post_fusion_schema:
            heads = config_int(backbone, "num_attention_heads")  # upstream: the text encoder's head count
            if config.runs_post_fusion and config.hidden_size % heads:
                raise ValueError(
                    f"post_fusion_schema={config.post_fusion_schema!r}: hidden_size {config.hidden_size} is not a "
                    f"multiple of the text encoder's {heads} attention heads, which the post-fusion attention splits it into"
                )
            self.cross_fuser = CrossFuser(
                config.hidden_size, heads, config.num_post_fusion_layers, config.dropout, config.post_fusion_schema
            )
        if config.token_level:
            self.scorer = TokenScorer(config.hidden_size, config.dropout)
        else:
            self.span_rep_layer = SpanRepLayer(config.hidden_size, config.max_width, config.dropout)
            self.prompt_rep_layer = projection_layer(config.hidden_size, config.dropout)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        word_positions: torch.Tensor,
        num_words: torch.Tensor,
        label_positions: torch.Tensor,
        num_labels: torch.Tensor,
        shape_ids: torch.Tensor | None = None,
        label_vectors: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits of a batch (see `inputs.collate`): span-level (B, W, K, C), W words, K = max_width span
        widths, C labels; token-level (B, W, C, 3), start / end / inside.

        Uni-encoders read the labels off the row (`label_positions`); bi-encoders take `label_vectors`
        (B, C, D) from `encode_labels`, zero past `num_labels`.
        """
        hidden = self.token_rep_layer(input_ids, attention_mask, shape_ids)
        words = gather_rows(hidden, word_positions, num_words)
        if self.config.bi_encoder:
            if label_vectors is None:
                raise ValueError("a bi-encoder needs label_vectors (B, C, D) from encode_labels")
            labels = label_vectors.to(words.dtype)
        else:
            labels = gather_rows(hidden, label_positions, num_labels)
        # `gliner` 0.2.29 builds a bi-encoder's BiLSTM (its weights are in the checkpoints) but never runs it,
        # and a uni-encoder's post-fusion layers likewise.
        if hasattr(self, "rnn") and not self.config.bi_encoder:
            words = self.rnn(words, num_words)
        if self.config.runs_post_fusion:
            words_mask = torch.arange(words.size(1), device=words.device)[None, :] < num_words[:, None]
            labels_mask = torch.arange(labels.size(1), device=labels.device)[None, :] < num_labels[:, None]
            labels, words = self.cross_fuser(labels, words, labels_mask, words_mask)
            labels = labels * labels_mask.unsqueeze(-1).to(labels.dtype)  # as upstream: padded labels back to zero
        if self.config.token_level:
            return self.scorer(words, labels)
        labels = self.prompt_rep_layer(labels)
        return self.span_rep_layer.span_rep_layer.score(words, labels)

    def encode_labels(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Bi-encoders: vectors (N, D) of N labels tokenized by the labels tokenizer (N, T)."""
        return self.token_rep_layer.encode_labels(input_ids, attention_mask)
