"""The corpus tag normalisation as a Ray job over the stored chunks: the full pass of
`doclinks.pipeline.normalize_store`, in the same steps, without the corpus in one process's memory.

1. `count_tags` (a task per range of chunk keys, `readers` at once): each chunk prepared
   (`prepare_full_pass`: kept-apart mentions marked, merges undone) and counted (`TagCounts`);
2. `tag_changes` (one task, given the references of step 1's counts): the counts summed and
   `corpus_tag_changes` run once: the only step that sees the whole corpus, and it holds one entry
   per distinct tag, not the chunks;
3. `apply_changes` (a task per range, `writers` at once): the range read again, prepared,
   rewritten by the changes (`apply_tag_changes`), and the chunks that changed written back (not
   re-embedded: their text is unchanged).

Each step is the single-process pass's own function, and the corpus-wide step does not depend on
the order of its input, so the result is the single-process pass's. The driver holds object
references and counts only. Plain Ray tasks, not Ray Data: three short steps over key ranges, where
a dataset's start-up would cost more than the work on a small store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["key_ranges", "count_tags", "tag_changes", "apply_changes", "normalize_with_ray"]


def key_ranges(bounds: tuple[int, int] | None, size: int) -> list[tuple[int, int]]:
    """``[(first, last)]``: the chunk keys from the store's least to its greatest, `size` at a time."""
    if bounds is None:
        return []
    low, high = bounds
    return [(k, min(k + size - 1, high)) for k in range(low, high + 1, size)]


def count_tags(dsn: str, postgres: Any, first: int, last: int, keep_apart: list[str]) -> tuple[Any, int]:
    """Step 1 for the chunks with keys `first`..`last`: (their `TagCounts`, how many chunks preparing
    alone changed, i.e. had a merge to undo or a mention to keep apart)."""
    from ..pipeline import TagCounts, prepare_full_pass, snapshot
    from ..store.backends.postgres import PostgresBackend

    backend = PostgresBackend(dsn, postgres)
    try:
        docs = [doc for _, doc in backend.documents_between(first, last)]
    finally:
        backend.close()
    before = [snapshot(d) for d in docs]
    prepare_full_pass(docs, keep_apart)
    prepared = sum(1 for d, b in zip(docs, before) if snapshot(d) != b)
    return TagCounts().add(docs), prepared


def tag_changes(merge: bool, *parts: tuple[Any, int]) -> tuple[int, int, dict[tuple[str, str], str]]:
    """Step 2 on the parts of step 1 (Ray resolves their references): (tags that change, chunks that
    preparing alone changed, the changes)."""
    from ..pipeline import TagCounts, corpus_tag_changes

    counts = TagCounts()
    prepared = 0
    for part, n in parts:
        counts.merge(part)
        prepared += n
    changes = corpus_tag_changes(counts, merge=merge)
    return len(changes), prepared, changes


def apply_changes(
    dsn: str, postgres: Any, first: int, last: int, changes: dict, keep_apart: list[str], last_old_key: int
) -> tuple[int, int]:
    """Step 3 for the chunks with keys `first`..`last`: rewrite them by the corpus's tag `changes` and
    store those that changed; returns (chunks rewritten, of them with keys up to `last_old_key`:
    stored before this run)."""
    from ..links.rewrite import apply_tag_changes
    from ..pipeline import NORMALIZE_BATCH, prepare_full_pass, snapshot
    from ..store import PostgresGraphStore

    with PostgresGraphStore(dsn, postgres=postgres) as store:
        keyed = store.backend.documents_between(first, last)
        docs = [doc for _, doc in keyed]
        before = [snapshot(d) for d in docs]
        prepare_full_pass(docs, keep_apart)
        apply_tag_changes(docs, changes)
        changed = [(key, d) for (key, _), d, b in zip(keyed, docs, before) if snapshot(d) != b]
        for i in range(0, len(changed), NORMALIZE_BATCH):
            store.add_documents([d for _, d in changed[i : i + NORMALIZE_BATCH]])
    return len(changed), sum(1 for key, _ in changed if key <= last_old_key)


def _bounded(ray: Any, submit: Callable[[Any], Any], items: Iterable[Any], at_once: int) -> list:
    """Submit a task per item, at most `at_once` running; the references, in item order."""
    refs: list = []
    running: list = []
    for item in items:
        if len(running) >= at_once:
            _, running = ray.wait(running, num_returns=1)
        ref = submit(item)
        refs.append(ref)
        running.append(ref)
    return refs


def normalize_with_ray(
    ray: Any,
    store: Any,
    dsn: str,
    *,
    merge: bool,
    keep_apart: list[str],
    range_size: int,
    readers: int,
    writers: int,
    last_old_key: int,
) -> tuple[int, int]:
    """The full normalisation pass over `store` (a `PostgresGraphStore` the driver holds) on the
    cluster; returns (chunks rewritten, of them stored before this run: key <= `last_old_key`)."""
    store.backend.refresh()  # the workers may have made the tables since the driver connected
    ranges = key_ranges(store.backend.key_bounds(), range_size)
    if not ranges:
        return 0, 0
    keep_apart = list(keep_apart)
    count = ray.remote(count_tags)
    counted = _bounded(ray, lambda r: count.remote(dsn, store.pg, r[0], r[1], keep_apart), ranges, readers)
    n_ref, prepared_ref, changes = ray.remote(num_returns=3)(tag_changes).remote(merge, *counted)
    n_changes, prepared = ray.get([n_ref, prepared_ref])
    del counted  # the counts are summed: free them
    if n_changes == 0 and prepared == 0:
        return 0, 0  # no tag changes and no merge to undo: every chunk stays as it is
    apply = ray.remote(apply_changes)
    done = _bounded(
        ray, lambda r: apply.remote(dsn, store.pg, r[0], r[1], changes, keep_apart, last_old_key), ranges, writers
    )
    results = ray.get(done)
    return sum(r[0] for r in results), sum(r[1] for r in results)
