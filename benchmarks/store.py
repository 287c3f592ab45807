"""Benchmark of the graph stores: ingest rate and query latency, against graph-retriever.

    python benchmarks/store.py                      # 100,000 chunks, all stores
    python benchmarks/store.py --n 20000 --stores sqlite,memory --gr-queries 20

Data: `--n` chunks with fixed random unit vectors (`--dim`, default 384; no embedder
runs, so the store is what is measured) and `--links` bidir entity links each: 90% of
the tags uniform over a vocabulary of n/4 tags (about 18 chunks per tag), 10% from 50
hub tags (about 1,000 chunks each, above the default max_tag_degree of 100). Queries
are the vectors of random chunks plus noise.

For each store: ingest chunks/s (batches of 1,000, one transaction each), then p50 and
p95 latency of similarity (k=4), traversal depth 1 and 2 (k=4, adjacent_k=10) and MMR
traversal (the defaults: k=4, depth=2, fetch_k=100, adjacent_k=10) and `ppr_search` (k=4, its defaults,
seeded by similarity: no NER model runs here). Then the same
queries through graph-retriever's in-memory adapter (Eager and Mmr strategies with
the same parameters) on the same data, and the ratio of p50 latencies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":
    # One BLAS thread unless told otherwise: a single query's matrix-vector product is
    # memory-bound, and on a shared 2-core machine a second BLAS thread waiting for a
    # busy core makes latency worse, not better. Must be set before numpy loads.
    for _i, _arg in enumerate(sys.argv):
        if _arg.startswith("--blas-threads"):
            _value = _arg.split("=", 1)[1] if "=" in _arg else sys.argv[_i + 1]
            break
    else:
        _value = "1"
    os.environ.setdefault("OPENBLAS_NUM_THREADS", _value)
    os.environ.setdefault("OMP_NUM_THREADS", _value)

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from doclinks.document import Document
from doclinks.links import Link
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore


class TableEmbeddings:
    """Looks the vector up by text: "c<i>" is chunk i, "q<j>" query j. No model runs."""

    def __init__(self, chunks: np.ndarray, queries: np.ndarray) -> None:
        self.chunks, self.queries = chunks, queries

    def _one(self, text: str) -> np.ndarray:
        table = self.chunks if text[0] == "c" else self.queries
        return table[int(text[1:])]

    def embed_documents(self, texts):
        return [self._one(t) for t in texts]

    def embed_query(self, text):
        return self._one(text)


def make_data(n: int, dim: int, links: int, n_queries: int, seed: int):
    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((n, dim), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    vocab = max(n // 4, 1)
    tags = []
    for _ in range(n):
        chosen: set[str] = set()
        while len(chosen) < links:
            if rng.random() < 0.1:
                chosen.add(f"hub{rng.integers(50)}")
            else:
                chosen.add(f"t{rng.integers(vocab)}")
        tags.append(sorted(chosen))
    picks = rng.integers(0, n, n_queries)
    queries = vecs[picks] + 0.5 * rng.standard_normal((n_queries, dim), dtype=np.float32) / np.sqrt(dim)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return vecs, tags, queries.astype(np.float32)


def documents(tags):
    return [
        Document(f"c{i}", {"links": [Link.bidir("entity", t) for t in ts]}, f"c{i:07d}") for i, ts in enumerate(tags)
    ]


def percentiles(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 3),
        "n": len(ms),
    }


QUERY_TYPES = {
    "similarity": lambda s, q: s.similarity_search(q, k=4),
    "traversal_d1": lambda s, q: s.traversal_search(q, k=4, depth=1, adjacent_k=10),
    "traversal_d2": lambda s, q: s.traversal_search(q, k=4, depth=2, adjacent_k=10),
    "mmr_traversal": lambda s, q: s.mmr_traversal_search(q),
    # Seeds by similarity only (no NER model in this benchmark): 4 seed chunks, a graph of 2 hops around them.
    "ppr": lambda s, q: s.ppr_search(q, k=4, query_entities=False),
}


def time_queries(run, n_queries: int, warmup: int = 5) -> dict:
    out = {}
    for name, fn in QUERY_TYPES.items():
        for j in range(min(warmup, n_queries)):
            run(fn, f"q{j}")
        ms = []
        for j in range(n_queries):
            t0 = time.perf_counter()
            run(fn, f"q{j}")
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = percentiles(ms)
    return out


def bench_store(name: str, make, docs, n_queries: int, batch: int) -> dict:
    store = make()
    t0 = time.perf_counter()
    # PostgreSQL: the documented way to load many chunks (HNSW index built once at the end).
    loading = store.bulk_ingest() if hasattr(store, "bulk_ingest") else contextlib.nullcontext()
    with loading:
        for i in range(0, len(docs), batch):
            store.add_documents(docs[i : i + batch])
    ingest_s = time.perf_counter() - t0
    result = {"ingest_chunks_per_s": round(len(docs) / ingest_s, 1), "ingest_s": round(ingest_s, 2)}
    if name == "sqlite":  # a fresh process opening the file: the first query loads the vectors
        store.close()
        t0 = time.perf_counter()
        store = make()
        store.similarity_search("q0", k=4)
        result["reopen_first_query_s"] = round(time.perf_counter() - t0, 3)
    result["queries"] = time_queries(lambda fn, q: fn(store, q), n_queries)
    store.close()
    return result


def bench_graph_retriever(vecs, tags, emb: TableEmbeddings, n_queries: int) -> dict:
    from graph_retriever import traverse
    from graph_retriever.adapters.in_memory import InMemory
    from graph_retriever.content import Content
    from graph_retriever.strategies import Eager, Mmr

    contents = [
        Content(id=f"c{i:07d}", content=f"c{i}", embedding=vecs[i], metadata={"entity": ts})
        for i, ts in enumerate(tags)
    ]
    # graph-retriever expects the query embedding as a list of floats.
    adapter = InMemory(lambda text: emb.embed_query(text).tolist(), contents)
    edges = [("entity", "entity")]
    strategies = {
        "similarity": Eager(select_k=4, start_k=4, max_depth=0),
        "traversal_d1": Eager(select_k=4 + 10, start_k=4, adjacent_k=10, max_depth=1),
        "traversal_d2": Eager(select_k=4 + 20, start_k=4, adjacent_k=10, max_depth=2),
        "mmr_traversal": Mmr(select_k=4, start_k=100, adjacent_k=10, max_depth=2, lambda_mult=0.5),
    }
    out = {}
    for name, strategy in strategies.items():
        traverse("q0", edges=edges, strategy=strategy, store=adapter)  # warm-up
        ms = []
        for j in range(n_queries):
            t0 = time.perf_counter()
            traverse(f"q{j}", edges=edges, strategy=strategy, store=adapter)
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = percentiles(ms)
    return {"queries": out}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="chunks (default 100000)")
    ap.add_argument("--dim", type=int, default=384, help="vector dimension (default 384)")
    ap.add_argument("--links", type=int, default=5, help="links per chunk (default 5)")
    ap.add_argument("--queries", type=int, default=200, help="timed queries per type and store (default 200)")
    ap.add_argument(
        "--gr-queries", type=int, default=10, help="timed queries per type for graph-retriever (default 10; 0 skips it)"
    )
    ap.add_argument("--stores", default="sqlite,memory,postgres", help="comma-separated (default all)")
    ap.add_argument("--batch", type=int, default=1000, help="documents per add_documents call (default 1000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--blas-threads", default="1", help="BLAS threads (default 1; read before numpy loads)")
    ap.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = ap.parse_args(argv)

    vecs, tags, queries = make_data(args.n, args.dim, args.links, max(args.queries, args.gr_queries) + 5, args.seed)
    emb = TableEmbeddings(vecs, queries)
    docs = documents(tags)
    degrees: dict[str, int] = {}
    for ts in tags:
        for t in ts:
            degrees[t] = degrees.get(t, 0) + 1
    report = {
        "n": args.n,
        "dim": args.dim,
        "links": args.links,
        "tags": len(degrees),
        "max_tag_degree_seen": max(degrees.values()),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cpus",
        "stores": {},
    }
    print(json.dumps({k: v for k, v in report.items() if k != "stores"}), flush=True)
    # The stores' files (hundreds of MB at 100,000 chunks) go in one temporary folder, removed at the end.
    tmp = Path(tempfile.mkdtemp(prefix="doclinks-bench-"))
    try:
        for name in args.stores.split(","):
            if name == "sqlite":
                path = tmp / "bench.db"
                result = bench_store(
                    name, lambda path=path: SQLiteGraphStore(path, emb), docs, args.queries, args.batch
                )
            elif name == "memory":
                result = bench_store(name, lambda: InMemoryGraphStore(emb), docs, args.queries, args.batch)
            elif name == "postgres":
                from doclinks.store import PostgresGraphStore
                from doclinks.store.testing.local_postgres import LocalPostgres

                with LocalPostgres(server_options={"shared_buffers": "1GB", "maintenance_work_mem": "1GB"}) as pg:
                    result = bench_store(name, lambda: PostgresGraphStore(pg.dsn, emb), docs, args.queries, args.batch)
            else:
                raise SystemExit(f"unknown store {name!r}")
            report["stores"][name] = result
            print(name, json.dumps(result), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.gr_queries:
        gr = bench_graph_retriever(vecs, tags, emb, args.gr_queries)
        report["graph_retriever"] = gr
        print("graph_retriever", json.dumps(gr), flush=True)
        for name, result in report["stores"].items():
            result["speedup_p50_vs_graph_retriever"] = {
                q: round(gr["queries"][q]["p50_ms"] / result["queries"][q]["p50_ms"], 1)
                for q in QUERY_TYPES
                if q in gr["queries"]
            }
            print(
                name,
                "p50 speed-up over graph-retriever:",
                json.dumps(result["speedup_p50_vs_graph_retriever"]),
                flush=True,
            )
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
