"""Query embeddings in batches: concurrent searches share one forward pass of the embedder.

A short query costs the encoder about as much alone as with seven others (a forward pass of a few tokens
is dominated by per-layer overhead), so under load `QueryBatcher` embeds every query waiting at that moment
in one ``embed_documents`` call, in its own thread; alone, a query goes through at once (no waiting window).
The vector then reaches the store through `GivenQueries`, the embedder the read stores hold: it answers
``embed_query`` with the vector given for that text in this thread, and embeds anything else itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from typing import Any

from .pool import Busy

__all__ = ["QueryBatcher", "GivenQueries"]


class QueryBatcher:
    """Embed queries in batches in one thread.

    Args:
        embedding: the embedder (``embed_documents``).
        max_batch: most queries in one forward pass (default 32).
        max_pending: queries waiting at once before `embed` raises `Busy` (default 256).
        initializer: run once in the thread when it starts (e.g. torch's thread count).
    """

    def __init__(self, embedding: Any, max_batch: int = 32, max_pending: int = 256, initializer: Any = None) -> None:
        self.embedding, self.max_batch, self.max_pending = embedding, max_batch, max_pending
        self._queue: deque[tuple[str, asyncio.AbstractEventLoop, asyncio.Future]] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self.batches = 0  # forward passes run (for tests and figures)
        self.queries = 0
        self._thread = threading.Thread(target=self._run, args=(initializer,), name="doclinks-embed", daemon=True)
        self._thread.start()

    async def embed(self, query: str) -> list[float]:
        """The vector of `query`, embedded with whatever other queries wait at the same time."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._ready:
            if len(self._queue) >= self.max_pending:
                raise Busy("embedding")
            self._queue.append((query, loop, future))
            self._ready.notify()
        return await future

    def _run(self, initializer: Any) -> None:
        if initializer is not None:
            initializer()
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            try:
                vectors = self.embedding.embed_documents([query for query, _, _ in batch])
                self.batches += 1
                self.queries += len(batch)
                for (_, loop, future), vector in zip(batch, vectors):
                    loop.call_soon_threadsafe(_settle, future, vector, None)
            except BaseException as exc:  # every waiting request learns of it
                for _, loop, future in batch:
                    loop.call_soon_threadsafe(_settle, future, None, exc)

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()


def _settle(future: asyncio.Future, value: Any, error: BaseException | None) -> None:
    if future.done():  # the request was cancelled (the client left)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


class GivenQueries:
    """An embedder that answers ``embed_query`` with a vector given beforehand in the calling thread
    (`given`), and delegates everything else to `embedding`.

    Args:
        embedding: the real embedder.
    """

    def __init__(self, embedding: Any) -> None:
        self.embedding = embedding
        self._local = threading.local()

    def given(self, query: str, vector: Any) -> None:
        """The next ``embed_query(query)`` in this thread returns `vector`."""
        self._local.pair = (query, vector)

    def embed_query(self, text: str) -> Any:
        pair = getattr(self._local, "pair", None)
        if pair is not None and pair[0] == text:
            return pair[1]
        return self.embedding.embed_query(text)

    def embed_documents(self, texts: list[str]) -> Any:
        return self.embedding.embed_documents(texts)

    def __getattr__(self, name: str) -> Any:  # dimension, model_dir, ...
        return getattr(self.embedding, name)
