"""`doclinks search`: results with source, depth, score, and the shared tags that brought each one in."""

from __future__ import annotations

import json

from doclinks import cli

from .conftest import run_cli, stored_documents

QUESTION = "Where does Anna Smith work?"


def sides(doc):
    outs = {(l.kind, l.tag) for l in doc.metadata.get("links", []) if l.direction in ("out", "bidir")}
    ins = {(l.kind, l.tag) for l in doc.metadata.get("links", []) if l.direction in ("in", "bidir")}
    return outs, ins


def test_traversal_results_explain_themselves(ingested):
    done = run_cli("search", QUESTION, "--db", ingested.db, "--k", "2", "--depth", "1", "--json", cwd=ingested.root)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["search"], out["k"], out["depth"]) == ("traversal", 2, 1)
    results = out["results"]
    docs = {d.id: d for d in stored_documents(ingested.db)}
    roots = [r for r in results if r["depth"] == 0]
    hops = [r for r in results if r["depth"] == 1]
    assert len(roots) == 2 and hops, results  # the corpus links Anna's chunks to others
    assert results[:2] == roots and [r["score"] for r in roots] == sorted((r["score"] for r in roots), reverse=True)
    assert "Anna Smith" in roots[0]["text"]
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    root_out = set().union(*(sides(docs[r["id"]])[0] for r in roots))
    for r in results:
        assert r["source"].startswith("notes/") and isinstance(r["chunk"], int)
        assert -1.0 <= r["score"] <= 1.0
        assert r["text"] == docs[r["id"]].page_content
    for r in roots:
        assert r["via"] == []
    for r in hops:
        assert r["via"], r  # reached through at least one shared tag...
        via = {(v["kind"], v["tag"]) for v in r["via"]}
        assert via <= sides(docs[r["id"]])[1] & root_out  # ...that it and a root share
        assert all(v["label"] == v["kind"].split(":", 1)[1] for v in r["via"])


def test_text_output_for_people(ingested, capsys):
    assert cli.main(["search", QUESTION, "--db", str(ingested.db), "--k", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    stdout = captured.out
    lines = stdout.splitlines()
    assert lines[0].startswith(QUESTION) and "traversal, k=2, depth=1" in lines[0]
    result_lines = [line for line in lines if line.lstrip()[:2].rstrip(".").isdigit()]
    assert result_lines and all("depth" in line and "score" in line and "notes/" in line for line in result_lines)
    assert " 1. notes/" in stdout and "depth 0" in stdout and "similar to the question" in stdout
    assert "depth 1" in stdout
    assert any(line.strip().startswith(("via person: ", "via location: ", "via organization: ")) for line in lines)


def test_depth_zero_mmr_and_full_text(ingested, capsys):
    assert cli.main(["search", QUESTION, "--db", str(ingested.db), "--k", "3", "--depth", "0", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert len(results) == 3 and all(r["depth"] == 0 and r["via"] == [] for r in results)

    assert cli.main(["search", QUESTION, "--db", str(ingested.db), "--k", "2", "--mmr", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["search"] == "mmr_traversal"
    assert len(out["results"]) == 2 and all(r["mmr_score"] is not None for r in out["results"])


def test_long_chunks_are_cut_unless_full(capsys):
    from doclinks.cli.search import Result, SearchOptions, render_results

    text = "Anna Smith moved to Paris. " * 30
    result = Result(rank=1, id="x", text=text, source="a.txt", chunk=0, line=None, depth=0, score=0.5, mmr_score=None)
    render_results([result], "q", SearchOptions())
    short = capsys.readouterr().out
    assert "…" in short and len(short) < 500  # the text is 810 characters
    render_results([result], "q", SearchOptions(), full=True)
    full = capsys.readouterr().out
    assert " ".join(full.split()).endswith(" ".join(text.split())) and "…" not in full


def test_bad_search_options_are_one_line(ingested, capsys):
    assert cli.main(["search", QUESTION, "--db", str(ingested.db), "--depth", "-1"]) == 1
    assert capsys.readouterr().err == "doclinks search: error: --depth must be at least 0, got -1\n"
    assert cli.main(["search", QUESTION, "--db", str(ingested.db), "--mmr", "--lambda-mult", "2"]) == 1
    assert "--lambda-mult must lie in [0, 1]" in capsys.readouterr().err


def test_the_command_line_and_the_store_share_one_default(ingested):
    from doclinks.store import SQLiteGraphStore, SQLiteSettings

    done = run_cli("search", QUESTION, "--db", ingested.db, "--k", "2", "--json", cwd=ingested.root)
    assert done.returncode == 0, done.stderr
    with SQLiteGraphStore(ingested.db, sqlite=SQLiteSettings(read_only=True)) as store:
        expected = store.traversal_search(QUESTION, k=2)
    assert [r["id"] for r in json.loads(done.stdout)["results"]] == [d.id for d in expected]
    assert [tuple(map(tuple, d.metadata.get("_via", []))) for d in expected] == [
        tuple((v["kind"], v["tag"]) for v in r["via"]) for r in json.loads(done.stdout)["results"]
    ]


def test_ppr_mode_seeds_with_the_entities_of_the_question(ingested):
    done = run_cli("search", QUESTION, "--db", ingested.db, "--mode", "ppr", "--k", "4", "--model", ingested.model,
                   "--json", cwd=ingested.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["search"] == "ppr" and len(out["results"]) == 4
    scores = [r["ppr_score"] for r in out["results"]]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    stored = {(l.kind, l.tag) for d in stored_documents(ingested.db) for l in d.metadata.get("links", [])}
    for r in out["results"]:
        assert all((v["kind"], v["tag"]) in stored for v in r["via"])
    text = run_cli(
        "search", QUESTION, "--db", ingested.db, "--mode", "ppr", "--model", ingested.model, cwd=ingested.root
    )
    assert text.returncode == 0 and "(PPR, k=4: 4 results)" in text.stdout
