"""The worker pool: work runs in its threads, off the event loop, and a full queue refuses at once (Busy:
the API's 503 with Retry-After) instead of growing."""

from __future__ import annotations

import asyncio
import threading

import pytest

from doclinks.serve.pool import Busy, WorkerPool


def test_a_full_queue_refuses_new_work_and_the_loop_stays_free():
    release = threading.Event()
    pool = WorkerPool("test", threads=1, max_pending=2)

    async def go():
        loop_thread = threading.get_ident()
        first = asyncio.ensure_future(pool.run(lambda: (release.wait(10), threading.get_ident())[1]))
        second = asyncio.ensure_future(pool.run(lambda: threading.get_ident()))
        await asyncio.sleep(0.05)  # the loop answers while both wait: nothing blocks it
        assert pool.pending == 2
        with pytest.raises(Busy) as refused:
            await pool.run(lambda: None)
        release.set()
        ran_in = await asyncio.gather(first, second)
        assert loop_thread not in ran_in
        assert await pool.run(lambda: 42) == 42  # room again
        return refused.value

    refused = asyncio.run(go())
    assert refused.retry_after >= 1 and "busy" in str(refused)
    pool.shutdown()


def test_concurrent_queries_share_forward_passes_and_get_their_own_vectors():
    import numpy as np

    from doclinks.embeddings import default_embeddings
    from doclinks.serve.batching import GivenQueries, QueryBatcher

    embedding = default_embeddings()
    queries = [f"Who visited city number {i}?" for i in range(8)]
    alone = [embedding.embed_query(q) for q in queries]
    batcher = QueryBatcher(embedding)

    async def go():
        return await asyncio.gather(*(batcher.embed(q) for q in queries))

    together = asyncio.run(go())
    batcher.close()
    assert batcher.queries == 8 and batcher.batches < 8
    for a, b in zip(alone, together):
        assert np.allclose(a, b, atol=1e-5)
    given = GivenQueries(embedding)
    given.given(queries[0], [1.0, 0.0])
    assert given.embed_query(queries[0]) == [1.0, 0.0]  # the vector given for this text, in this thread
    assert np.allclose(given.embed_query(queries[1]), alone[1], atol=1e-6)  # any other text is embedded
