"""Sync against a full re-ingest: a folder of N files ingested, then 1% of them edited and 1% deleted.

    python benchmarks/sync.py [--files 2000] [--db-dir DIR] [--contrast-labels none] [--threads 1]

Steps, in one process (the NER model and the embedder loaded once, before any timing; SQLite stores):

1. ingest the folder into ``synced.db`` (`doclinks.source_sync.sync_paths`, what ``doclinks ingest`` runs);
2. edit 1% of the files and delete another 1%;
3. time the sync: ``sync_paths(..., prune=True)`` on ``synced.db`` (the scan: every file hashed; the
   edited files read, their new chunks extracted, embedded and written; the deleted ones removed; the
   tags they touch renormalised);
4. time a full re-ingest of the folder as it now is into a new ``fresh.db``;
5. compare the two stores: the same chunk ids, texts, metadata, links and entity records, the same
   tag count.

Prints the times, their ratio (goal: the sync under 5% of the full run) and whether the stores are
equal (exit status 1 when they are not). The files are one or two sentences each (one chunk), about
people, places and organisations, with surnames alone in some so that tag merges happen across files.
Figures: docs/cli.md ("Keeping a store in sync").
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Anna", "Omar", "Elena", "Hiroshi", "Grace", "Alan", "Ada", "Marie", "Pierre", "Li", "Aiko", "Tomas"]
LAST = [
    "Smith",
    "Okafor",
    "Rossi",
    "Tanaka",
    "Hopper",
    "Turing",
    "Lovelace",
    "Curie",
    "Wang",
    "Dubois",
    "Varga",
    "Novak",
]
CITIES = ["Paris", "Berlin", "Tokyo", "Lagos", "Lima", "Rome", "Madrid", "Cairo", "Oslo", "Quito", "Dublin", "Vienna"]
ORGS = ["Acme Corp", "Siemens", "the Red Cross", "UNESCO", "Nokia", "the BBC", "Toyota", "Interpol"]


def text(rng: random.Random, i: int, edit: int = 0) -> str:
    a, b = rng.sample(range(len(FIRST)), 2)
    person, other = f"{FIRST[a]} {LAST[a]}", f"{FIRST[b]} {LAST[b]}"
    city, org = rng.choice(CITIES), rng.choice(ORGS)
    year = 1950 + (i * 7 + edit * 13) % 70
    if i % 5 == 0:  # the surname alone: merged into the full name where one is stored
        return f"{LAST[a]} visited {city} in {year}."
    verb = ["met", "wrote to", "worked with"][(i + edit) % 3]
    return f"{person} {verb} {other} in {city} in {year}. {person} joined {org}."


def make_folder(root: Path, files: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(files):
        path = root / f"d{i // 100:02}" / f"f{i:05}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(rng, i), encoding="utf-8")
        paths.append(path)
    return paths


def state(store) -> dict:
    out = {}
    for d in store.iter_documents():
        md = dict(d.metadata)
        links = sorted((link.kind, link.direction, link.tag) for link in md.pop("links", []))
        records = sorted(
            (r.get("start"), r.get("end"), r.get("label"), r.get("tag"), r.get("merged_from"))
            for r in md.pop("entities", None) or []
        )
        out[d.id] = (d.page_content, links, records, sorted(md.items(), key=lambda kv: kv[0]).__repr__())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--db-dir", help="where the folder and stores go (default: a temporary folder)")
    parser.add_argument("--contrast-labels", default="none", help='"none" (default: one NER call per chunk) or a list')
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: a small shared machine)")
    parser.add_argument("--labels", default="person,location,organization")
    args = parser.parse_args()

    import torch

    from doclinks.embeddings import default_embeddings
    from doclinks.pipeline import IngestSettings, build_extractor
    from doclinks.source_sync import sync_paths
    from doclinks.store import SQLiteGraphStore

    torch.set_num_threads(args.threads)
    contrast = [] if args.contrast_labels == "none" else args.contrast_labels.split(",")
    settings = IngestSettings(labels=args.labels.split(","), contrast_labels=contrast)
    work = Path(args.db_dir or tempfile.mkdtemp(prefix="doclinks-sync-"))
    folder = work / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    for name in ("synced.db", "fresh.db"):
        for f in work.glob(name + "*"):
            f.unlink()
    paths = make_folder(folder, args.files)
    extractor = build_extractor(settings)
    embedder = default_embeddings()
    embedder.embed_documents(["warm up"])

    synced = SQLiteGraphStore(work / "synced.db", embedding=embedder)
    start = time.perf_counter()
    first = sync_paths(synced, [folder], settings, extractor=extractor)
    first_s = time.perf_counter() - start
    print(
        f"files {args.files}: first ingest {first_s:.1f} s ({first.new_chunks} chunks, {first.new_chunks / first_s:.1f} chunks/s)"
    )

    rng = random.Random(11)
    changed = rng.sample(range(args.files), max(1, args.files // 50))
    edited, deleted = changed[: len(changed) // 2], changed[len(changed) // 2 :]
    for i in edited:
        paths[i].write_text(text(random.Random(1000 + i), i, edit=1), encoding="utf-8")
    for i in deleted:
        paths[i].unlink()

    start = time.perf_counter()
    report = sync_paths(synced, [folder], settings, prune=True, extractor=extractor)
    sync_s = time.perf_counter() - start
    print(f"sync after {len(edited)} edits and {len(deleted)} deletions: {sync_s:.2f} s "
          f"({len(report.sources_updated)} updated, {len(report.sources_deleted)} deleted, {report.new_chunks} chunks "
          f"extracted, {report.deleted_chunks} removed, tags of {report.renormalized_chunks} chunks renormalised)")  # fmt: skip

    fresh = SQLiteGraphStore(work / "fresh.db", embedding=embedder)
    start = time.perf_counter()
    full = sync_paths(fresh, [folder], settings, extractor=extractor)
    full_s = time.perf_counter() - start
    print(f"full re-ingest of the folder as it now is: {full_s:.1f} s ({full.new_chunks} chunks)")
    print(f"sync / full re-ingest: {sync_s / full_s:.3%} (goal < 5%)")

    a, b = state(synced), state(fresh)
    equal = a == b and synced.tag_count() == fresh.tag_count()
    differ = sorted(i for i in set(a) | set(b) if a.get(i) != b.get(i))
    print(f"synced store equal to the fresh one: {'yes' if equal else 'NO'} ({len(a)} and {len(b)} chunks, "
          f"{synced.tag_count()} and {fresh.tag_count()} tags; {len(differ)} chunks differ)")  # fmt: skip
    for i in differ[:5]:
        print(f"  {i}: synced {a.get(i)}\n  {' ' * len(i)}  fresh  {b.get(i)}")
    synced.close()
    fresh.close()
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
