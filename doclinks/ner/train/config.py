"""`TrainConfig`: every setting of a training run, stored with the run so that a resume can check it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from .pool import QUERY_SETS, TRAIN_SETS


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
    fine_prob: float = 0.5  # a fine label with a coarse fallback is offered (see sampling.LabelSampler.resolve)
    coarse_negative_prob: float = 1.0  # ... and then its coarse label beside it, as that span's negative
    max_words: int = 64  # longer examples are cropped to a random window
    join_prob: float = 0.0  # chance an example is joined with the next one or two of its source (then cropped)
    source_negatives: bool = False  # negatives per source (sampling.LabelSampler.allowed_for)
    lowercase_prob: float = 0.0  # chance an example is read lower-cased (names without the capital cue)
    catchall_prob: float = 0.0  # catch-all label "other" (sampling.LabelSampler.catch_all), per exhaustive example
    query_shape_prob: float = 0.0  # chance a query-set row is lower-cased without punctuation (examples.query_shaped)
    shapeless_prob: float = 0.0  # chance a row is read with the case cue withheld (every word's shape unknown)
    query_drop_fallbacks: list[str] = field(default_factory=list)  # coarse labels not taught on query-set spans
    query_drop_labels: list[str] = field(default_factory=list)  # labels whose query-set spans are left out
    freeze_embeddings: bool = False  # keep the encoder's input embeddings fixed (faster on CPU)
    freeze_layers: int = 0  # keep the embeddings and the lowest N encoder layers fixed (no backward there)
    loss: str = "bce"  # "bce" or "focal"
    focal_alpha: float = 0.75
    focal_gamma: float = 2.0
    reduction: str = "sum"  # "sum" or "mean" (gliner's definitions)
    sets: list[str] = field(
        default_factory=lambda: [x for x in TRAIN_SETS if x not in QUERY_SETS]
    )  # query sets by name only
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
    workers: int = 0  # processes building batches ahead of the step (the same batches); 0: the main process

    # Settings that may change between a run and its resume: they do not change the result.
    OPERATIONAL = (
        "save_every",
        "save_minutes",
        "keep",
        "eval_every",
        "eval_limit",
        "device",
        "amp",
        "threads",
        "workers",
    )

    def validate(self) -> None:
        """Raise ValueError naming the first setting out of its range."""
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
        for name in ("join_prob", "lowercase_prob", "catchall_prob", "query_shape_prob", "shapeless_prob"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}: expected a value in [0, 1], got {getattr(self, name)!r}")

    def to_dict(self) -> dict:
        """Every setting by name (JSON-ready)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """The settings of `data` (missing ones at their defaults); an unknown name is a ValueError."""
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
