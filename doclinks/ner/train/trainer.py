"""The resumable trainer: one optimisation step per batch, checkpoints by step count and by time, and
`build_trainer`, which starts a run (from a checkpoint or a fresh model) or resumes one.

Each (span of up to `max_width` words, label) pair is a binary decision scored with binary cross-entropy
(or focal loss, `loss.span_loss`), masked to the spans inside the text and the labels of the row; AdamW
with one learning rate for the encoder and one for the heads, linear warm-up then linear decay, gradient
clipping (`optim`).

Runs are repeatable and resumable: the examples and labels of step `t` are a function of (seed, t) only
(`sampling.ExampleStream`), and a checkpoint holds the model plus the trainer state (optimizer,
scheduler, step, torch RNG states, AMP scaler; `run`), so that resuming gives the state an uninterrupted
run would have.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ...paths import checkpoints_in, is_checkpoint, latest_checkpoint
from ..checkpoints import create_model, load_checkpoint
from ..config import GLiNERConfig
from ..network import GLiNERNetwork
from .batches import Batch, BatchBuilder
from .config import TrainConfig
from .examples import Example
from .loss import span_loss
from .optim import freeze, optimizer_and_schedule
from .pool import build_pool
from .run import append_log, read_state, write_checkpoint, write_train_config
from .sampling import ExampleStream


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
        self.optimizer, self.scheduler = optimizer_and_schedule(network, train)
        use_amp = train.amp and self.device.type == "cuda"
        self.amp_dtype = None
        if use_amp:
            self.amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp_dtype == torch.float16)
        self.step = 0
        self.eval_fn = eval_fn
        self.progress = progress
        self._stop = False

    def state_dict(self) -> dict:
        """What a resume needs beside the model: step, optimizer, scheduler, AMP scaler, RNG states, settings."""
        return {
            "step": self.step,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "train_config": self.train.to_dict(),
            "data_position": {
                "step": self.step,
                "seed": self.train.seed,
                "examples_seen": self.step * self.train.batch_size,
            },
        }

    def load_state_dict(self, state: dict) -> None:
        """Continue from a saved `state_dict`; ValueError when its settings differ (operational ones aside)."""
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
        """Write `checkpoint-<step>` (model in the gliner layout + trainer state) atomically; keep the
        newest `keep` checkpoints."""
        return write_checkpoint(
            self.output, self.step, self.config, self.tokenizer, self.network, self.state_dict(), keep=self.train.keep
        )

    def batch(self, step: int) -> Batch:
        """The batch of `step` (the same on every run with the same seed)."""
        return self.builder.build(self.stream.items(step))

    def loss_on(self, batch: Batch) -> torch.Tensor:
        """The loss of the network, as it is now, on `batch` (the settings' loss and reduction)."""
        batch = batch.to(self.device)
        with torch.autocast(
            device_type=self.device.type, dtype=self.amp_dtype or torch.float32, enabled=self.amp_dtype is not None
        ):
            logits = self.network(**batch.inputs)
        train = self.train
        alpha, gamma = (train.focal_alpha, train.focal_gamma) if train.loss == "focal" else (-1.0, 0.0)
        return span_loss(
            logits,
            batch.targets,
            batch.span_mask,
            batch.label_mask,
            alpha=alpha,
            gamma=gamma,
            reduction=train.reduction,
        )

    def train_step(self, batch: Batch | None = None) -> float:
        """One optimisation step on the batch of the current step (built here unless given); returns its loss."""
        self.network.train()
        batch = self.batch(self.step) if batch is None else batch
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

    def _prefetched(self, first: int, until: int):
        """Batches of steps `first`..`until - 1` built by `workers` processes ahead of the step. A batch
        depends on (seed, step) only, so they are the batches `batch(step)` builds."""
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # the tokenizer is used again after the fork
        steps = _StepBatches(self, first, until)
        loader = torch.utils.data.DataLoader(
            steps, batch_size=None, shuffle=False, num_workers=self.train.workers, prefetch_factor=8,
            persistent_workers=False, generator=torch.Generator(),  # leaves the global RNG (dropout) untouched
        )  # fmt: skip
        return iter(loader)

    def _request_stop(self, signum, frame) -> None:
        self._stop = True

    def run(self, until: int | None = None) -> dict:
        """Train to step `until` (default: `steps`), saving every `save_every` steps / `save_minutes`
        minutes, at the end, and when SIGTERM or SIGINT asks to stop. Returns a summary."""
        from tqdm.auto import tqdm

        until = self.train.steps if until is None else min(until, self.train.steps)
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError):  # not the main thread
                previous[sig] = signal.signal(sig, self._request_stop)
        start_step, started = self.step, time.monotonic()
        last_save, ema, losses = time.monotonic(), None, []
        bar = tqdm(
            total=self.train.steps,
            initial=self.step,
            desc="train",
            unit="step",
            disable=not self.progress,
            dynamic_ncols=True,
        )
        batches = self._prefetched(self.step, until) if self.train.workers > 0 else None
        try:
            while self.step < until and not self._stop:
                t0, c0 = time.monotonic(), time.process_time()
                loss = self.train_step(next(batches) if batches is not None else None)
                cpu = time.process_time() - c0
                losses.append(loss)
                ema = loss if ema is None else 0.95 * ema + 0.05 * loss
                seconds = time.monotonic() - t0
                bar.update(1)
                bar.set_postfix(
                    loss=f"{ema:.2f}", s_per_step=f"{seconds:.2f}", lr=f"{self.scheduler.get_last_lr()[-1]:.1e}"
                )
                append_log(
                    self.output,
                    {
                        "step": self.step,
                        "loss": loss,
                        "seconds": round(seconds, 3),
                        "cpu_seconds": round(cpu, 3),
                        "lr": self.scheduler.get_last_lr(),
                    },
                )
                if self.eval_fn is not None and self.train.eval_every and self.step % self.train.eval_every == 0:
                    result = self.eval_fn(self)
                    append_log(self.output, {"step": self.step, "eval": result})
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
        checkpoint = (
            self.save()
            if self.step > start_step or not checkpoints_in(self.output)
            else checkpoints_in(self.output)[-1]
        )
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


class _StepBatches(torch.utils.data.Dataset):
    """Item i: the batch of step `first + i` (built in a DataLoader worker)."""

    def __init__(self, trainer: Trainer, first: int, until: int):
        self.stream, self.builder, self.first, self.count = trainer.stream, trainer.builder, first, until - first

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> Batch:
        return self.builder.build(self.stream.items(self.first + i))


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
    train.validate()
    output = Path(output)
    checkpoint = latest_checkpoint(output) if resume else None
    if not resume and checkpoints_in(output):
        raise FileExistsError(f"{output} already holds checkpoints: resume the run (--resume) or choose another folder")
    if pool is None:
        pool = build_pool(
            train.sets,
            data,
            extra=train.extra,
            query_drop_fallbacks=train.query_drop_fallbacks,
            query_drop_labels=train.query_drop_labels,
        )
    if checkpoint is not None:
        config, tokenizer, network = load_checkpoint(checkpoint)
        network.train()
        trainer = Trainer(config, tokenizer, network, pool, train, output, progress=progress)
        trainer.load_state_dict(read_state(checkpoint))
        return trainer
    if init is None:
        raise ValueError("init: name a GLiNER checkpoint or an encoder folder to start from")
    init = Path(init)
    if is_checkpoint(init):
        config, tokenizer, network = load_checkpoint(init)
        if config.architecture != "uni-span":
            # The trainer's batches, loss and heads are those of the span-level uni-encoder.
            raise ValueError(
                f"init: {init} is a {config.architecture} model; training starts from span-level uni-encoders only"
            )
        network.train()
    else:
        options = dict(model_options or {})
        options.setdefault("seed", train.seed)
        config, tokenizer, network = create_model(init, **options)
    write_train_config(output, train)
    return Trainer(config, tokenizer, network, pool, train, output, progress=progress)
