"""Counts that agree, and an order the output explains (issue 29, item 4).

- The ingest summary's "distinct tags" is the count `doclinks stats` gives: the tags some chunk
  carries, after merging and relabelling (it used to count rows of the tag table that no chunk
  carries any more).
- `doclinks search` says how many results are there and why: "4 nearest + 2 through shared entities"
  (`--k` bounds the nearest; a traversal adds the chunks linked to them), and each group of results
  is headed by the order it comes in; depth-1 results show the rank they are ordered by.
"""

from __future__ import annotations

import json
import re
import shutil

from .conftest import run_cli, stored_documents

QUESTION = "Where does Anna Smith work?"


def test_the_summary_counts_the_tags_stats_counts(ingested, tmp_path):
    db = tmp_path / "relabelled.db"
    shutil.copy(ingested.db, db)
    person = {
        (l.kind, l.tag) for d in stored_documents(db) for l in d.metadata.get("links", []) if l.kind == "entity:person"
    }
    assert person  # the corpus names people (test_ingest.py asserts Anna Smith)
    # Extracted again with one label: the person and organization tags leave every chunk.
    done = run_cli("ingest", "notes", "--labels", "location", "--relabel", "--db", db, "--model", ingested.model,
                   "--chunk-size", "70", "--json", "--no-progress", cwd=ingested.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    stats = run_cli("stats", "--db", db, "--json", cwd=ingested.root)
    assert stats.returncode == 0, stats.stderr
    counted = json.loads(stats.stdout)
    assert "person" not in counted["tags_per_label"]
    carried = {(l.kind, l.tag) for d in stored_documents(db) for l in d.metadata.get("links", [])}
    assert summary["distinct_tags"] == counted["distinct_tags"] == len(carried)


def test_search_says_how_many_results_and_why_and_in_which_order(ingested):
    from doclinks.store import SQLiteGraphStore, SQLiteSettings
    from doclinks.store.ranking import neighbour_rank

    text = run_cli("search", QUESTION, "--db", ingested.db, cwd=ingested.root)  # the default k=4, depth=1
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    found = re.search(r"\(traversal, k=4, depth=1: (\d+) nearest \+ (\d+) through shared entities\)$", lines[0])
    assert found, lines[0]
    nearest, linked = int(found.group(1)), int(found.group(2))
    results = [line for line in lines if re.match(r"\s*\d+\. ", line)]
    assert nearest == 4 and linked >= 1 and len(results) == nearest + linked
    heads = [i for i, line in enumerate(lines) if line.startswith(("nearest: ", "through shared entities, depth 1: "))]
    assert [lines[i].split(":")[0] for i in heads] == ["nearest", "through shared entities, depth 1"]
    assert "most similar first" in lines[heads[0]] and "best rank first" in lines[heads[1]]
    assert lines.index(results[0]) > heads[0] and lines.index(results[nearest]) > heads[1] > lines.index(
        results[nearest - 1]
    )
    scores = [float(re.search(r"score (-?[\d.]+)", line).group(1)) for line in results]
    ranks = [float(re.search(r"rank ([\d.]+)", line).group(1)) for line in results[nearest:]]
    assert scores[:nearest] == sorted(scores[:nearest], reverse=True)
    assert ranks == sorted(ranks, reverse=True)  # the order of depth 1 is the order of the rank shown
    assert all("rank" not in line for line in results[:nearest])

    done = run_cli("search", QUESTION, "--db", ingested.db, "--json", cwd=ingested.root)
    out = json.loads(done.stdout)
    assert (
        out["counts"] == {"nearest": nearest, "named": 0, "linked": linked} and len(out["results"]) == nearest + linked
    )
    with SQLiteGraphStore(ingested.db, sqlite=SQLiteSettings(read_only=True)) as store:
        n_chunks, idf_weight = len(store), store.settings.idf_weight
    for r in out["results"][nearest:]:
        degrees = [v["chunks"] for v in r["via"]]
        assert r["rank_score"] == neighbour_rank(r["score"], degrees, n_chunks, idf_weight)
    assert all(r["rank_score"] is None for r in out["results"][:nearest])
