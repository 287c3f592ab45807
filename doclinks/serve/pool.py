"""Model and store work off the event loop: a fixed set of threads with a bounded queue.

A handler awaits `WorkerPool.run`; the event loop keeps accepting and answering while the threads embed,
extract and search. When `max_pending` calls are already queued or running, `run` raises `Busy` at once
(the API answers 503 with Retry-After) instead of letting a queue grow without bound.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["WorkerPool", "Busy"]

T = TypeVar("T")


class Busy(RuntimeError):
    """Every worker is busy and the queue is full: try again later (`retry_after` seconds)."""

    def __init__(self, what: str, retry_after: int = 1) -> None:
        super().__init__(f"the server is busy ({what} queue full); retry in {retry_after} s")
        self.retry_after = retry_after


class WorkerPool:
    """`threads` worker threads; at most `max_pending` calls queued or running.

    Args:
        name: what the pool runs (in thread names and the `Busy` message).
        threads: worker threads.
        max_pending: calls admitted at once (running + waiting).
        initializer: run once in each worker thread when it starts (e.g. to set torch's thread count).
    """

    def __init__(
        self, name: str, threads: int, max_pending: int, initializer: Callable[[], None] | None = None
    ) -> None:
        self.name = name
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix=f"doclinks-{name}", initializer=initializer)
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Calls queued or running now."""
        return self._pending

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a worker thread; `Busy` when the queue is full."""
        with self._lock:
            if self._pending >= self.max_pending:
                raise Busy(self.name)
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))
        finally:
            with self._lock:
                self._pending -= 1

    def shutdown(self) -> None:
        """Stop the threads once the calls in flight finish."""
        self._executor.shutdown(wait=True, cancel_futures=True)
