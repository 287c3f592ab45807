"""A long-lived searcher beside a writer: does search stay fast while another process ingests?

    python benchmarks/sqlite_load.py                  # 100,000 chunks, 20 s of writes, 1 document every 0.3 s
    python benchmarks/sqlite_load.py --n 20000 --seconds 10

One SQLite store of `--n` chunks (random unit vectors of `--dim` 384, 5 links each, as `benchmarks/store.py`)
is built in a temporary folder (removed at the end). A searcher process opens it and times
`similarity_search_by_vector` (k=10) and `traversal_search` (k=4, depth 1) in a loop: first idle for `--seconds`,
then while a second process adds one document every `--interval` seconds (0.3). Prints p50 / p95 of both
phases and their ratio. Before the change log (docs/store.md, "Several processes"), each foreign commit
reloaded the whole vector matrix: p50 went from 53 ms to 1,174 ms at 100,000 chunks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def build(path: Path, n: int, dim: int, seed: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from doclinks.document import Document
    from doclinks.links import Link
    from doclinks.store import SQLiteGraphStore

    rng = np.random.default_rng(seed)
    store = SQLiteGraphStore(path, VectorEmbeddings(dim))
    batch = []
    for i in range(n):
        tags = rng.integers(0, n // 20 + 1, size=5)
        batch.append(Document(f"doc {i}", {"links": [Link.bidir("entity:T", f"t{t}") for t in tags]}, id=f"d{i}"))
        if len(batch) == 2000:
            store.add_documents(batch)
            batch = []
    if batch:
        store.add_documents(batch)
    store.close()


class VectorEmbeddings:
    """A deterministic embedder for the benchmark: a text's vector is a seeded random unit vector."""

    def __init__(self, dim: int):
        self.dim = dim

    def _vec(self, text: str) -> list[float]:
        rng = np.random.default_rng(abs(hash(text)) % (2**32))
        v = rng.standard_normal(self.dim)
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts):
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


def writer(path: str, dim: int, interval: float) -> None:
    """Add one document every `interval` seconds until `<path>.stop` exists; `<path>.ready` after the first."""
    from doclinks.document import Document
    from doclinks.store import SQLiteGraphStore

    store = SQLiteGraphStore(path, VectorEmbeddings(dim))
    i = 0
    while not Path(path + ".stop").exists():
        store.add_documents([Document(f"new {i}", {}, id=f"new{i}")])
        if i == 0:
            Path(path + ".ready").touch()
        i += 1
        time.sleep(interval)
    store.close()


def timed(store, queries, seconds: float) -> dict[str, list[float]]:
    out = {"similarity": [], "traversal": []}
    end = time.time() + seconds
    i = 0
    while time.time() < end:
        q = queries[i % len(queries)]
        t0 = time.perf_counter()
        store.similarity_search_by_vector(q, k=10)
        out["similarity"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store.traversal_search(f"query {i % 50}", k=4, depth=1)
        out["traversal"].append(time.perf_counter() - t0)
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write-into", help=argparse.SUPPRESS)  # the writer process
    args = ap.parse_args(argv)
    if args.write_into:
        writer(args.write_into, args.dim, args.interval)
        return 0

    from doclinks.store import SQLiteGraphStore

    tmp = Path(tempfile.mkdtemp(prefix="doclinks-load-"))
    try:
        path = tmp / "load.db"
        started = time.perf_counter()
        build(path, args.n, args.dim, args.seed)
        print(f"built {args.n:,} chunks in {time.perf_counter() - started:.0f} s", flush=True)
        store = SQLiteGraphStore(path, VectorEmbeddings(args.dim))
        rng = np.random.default_rng(args.seed + 1)
        queries = [(v / np.linalg.norm(v)).tolist() for v in rng.standard_normal((50, args.dim))]
        store.similarity_search_by_vector(queries[0], k=10)  # first use: the one full load
        idle = timed(store, queries, args.seconds)
        proc = subprocess.Popen(
            [sys.executable, __file__, "--write-into", str(path), "--dim", str(args.dim), "--interval", str(args.interval)]
        )  # fmt: skip
        while not Path(str(path) + ".ready").exists():  # the writer's imports and first write
            if proc.poll() is not None:
                raise SystemExit("the writer process failed")
            time.sleep(0.1)
        before = len(store)
        busy = timed(store, queries, args.seconds)
        Path(str(path) + ".stop").touch()
        if proc.wait() != 0:
            raise SystemExit("the writer process failed")
        written = len(store) - before
        store.close()
        report = {"chunks": args.n, "interval_s": args.interval, "documents_written_meanwhile": written}
        print(f"the writer added {written} documents while the searcher ran", flush=True)
        for kind in ("similarity", "traversal"):
            a, b = np.array(idle[kind]) * 1000, np.array(busy[kind]) * 1000
            report[kind] = {
                "idle_p50_ms": round(float(np.median(a)), 2), "idle_p95_ms": round(float(np.percentile(a, 95)), 2),
                "writing_p50_ms": round(float(np.median(b)), 2), "writing_p95_ms": round(float(np.percentile(b, 95)), 2),
                "p50_ratio": round(float(np.median(b) / np.median(a)), 2),
            }  # fmt: skip
            print(kind, json.dumps(report[kind]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
