"""`doclinks ingest --engine ray` (`doclinks.scale`) on a local Ray (2 CPUs) into a real PostgreSQL.

One distributed run, compared with the single-process ingest of the same files: it must store the
same graph (chunks, vectors within 1e-6, links, normalised tags with their merges, tag degrees),
although one of its two NER actors is killed (SIGKILL) once the first batches are stored, and its
batches are a quarter of the reference's: Ray restarts the actor and retries its batch, and nothing
is lost or stored twice. A second run of the same command changes no row. The NER model is the small
test model (`small_ner_checkpoint`).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from doclinks.cli.ingest import IngestOptions, ingest
from doclinks.pipeline import TAG_POLICY

from .conftest import CHUNK_SIZE, LABELS, REPO

pytestmark = pytest.mark.ray


def options(model, **extra) -> IngestOptions:
    return IngestOptions(labels=LABELS, model=str(model), chunk_size=CHUNK_SIZE, progress=False, **extra)


def ner_actor_processes(ray_folder) -> list:
    """The NER actors' processes of the module's Ray (children of its raylet)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "raylet" and any(str(ray_folder) in a for a in proc.info["cmdline"] or []):
            for child in proc.children(recursive=True):
                try:
                    if any("LinkAndEmbed" in a for a in child.cmdline()):
                        found.append(child)
                except psutil.Error:
                    continue
    return found


def chunk_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('doclinks_chunks')").fetchone()[0]
        return conn.execute("SELECT count(*) FROM doclinks_chunks").fetchone()[0] if exists else 0


@pytest.fixture(scope="module")
def reference(postgres, corpus, small_ner_checkpoint):
    """The single-process ingest of the corpus: (database URL, summary). On one torch thread, as each
    Ray actor (one CPU each): two threads fight over a small shared machine's cores."""
    import torch

    url = postgres.url("single")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return url, ingest([str(p) for p in corpus], url, options(small_ner_checkpoint))
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def distributed(local_ray, postgres, corpus, small_ner_checkpoint):
    """``--engine ray`` (the command's own function, on the module's Ray; batches of 8), with one NER
    actor killed once the first batch is stored: (database URL, summary, what the kill saw)."""
    from doclinks.cli.ingest_ray import RayOptions

    url = postgres.url("distributed")
    run_options = options(small_ner_checkpoint, engine="ray", batch_size=8, ray=RayOptions(write_batch_size=8))
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["summary"] = ingest([str(p) for p in corpus], url, run_options)
        except BaseException as exc:
            outcome["error"] = exc

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 240
    while chunk_count(url) < 8 and runner.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)  # until the first batch is stored: the actors are at work
    actors = ner_actor_processes(local_ray.folder)
    fault = {"alive": runner.is_alive(), "actors": len(actors), "stored_at_kill": chunk_count(url), "restarted": False}
    if actors and runner.is_alive():
        os.kill(actors[0].pid, signal.SIGKILL)
        first = {a.pid for a in actors}
        while runner.is_alive():
            fault["restarted"] |= any(p.pid not in first for p in ner_actor_processes(local_ray.folder))
            time.sleep(0.1)
    runner.join()
    if "error" in outcome:
        raise outcome["error"]
    return url, outcome["summary"], fault


def stored_graph(url: str) -> dict:
    """Everything a store holds of the graph: documents, vectors, tag degrees, the tag policy."""
    from doclinks.store import PostgresGraphStore

    with PostgresGraphStore(url) as store:
        docs = {d.id: d for d in store.iter_documents()}
        vectors = {i: s.vector for i, s in store.backend.stored(list(docs)).items()}
        degrees = {pair: n for pair, n in store.backend.tag_degrees(store.tags()).items() if n}
        return {"docs": docs, "vectors": vectors, "degrees": degrees, "policy": store.get_setting(TAG_POLICY)}


def same_values(a, b, tol: float = 1e-4) -> bool:
    """Equal JSON-like values, floats (entity scores) within `tol`: a score moves by up to ~2e-5 with
    the other texts of its NER batch (padding changes float32 sums), and batches differ by run."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, abs_tol=tol)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_values(a[k], b[k], tol) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same_values(x, y, tol) for x, y in zip(a, b))
    return a == b


def assert_same_graph(got: dict, want: dict, policy: str = "merge") -> None:
    assert set(got["docs"]) == set(want["docs"])
    for i, doc in want["docs"].items():
        other = got["docs"][i]
        assert other.page_content == doc.page_content
        assert sorted(l.key for l in other.metadata.get("links", [])) == sorted(
            l.key for l in doc.metadata.get("links", [])
        ), i
        rest = {k: v for k, v in doc.metadata.items() if k != "links"}
        other_rest = {k: v for k, v in other.metadata.items() if k != "links"}
        assert same_values(other_rest, rest), (i, other_rest, rest)
        assert float(np.max(np.abs(got["vectors"][i] - want["vectors"][i]))) <= 1e-6, i
    assert got["degrees"] == want["degrees"]
    assert got["policy"] == want["policy"] == policy


def test_ray_ingest_stores_the_graph_of_the_single_process_ingest(reference, distributed):
    (ref_url, ref), (ray_url, got, _) = reference, distributed
    want = stored_graph(ref_url)
    assert 200 <= len(want["docs"]) <= 300  # a few hundred chunks
    merged = [r for d in want["docs"].values() for r in d.metadata.get("entities", []) if r.get("merged_from")]
    assert merged, "the corpus must exercise the corpus-level merges"
    assert_same_graph(stored_graph(ray_url), want)
    for name in ("files", "documents", "chunks", "new_chunks", "skipped_chunks", "entities", "renormalized_chunks",
                 "stored_chunks", "distinct_tags"):  # fmt: skip
        assert getattr(got, name) == getattr(ref, name), name
    assert (got.engine, ref.engine) == ("ray", "local") and got.ner_actors == 2
    assert got.chunks_per_second > 0


def test_a_killed_ner_actor_is_restarted_and_nothing_is_lost_or_doubled(distributed):
    url, summary, fault = distributed
    assert fault["alive"] and fault["actors"] == 2, fault  # both actors at work when one was killed
    assert 8 <= fault["stored_at_kill"] < summary.chunks, fault  # mid-run
    assert fault["restarted"], "Ray did not start the killed NER actor again"
    # Every chunk written once: the retried batch was not counted twice, and no row is missing.
    assert summary.new_chunks == summary.chunks == summary.stored_chunks == chunk_count(url)
    import psycopg

    with psycopg.connect(url) as conn:
        ids, distinct = conn.execute("SELECT count(id), count(DISTINCT id) FROM doclinks_chunks").fetchone()
        links = conn.execute("SELECT count(*), count(DISTINCT (chunk, tag_id)) FROM doclinks_out_links").fetchone()
    assert ids == distinct == summary.chunks and links[0] == links[1]


def table_rows(url: str) -> list[tuple]:
    """Every chunk row with its PostgreSQL row version (xmin): a rewritten row gets a new one."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT id, xmin::text, content, metadata, links, embedding::text FROM doclinks_chunks "
                            "ORDER BY id").fetchall()  # fmt: skip


def test_a_second_run_through_the_command_changes_nothing(local_ray, distributed, corpus, small_ner_checkpoint):
    url, first, _ = distributed
    before = table_rows(url)
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "doclinks", "ingest", *map(str, corpus), "--labels", ",".join(LABELS),
         "--model", str(small_ner_checkpoint), "--chunk-size", str(CHUNK_SIZE), "--db", url, "--engine", "ray",
         "--ray-address", local_ray.address, "--json", "--no-progress"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["new_chunks"], summary["skipped_chunks"]) == (0, first.chunks)
    assert (summary["stored_chunks"], summary["engine"]) == (first.chunks, "ray")
    assert table_rows(url) == before  # not one row written again


def test_chunks_stored_with_other_labels_are_counted_not_extracted(reference, distributed, corpus,
                                                                   small_ner_checkpoint, capsys):  # fmt: skip
    (ref_url, _), (ray_url, _, _) = reference, distributed
    before = table_rows(ray_url)
    other = {**vars(options(small_ner_checkpoint)), "labels": ["person"]}
    want = ingest([str(p) for p in corpus], ref_url, IngestOptions(**other))
    warnings = capsys.readouterr().err
    got = ingest([str(p) for p in corpus], ray_url, IngestOptions(**{**other, "engine": "ray"}))
    assert got.new_chunks == 0 and (got.skipped_chunks, got.stored_chunks) == (want.skipped_chunks, want.stored_chunks)
    stale = f"warning: {want.chunks} of the chunks given are stored with links of other labels (person,location,organization)"
    assert stale in warnings and stale in capsys.readouterr().err
    assert table_rows(ray_url) == before  # nothing extracted, nothing written


def test_no_merge_undoes_the_merges_as_the_single_process_ingest_does(reference, distributed, corpus,
                                                                      small_ner_checkpoint):  # fmt: skip
    """Last: it rewrites both stores. A run with another merge rule and nothing new is a normalisation pass."""
    (ref_url, _), (ray_url, _, _) = reference, distributed
    no_merge = vars(options(small_ner_checkpoint, merge=False))
    want = ingest([str(p) for p in corpus], ref_url, IngestOptions(**no_merge))
    got = ingest([str(p) for p in corpus], ray_url, IngestOptions(**{**no_merge, "engine": "ray"}))
    assert got.new_chunks == want.new_chunks == 0
    assert got.renormalized_chunks == want.renormalized_chunks > 0  # the merged chunks, rewritten
    graph = stored_graph(ray_url)
    assert not any(r.get("merged_from") for d in graph["docs"].values() for r in d.metadata.get("entities", []))
    assert_same_graph(graph, stored_graph(ref_url), policy="no-merge")


def test_unreadable_files_stop_the_run_before_anything_is_written(local_ray, postgres, tmp_path, small_ner_checkpoint):
    from doclinks.cli.errors import CommandError

    (tmp_path / "good.txt").write_text("Anna Smith moved to Paris.", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"text": "fine"}\n[1, 2]\n', encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Zoë".encode("latin-1"))
    url = postgres.url("unreadable")
    with pytest.raises(CommandError) as error:
        ingest([str(tmp_path)], url, options(small_ner_checkpoint, engine="ray"))
    message = str(error.value)
    assert message.startswith("2 of 3 file(s) cannot be read: ") and message.endswith(
        "add --skip-bad to ingest the other files"
    )
    assert f"{tmp_path / 'bad.jsonl'}:2: expected a JSON object, got list" in message
    assert f"{tmp_path / 'latin.txt'}: not UTF-8 text (byte 2)" in message
    assert chunk_count(url) == 0  # no table made, nothing written


def test_sqlite_is_refused_with_the_reason_and_what_to_use(tmp_path, capsys):
    from doclinks.cli.main import main

    db = tmp_path / "graph.db"
    text = tmp_path / "a.txt"
    text.write_text("Anna Smith moved to Paris.", encoding="utf-8")
    assert main(["ingest", str(text), "--labels", "person", "--db", str(db), "--engine", "ray"]) == 1
    err = capsys.readouterr().err
    assert "SQLite has one writer at a time" in err and "postgresql://" in err and "without --engine ray" in err
    assert not db.exists()  # refused before anything was made
    assert main(["ingest", str(text), "--labels", "person", "--db", str(db), "--ray-actors", "2"]) == 1
    assert "--ray-actors: only with --engine ray" in capsys.readouterr().err


def test_without_ray_the_error_names_the_extra(monkeypatch):
    from doclinks.scale import require_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees where Ray is not installed
    with pytest.raises(ImportError, match=r'pip install "doclinks\[ray\]"'):
        require_ray()
