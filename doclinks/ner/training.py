"""Training a GLiNER model: batches with span targets, the span loss, and a resumable trainer.

The recipe is the GLiNER paper's: each example reads its gold labels plus negative labels drawn from the
other labels of the pool (paraphrased, shuffled, capped at `max_types`); every (span of up to `max_width`
words, label) pair is a binary decision scored with binary cross-entropy (or focal loss), masked to the
spans inside the text and the labels of the row; AdamW with one learning rate for the encoder and one for
the heads, linear warm-up then linear decay, gradient clipping.

Runs are repeatable and resumable: the examples and labels of step `t` are a function of (seed, t) only,
and a checkpoint holds the model (in the `gliner` layout) plus `trainer_state.pt` (optimizer, scheduler,
step, torch RNG states, AMP scaler), so that resuming gives the state an uninterrupted run would have.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
import torch.nn.functional as F

from . import processing
from .checkpoints import create_model, load_checkpoint, save_checkpoint
from .config import GLiNERConfig
from .data import (
    TRAIN_SETS, Example, LabelSampler, crop, joined, label_parents, mix_weights, pool_labels, source_label_sets,
)  # fmt: skip
from .model import GLiNERNetwork

STATE_FILE = "trainer_state.pt"
CONFIG_FILE = "train_config.json"
LOG_FILE = "train_log.jsonl"
CHECKPOINT_PREFIX = "checkpoint-"


# ---------------------------------------------------------------------------------------------- config
@dataclass
class TrainConfig:
    """Settings of a training run (all of them stored with the run, so that a resume can check them)."""

    seed: int = 42
    steps: int = 1000
    batch_size: int = 8
    lr_encoder: float = 5e-5
    lr_others: float = 3e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 10.0
    max_types: int = 25  # labels per example, gold plus negatives
    neg_ratio: float = 1.0  # negatives: uniform in [0, neg_ratio * (max_types - gold labels)]
    paraphrase_prob: float = 0.5
    fine_prob: float = 0.5  # a fine label with a coarse fallback is offered (see data.LabelSampler.resolve)
    coarse_negative_prob: float = 1.0  # ... and then its coarse label beside it, as that span's negative
    max_words: int = 64  # longer examples are cropped to a random window
    join_prob: float = 0.0  # chance an example is joined with the next one or two of its source (then cropped)
    source_negatives: bool = False  # negatives per source (data.LabelSampler.allowed_for)
    freeze_embeddings: bool = False  # keep the encoder's input embeddings fixed (faster on CPU)
    freeze_layers: int = 0  # keep the embeddings and the lowest N encoder layers fixed (no backward there)
    loss: str = "bce"  # "bce" or "focal"
    focal_alpha: float = 0.75
    focal_gamma: float = 2.0
    reduction: str = "sum"  # "sum" or "mean" (gliner's definitions)
    sets: list[str] = field(default_factory=lambda: list(TRAIN_SETS))
    extra: list[str] = field(default_factory=list)  # GLiNER training JSON(L) files, e.g. the silver set
    mix: dict[str, float] = field(default_factory=dict)  # sampling weight per source; default size**0.5
    save_every: int = 100  # steps; 0: only by time and at the end
    save_minutes: float = 10.0  # also save when this long has passed since the last save; 0: off
    keep: int = 2  # checkpoints kept
    eval_every: int = 0  # steps; 0: no evaluation while training
    eval_limit: int = 100  # sentences per dev set for evaluation while training
    device: str = "cpu"
    amp: bool = True  # mixed precision on CUDA (bf16 where supported, else fp16 with loss scaling)
    threads: int = 0  # torch CPU threads; 0: torch's default

    # Settings that may change between a run and its resume: they do not change the result.
    OPERATIONAL = ("save_every", "save_minutes", "keep", "eval_every", "eval_limit", "device", "amp", "threads")

    def validate(self) -> None:
        positive = ("steps", "batch_size", "max_types", "max_words")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
        for name in ("lr_encoder", "lr_others"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name}: expected a learning rate >= 0, got {getattr(self, name)!r}")
        if not 0 <= self.warmup_ratio <= 1:
            raise ValueError(f"warmup_ratio: expected a value in [0, 1], got {self.warmup_ratio!r}")
        if self.loss not in ("bce", "focal"):
            raise ValueError(f"loss: expected 'bce' or 'focal', got {self.loss!r}")
        if self.reduction not in ("sum", "mean"):
            raise ValueError(f"reduction: expected 'sum' or 'mean', got {self.reduction!r}")
        if not self.neg_ratio >= 0 or not 0 <= self.paraphrase_prob <= 1:
            raise ValueError("neg_ratio must be >= 0 and paraphrase_prob in [0, 1]")
        if not (0 <= self.fine_prob <= 1 and 0 <= self.coarse_negative_prob <= 1):
            raise ValueError("fine_prob and coarse_negative_prob must be in [0, 1]")
        if not 0 <= self.join_prob <= 1:
            raise ValueError(f"join_prob: expected a value in [0, 1], got {self.join_prob!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown training settings: {', '.join(unknown)}")
        return cls(**data)

    def differences(self, other: TrainConfig) -> list[str]:
        """Settings (other than the operational ones) whose values differ."""
        out = []
        for f in fields(self):
            if f.name in self.OPERATIONAL:
                continue
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out.append(f"{f.name}: {a!r} vs {b!r}")
        return out


# --------------------------------------------------------------------------------------------- batches
@dataclass
class Batch:
    """Encoder inputs (see `processing.collate`), targets (B, W, K, C), and the masks of the loss."""

    inputs: dict[str, torch.Tensor]
    targets: torch.Tensor
    span_mask: torch.Tensor  # (B, W, K): the span ends inside its row's words
    label_mask: torch.Tensor  # (B, C): the column is one of its row's labels
    prompts: list[list[str]]
    spans: list[list[tuple[int, int, int]]]  # per row: (start, end inclusive, label column) kept

    def to(self, device: torch.device | str) -> Batch:
        return Batch(
            {k: v.to(device) for k, v in self.inputs.items()},
            self.targets.to(device), self.span_mask.to(device), self.label_mask.to(device), self.prompts, self.spans,
        )  # fmt: skip


class BatchBuilder:
    """Turns (words, prompts, spans) into padded training rows `[CLS] <<ENT>> l1 ... <<SEP>> words [SEP]`."""

    def __init__(self, config: GLiNERConfig, tokenizer, max_tokens: int | None = None):
        self.config = config
        self.tokenizer = tokenizer
        self.special = processing.special_ids(tokenizer, config.ent_token)
        limit = tokenizer.model_max_length if isinstance(tokenizer.model_max_length, int) else 512
        self.max_tokens = min(max_tokens or limit, limit, 100_000)

    def build(self, items: Sequence[tuple[list[str], list[str], list[tuple[int, int, int]]]]) -> Batch:
        """`items`: per example its words, its prompts (label texts) and its spans (start, end, prompt index)."""
        config, special = self.config, self.special
        pieces = processing.tokenize_words(self.tokenizer, [words for words, _, _ in items], self.tokenizer.unk_token_id or 0)
        segments, kept_spans, prompts_out = [], [], []
        for b, ((words, prompts, spans), word_pieces) in enumerate(zip(items, pieces)):
            if not prompts:
                raise ValueError("every training example needs at least one label")
            prompt = processing.tokenize_prompt(self.tokenizer, prompts, config.ent_token, config.sep_token)
            room = self.max_tokens - len(special.prefix) - len(special.suffix) - len(prompt.ids)
            used, n = 0, 0
            while n < len(word_pieces) and used + len(word_pieces[n]) <= room:
                used += len(word_pieces[n])
                n += 1
            n = max(n, 1)  # a single over-long word keeps its first sub-tokens (build_row cuts it)
            ids, word_pos, label_pos = processing.build_row(
                special, prompt, word_pieces[:n], self.max_tokens, config.embed_ent_token
            )
            segments.append(processing.Segment(b, 0, 0, n, list(range(len(prompts))), ids, word_pos, label_pos))
            kept_spans.append([(s, e, c) for s, e, c in spans if e < n and e - s < config.max_width])
            prompts_out.append(list(prompts))
        inputs = processing.collate(segments, special.pad)
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


# ------------------------------------------------------------------------------------------------ loss
def span_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    span_mask: torch.Tensor,
    label_mask: torch.Tensor,
    *,
    alpha: float = -1.0,
    gamma: float = 0.0,
    reduction: str = "sum",
) -> torch.Tensor:
    """Binary cross-entropy over every (span, label) pair, masked; gliner's definition.

    `logits` and `targets` are (B, W, K, C); `span_mask` (B, W, K) and `label_mask` (B, C) mark the pairs
    that count. `gamma > 0` multiplies each term by (1 - p_t) ** gamma (focal loss) and `alpha >= 0`
    weighs positives by alpha and negatives by 1 - alpha. "sum" adds the terms; "mean" divides that
    sum by the number of valid spans (not span-label pairs), as `gliner` does.
    """
    logits = logits.float()
    targets = targets.float()
    terms = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    if gamma > 0:
        p = torch.sigmoid(logits)
        p_t = p * targets + (1 - p) * (1 - targets)
        terms = terms * (1 - p_t) ** gamma
    if alpha >= 0:
        terms = (alpha * targets + (1 - alpha) * (1 - targets)) * terms
    mask = span_mask.unsqueeze(-1) & label_mask[:, None, None, :]
    total = (terms * mask).sum()
    if reduction == "sum":
        return total
    if reduction == "mean":
        valid = span_mask.sum()
        return total / valid if valid > 0 else total * 0
    raise ValueError(f"reduction: expected 'sum' or 'mean', got {reduction!r}")


# --------------------------------------------------------------------------------------------- sampling
class ExampleStream:
    """The examples of every step: a pure function of (seed, step), so a resumed run reads the same data.

    A source is drawn by its mixing weight, then an example of it uniformly (with replacement); with
    probability `join_prob` it is joined with the one or two examples that follow it in its source (the
    next sentences of its document where the source keeps document order), so that the model sees
    sentence ends inside a row; the example is cropped to `max_words` and given its label set by the
    `LabelSampler` (per-source negatives with `source_negatives`).
    """

    def __init__(self, pool: dict[str, list[Example]], train: TrainConfig, labels: list[str] | None = None):
        self.pool = {k: v for k, v in pool.items() if v}
        self.train = train
        self.weights = mix_weights(self.pool, train.mix or None)
        self.sources = list(self.weights)
        self.sampler = LabelSampler(
            labels if labels is not None else pool_labels(self.pool),
            max_types=train.max_types, neg_ratio=train.neg_ratio, paraphrase_prob=train.paraphrase_prob,
            fine_prob=train.fine_prob, coarse_negative_prob=train.coarse_negative_prob,
            source_labels=source_label_sets(self.pool) if train.source_negatives else {},
            parents=label_parents(self.pool) if train.source_negatives else {},
        )  # fmt: skip
        if not self.sampler.labels:
            raise ValueError("the training pool has no label with enough entities to sample negatives from")

    def items(self, step: int) -> list[tuple[list[str], list[str], list[tuple[int, int, int]]]]:
        rng = random.Random(f"{self.train.seed}:{step}")
        chosen = rng.choices(self.sources, weights=[self.weights[s] for s in self.sources], k=self.train.batch_size)
        out = []
        for source in chosen:
            examples = self.pool[source]
            at = rng.randrange(len(examples))
            example = examples[at]
            # No draw when joins are off, so that runs made before joins existed repeat exactly.
            if self.train.join_prob > 0 and rng.random() < self.train.join_prob:
                count = rng.choice((2, 3))
                example = joined(examples[at : at + count])
            example = crop(example, self.train.max_words, rng)
            prompts, spans = self.sampler.sample(example.spans, example.source or source, rng, example.fallback)
            if not prompts:  # no gold and no negative left: read one random label of the pool
                prompts = [rng.choice(self.sampler.labels)]
            out.append((example.words, prompts, spans))
        return out


# ----------------------------------------------------------------------------------------------- trainer
def parameter_groups(network: GLiNERNetwork, train: TrainConfig) -> list[dict]:
    """AdamW groups: encoder (`token_rep_layer`) and heads, each with and without weight decay
    (biases and LayerNorm weights have none)."""
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    no_decay_modules = set()
    for name, module in network.named_modules():
        if isinstance(module, torch.nn.LayerNorm):
            no_decay_modules.add(name)
    for name, param in network.named_parameters():
        if not param.requires_grad:
            continue
        encoder = name.startswith("token_rep_layer.")
        module = name.rsplit(".", 1)[0]
        decay = not (name.endswith("bias") or module in no_decay_modules)
        groups.setdefault((encoder, decay), []).append(param)
    out = []
    for (encoder, decay), params in sorted(groups.items()):
        out.append(
            {
                "params": params,
                "lr": train.lr_encoder if encoder else train.lr_others,
                "weight_decay": train.weight_decay if decay else 0.0,
                "name": f"{'encoder' if encoder else 'heads'}{'' if decay else '-no-decay'}",
            }
        )
    return out


def freeze(network: GLiNERNetwork, *, embeddings: bool, layers: int) -> list[str]:
    """Turn off the gradients of the encoder's input embeddings and of its lowest `layers` layers
    (transformers' `embeddings.*` and `encoder.layer.<i>.*` names); return the names frozen. Freezing
    any layer freezes the embeddings too (below it, they would need the backward pass it saves)."""
    backbone = network.token_rep_layer.bert_layer.model
    frozen = []
    found_layers = set()
    for name, param in backbone.named_parameters():
        parts = name.split(".")
        layer = None
        if "layer" in parts:
            at = parts.index("layer")
            if at + 1 < len(parts) and parts[at + 1].isdigit():
                layer = int(parts[at + 1])
                found_layers.add(layer)
        if ((embeddings or layers > 0) and parts[0] == "embeddings") or (layer is not None and layer < layers):
            param.requires_grad_(False)
            frozen.append(name)
    if layers > len(found_layers):
        raise ValueError(f"freeze_layers={layers}, but the encoder has {len(found_layers)} numbered layers")
    return frozen


def linear_schedule(total: int, warmup: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


def checkpoints_in(output: Path) -> list[Path]:
    """Complete checkpoints of a run folder, oldest first."""
    found = []
    for path in output.glob(f"{CHECKPOINT_PREFIX}*"):
        suffix = path.name[len(CHECKPOINT_PREFIX) :]
        if path.is_dir() and suffix.isdigit() and (path / STATE_FILE).is_file():
            found.append((int(suffix), path))
    return [p for _, p in sorted(found)]


class Trainer:
    """Trains `network` on `pool` with the settings `train`, writing checkpoints into `output`."""

    def __init__(
        self,
        config: GLiNERConfig,
        tokenizer,
        network: GLiNERNetwork,
        pool: dict[str, list[Example]],
        train: TrainConfig,
        output: str | os.PathLike,
        *,
        labels: list[str] | None = None,
        eval_fn: Callable[[object], dict] | None = None,
        progress: bool = True,
    ):
        train.validate()
        self.config, self.tokenizer, self.network, self.train = config, tokenizer, network, train
        self.output = Path(output)
        self.device = torch.device(train.device)
        if train.threads:
            torch.set_num_threads(train.threads)
        torch.manual_seed(train.seed)  # dropout; a resume restores the saved RNG state over this
        self.network.to(self.device)
        freeze(network, embeddings=train.freeze_embeddings, layers=train.freeze_layers)
        self.stream = ExampleStream(pool, train, labels)
        self.builder = BatchBuilder(config, tokenizer)
        # The fused kernel is ~10x faster than the default on CPU (one pass over the 29M parameters).
        self.optimizer = torch.optim.AdamW(parameter_groups(network, train), lr=train.lr_others, fused=True)
        warmup = math.ceil(train.steps * train.warmup_ratio)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, linear_schedule(train.steps, warmup))
        use_amp = train.amp and self.device.type == "cuda"
        self.amp_dtype = None
        if use_amp:
            self.amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp_dtype == torch.float16)
        self.step = 0
        self.eval_fn = eval_fn
        self.progress = progress
        self._stop = False

    # ---------------------------------------------------------------------------------------- state
    def state_dict(self) -> dict:
        return {
            "step": self.step,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "train_config": self.train.to_dict(),
            "data_position": {"step": self.step, "seed": self.train.seed, "examples_seen": self.step * self.train.batch_size},
        }

    def load_state_dict(self, state: dict) -> None:
        saved = TrainConfig.from_dict(state["train_config"])
        diffs = saved.differences(self.train)
        if diffs:
            raise ValueError("cannot resume with different training settings: " + "; ".join(diffs))
        self.step = int(state["step"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        torch.set_rng_state(state["torch_rng"])
        if state.get("cuda_rng") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])

    def save(self) -> Path:
        """Write `checkpoint-<step>` (model in the gliner layout + trainer state) atomically; prune old ones."""
        self.output.mkdir(parents=True, exist_ok=True)
        final = self.output / f"{CHECKPOINT_PREFIX}{self.step:07d}"
        tmp = self.output / f".tmp-{final.name}"
        if tmp.exists():
            shutil.rmtree(tmp)
        save_checkpoint(tmp, self.config, self.tokenizer, self.network)
        torch.save(self.state_dict(), tmp / STATE_FILE)
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
        for old in checkpoints_in(self.output)[: -max(self.train.keep, 1)]:
            shutil.rmtree(old, ignore_errors=True)
        return final

    def _log(self, record: dict) -> None:
        self.output.mkdir(parents=True, exist_ok=True)
        with (self.output / LOG_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    # ------------------------------------------------------------------------------------- training
    def batch(self, step: int) -> Batch:
        return self.builder.build(self.stream.items(step))

    def loss_on(self, batch: Batch) -> torch.Tensor:
        batch = batch.to(self.device)
        with torch.autocast(device_type=self.device.type, dtype=self.amp_dtype or torch.float32, enabled=self.amp_dtype is not None):
            logits = self.network(**batch.inputs)
        train = self.train
        alpha, gamma = (train.focal_alpha, train.focal_gamma) if train.loss == "focal" else (-1.0, 0.0)
        return span_loss(logits, batch.targets, batch.span_mask, batch.label_mask, alpha=alpha, gamma=gamma, reduction=train.reduction)

    def train_step(self) -> float:
        """One optimisation step on the batch of the current step; returns its loss."""
        self.network.train()
        batch = self.batch(self.step)
        loss = self.loss_on(batch)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        if self.train.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.network.parameters(), self.train.max_grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        self.step += 1
        return float(loss.detach())

    def _request_stop(self, signum, frame) -> None:  # noqa: ARG002
        self._stop = True

    def run(self, until: int | None = None) -> dict:
        """Train to step `until` (default: `steps`), saving every `save_every` steps / `save_minutes`
        minutes, at the end, and when SIGTERM or SIGINT asks to stop. Returns a summary."""
        from tqdm.auto import tqdm

        until = self.train.steps if until is None else min(until, self.train.steps)
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, self._request_stop)
            except ValueError:  # not the main thread
                pass
        start_step, started = self.step, time.monotonic()
        last_save, ema, losses = time.monotonic(), None, []
        bar = tqdm(total=self.train.steps, initial=self.step, desc="train", unit="step", disable=not self.progress, dynamic_ncols=True)
        try:
            while self.step < until and not self._stop:
                t0, c0 = time.monotonic(), time.process_time()
                loss = self.train_step()
                cpu = time.process_time() - c0
                losses.append(loss)
                ema = loss if ema is None else 0.95 * ema + 0.05 * loss
                seconds = time.monotonic() - t0
                bar.update(1)
                bar.set_postfix(loss=f"{ema:.2f}", s_per_step=f"{seconds:.2f}", lr=f"{self.scheduler.get_last_lr()[-1]:.1e}")
                self._log({"step": self.step, "loss": loss, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "lr": self.scheduler.get_last_lr()})
                if self.eval_fn is not None and self.train.eval_every and self.step % self.train.eval_every == 0:
                    result = self.eval_fn(self)
                    self._log({"step": self.step, "eval": result})
                    self.network.train()
                due = self.train.save_every and self.step % self.train.save_every == 0
                late = self.train.save_minutes and time.monotonic() - last_save >= 60 * self.train.save_minutes
                if (due or late) and self.step < until:
                    self.save()
                    last_save = time.monotonic()
        finally:
            bar.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        checkpoint = self.save() if self.step > start_step or not checkpoints_in(self.output) else checkpoints_in(self.output)[-1]
        elapsed = time.monotonic() - started
        done = self.step - start_step
        return {
            "step": self.step,
            "steps_run": done,
            "seconds": elapsed,
            "seconds_per_step": elapsed / done if done else None,
            "first_loss": losses[0] if losses else None,
            "last_loss": losses[-1] if losses else None,
            "stopped": self._stop,
            "checkpoint": str(checkpoint),
        }


# ------------------------------------------------------------------------------------------ entry point
def latest_checkpoint(output: str | os.PathLike) -> Path | None:
    found = checkpoints_in(Path(output))
    return found[-1] if found else None


def build_trainer(
    train: TrainConfig,
    output: str | os.PathLike,
    *,
    init: str | os.PathLike | None = None,
    resume: bool = False,
    pool: dict[str, list[Example]] | None = None,
    data: str | os.PathLike | None = None,
    model_options: dict | None = None,
    progress: bool = True,
) -> Trainer:
    """A trainer for `train` writing into `output`.

    With `resume`, the latest checkpoint of `output` gives the model and the trainer state (and its saved
    settings must match `train`, the operational ones aside); without a checkpoint there, or without
    `resume`, the model comes from `init`: a GLiNER checkpoint folder, or an encoder folder from which a
    fresh model is built (`model_options` go to `checkpoints.create_model`).
    """
    from .data import build_pool

    train.validate()
    output = Path(output)
    checkpoint = latest_checkpoint(output) if resume else None
    if not resume and checkpoints_in(output):
        raise FileExistsError(f"{output} already holds checkpoints: resume the run (--resume) or choose another folder")
    if pool is None:
        pool = build_pool(train.sets, data, extra=train.extra)
    if checkpoint is not None:
        config, tokenizer, network = load_checkpoint(checkpoint)
        network.train()
        trainer = Trainer(config, tokenizer, network, pool, train, output, progress=progress)
        trainer.load_state_dict(torch.load(checkpoint / STATE_FILE, map_location="cpu", weights_only=True))
        return trainer
    if init is None:
        raise ValueError("init: name a GLiNER checkpoint or an encoder folder to start from")
    init = Path(init)
    if (init / "gliner_config.json").is_file():
        config, tokenizer, network = load_checkpoint(init)
        network.train()
    else:
        options = dict(model_options or {})
        options.setdefault("seed", train.seed)
        config, tokenizer, network = create_model(init, **options)
    output.mkdir(parents=True, exist_ok=True)
    (output / CONFIG_FILE).write_text(json.dumps(train.to_dict(), indent=2) + "\n")
    return Trainer(config, tokenizer, network, pool, train, output, progress=progress)


def saved_train_config(output: str | os.PathLike) -> TrainConfig | None:
    """The settings of the run in `output` (from its latest checkpoint, else its train_config.json)."""
    checkpoint = latest_checkpoint(output)
    if checkpoint is not None:
        state = torch.load(checkpoint / STATE_FILE, map_location="cpu", weights_only=True)
        return TrainConfig.from_dict(state["train_config"])
    path = Path(output) / CONFIG_FILE
    if path.is_file():
        return TrainConfig.from_dict(json.loads(path.read_text()))
    return None
