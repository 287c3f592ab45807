"""The progress of an ingest on stderr, as a user reads it.

Two steps, each on its own line: loading the NER model (a pulsing bar and the time it takes), then
the chunks, advancing per small batch of the extraction (`doclinks.pipeline.EXTRACT_STEP` chunks),
with a rate and an estimate of the time left from the first batch on. Both count from the moment the
model is loaded, as the summary's ``chunks_per_second`` does: rich's own estimate would count the
loading too, and it forgets samples older than 30 s, so that with slow batches it never gave one.
When nothing is new, a note says so instead of a bar that stands at "0/?".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import console

__all__ = ["rate_text", "eta_text", "progress_bar", "bar_updater", "IngestProgress"]


def rate_text(done: float, started: float | None, now: float) -> str:
    """The bar's rate: chunks done over the seconds since the work started (the model loaded), which is
    how the summary's ``chunks_per_second`` counts too."""
    elapsed = now - started if started is not None else 0.0
    return f"{done / elapsed:.2f} chunks/s" if done and elapsed > 0 else "- chunks/s"


def eta_text(done: float, total: float | None, started: float | None, now: float) -> str:
    """The time left at the rate so far (``"eta 0:01:05"``); ``"eta after the first batch"`` before any
    chunk is done, ``"done"`` at the end."""
    if total is not None and done >= total:
        return "done"
    if not done or started is None or total is None or now <= started:
        return "eta after the first batch"
    left = round((total - done) * (now - started) / done)
    return f"eta {left // 3600}:{left // 60 % 60:02d}:{left % 60:02d}"


def progress_bar(enabled: bool):
    """A rich `Progress` on stderr with a rate and an estimate that count from ``started`` (a task field
    set when the work starts); a model-loading task (field ``step="model"``) shows neither."""
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    def chunks(task) -> bool:
        return task.fields.get("step") != "model"

    class Counts(ProgressColumn):
        def render(self, task) -> Text:
            if not chunks(task):
                return Text("")
            total = "?" if task.total is None else f"{int(task.total):,}"
            return Text(f"{int(task.completed):,}/{total} chunks", style="progress.download")

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            if not chunks(task):
                return Text("")
            return Text(
                rate_text(task.completed, task.fields.get("started"), time.perf_counter()), style="progress.data.speed"
            )

    class Eta(ProgressColumn):
        def render(self, task) -> Text:
            if not chunks(task):
                return Text("")
            now = time.perf_counter()
            return Text(
                eta_text(task.completed, task.total, task.fields.get("started"), now), style="progress.remaining"
            )

    return Progress(
        TextColumn("{task.description}"), BarColumn(), Counts(), Rate(), TimeElapsedColumn(), Eta(),
        console=console.err(), disable=not enabled,
    )  # fmt: skip


def bar_updater(bar, task, before: Callable[[], object]) -> Callable[[int, int], None]:
    """An `on_progress(done, total)` for an ingest: calls `before` (e.g. stops a spinner), starts the
    rate's clock at 0 done, and moves the bar of `task`."""

    def on_progress(done: int, total: int) -> None:
        before()
        if done == 0:
            bar.update(task, started=time.perf_counter())
        bar.update(task, completed=done, total=total)

    return on_progress


class IngestProgress:
    """The progress display of one local ingest: pass `on_model` and `on_progress` to
    `doclinks.pipeline.ingest_chunks`. Nothing is drawn until there is work (the model loads)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._model_task: Any = None
        self._chunk_task: Any = None

    def _start(self) -> Any:
        if self._bar is None:
            self._bar = progress_bar(self.enabled)
            self._bar.start()
        return self._bar

    def on_model(self) -> None:
        """The model starts loading: its own line, with the time it takes."""
        self._model_task = self._start().add_task("loading the NER model", total=None, step="model")

    def on_progress(self, done: int, total: int) -> None:
        """(chunks done, chunks to do): 0 done when the model is loaded, then after each small batch."""
        bar = self._start()
        if self._chunk_task is None:
            if self._model_task is not None:
                bar.update(self._model_task, description="NER model loaded", total=1, completed=1)
            self._chunk_task = bar.add_task("extracting entities", total=total, started=time.perf_counter())
        bar.update(self._chunk_task, completed=done, total=total, refresh=True)  # drawn now: every step is seen

    @property
    def started(self) -> bool:
        """Whether any work was shown (the model loaded, or chunks were done)."""
        return self._bar is not None

    def close(self, failed: bool = False) -> None:
        """Stop the display: its last frame stays (on a terminal, or printed once when stderr is a file),
        unless the ingest `failed`: then it goes, so that the error is the one line left."""
        if self._bar is None:
            return
        if failed and not self._bar.disable:
            self._bar.live.transient = True
            self._bar.live.stop()  # not Progress.stop(), which adds a blank line when stderr is a file
        else:
            self._bar.stop()

    def __enter__(self) -> IngestProgress:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(failed=exc_type is not None)
