"""`doclinks entities` (table, JSON, HTML) and `doclinks demo` (the main job in one command)."""

from __future__ import annotations

import json
import re
import sqlite3

from doclinks import cli
from doclinks.cli.demo import demo_input, sample_path

from .conftest import LABELS, REPO, cli_env, run_cli

TEXT = "Anna Smith moved to Paris. Omar Okafor and Elena Rossi met in Berlin."


def test_entities_json_has_offsets_into_the_text(ner_model, capsys):
    assert cli.main(["entities", TEXT, "--labels", LABELS, "--model", ner_model, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == TEXT and out["labels"] == LABELS.split(",")
    found = {(e["text"], e["label"]) for e in out["entities"]}
    assert ("Anna Smith", "person") in found and ("Paris", "location") in found
    for e in out["entities"]:
        assert TEXT[e["start"] : e["end"]] == e["text"] and 0.5 < e["score"] <= 1.0
    starts = [e["start"] for e in out["entities"]]
    assert starts == sorted(starts)


def test_entities_table_file_and_stdin(ner_model, tmp_path, capsys, monkeypatch):
    note = tmp_path / "note.txt"
    note.write_text(TEXT, encoding="utf-8")
    assert cli.main(["entities", "--file", str(note), "--labels", LABELS, "--model", ner_model]) == 0
    table = capsys.readouterr().out
    assert "entities in note.txt" in table
    assert re.search(r"Anna Smith\s*│\s*person\s*│\s*\d\.\d\d\s*│\s*0-10\s*│\s*Anna Smith", table), table

    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(TEXT))
    assert cli.main(["entities", "--file", "-", "--labels", LABELS, "--model", ner_model, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == TEXT


def test_entities_html_page_written_to_a_file(ner_model, tmp_path, capsys):
    out = tmp_path / "entities.html"
    assert (
        cli.main(["entities", TEXT, "--labels", LABELS, "--model", ner_model, "--format", "html", "-o", str(out)]) == 0
    )
    assert capsys.readouterr().err.endswith(f"entities; wrote {out}\n")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>text · doclinks entities</title>" in page
    assert page.count('<mark class="entity"') >= 3
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)\s*=", page, re.I)


def test_demo_input_prefers_the_shared_state_of_the_union(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCLINKS_DATA", str(tmp_path))
    assert demo_input().path == sample_path()
    assert sample_path().is_file() and sample_path().parent == REPO / "doclinks" / "data"
    sotu = tmp_path / "texts" / "state_of_the_union.txt"
    sotu.parent.mkdir()
    sotu.write_text("Madam Speaker, Madam Vice President.")
    chosen = demo_input()
    assert chosen.path == sotu and "State of the Union" in chosen.what and "Ketanji Brown Jackson" in chosen.question


def test_sample_text_is_a_few_paragraphs_naming_people_places_organisations():
    text = sample_path().read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert 4 <= len(paragraphs) <= 10 and 1500 < len(text) < 6000
    for name in (
        "Margaret Ellery",
        "Tomas Varga",
        "Lisbon",
        "Edinburgh",
        "Northern Lighthouse Board",
        "Lisbon Harbour Commission",
    ):
        assert text.count(name) >= 2, name  # recurring names: chunks link


def test_demo_ingests_the_sample_then_searches(ner_model, tmp_path):
    env = cli_env(DOCLINKS_DATA=str(tmp_path / "no-shared-data"))
    done = run_cli("demo", "--model", ner_model, "--no-progress", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo.db").is_file()
    assert "the sample text shipped with doclinks" in done.stderr
    out = done.stdout
    assert "ingested into demo.db" in out and "files          1 read" in out and "chunks         10 (10 new)" in out
    for word in ("entities", "distinct tags", "time"):
        assert word in out
    assert "Who built the lighthouse at Cascais?" in out and "traversal, k=2, depth=1" in out
    assert " 1. " in out and "depth 0" in out and "depth 1" in out and "sample.txt · chunk" in out
    # What doclinks is for: a result that only a shared entity brought in, with the tags it came through.
    assert re.search(r"Result \d+ is here only because of a shared entity \((Person|Location|Organization): ", out)
    again = run_cli(
        "demo", "--model", ner_model, "--no-progress", "--question", "Who is Tomas Varga?", cwd=tmp_path, env=env
    )
    assert again.returncode == 0, again.stderr
    assert "chunks         10 (nothing new to ingest: all already stored)" in again.stdout
    assert "Who is Tomas Varga?" in again.stdout


def test_an_installation_missing_the_default_model_says_so_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """A broken install (the model folder deleted): one error line, no database."""
    import doclinks.ner.default as default

    monkeypatch.setattr(default, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")
    monkeypatch.setattr(default, "_model", None)  # as if this process had not loaded it yet
    (tmp_path / "a.txt").write_text(TEXT)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["ingest", "a.txt", "--labels", LABELS, "--no-progress"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("doclinks ingest: error: doclinks ships no default NER model yet")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_demo_on_the_shipped_default_model(tmp_path):
    """The README's main command, on the sample text (the shared data is hidden for speed)."""
    done = run_cli("demo", "--no-progress", cwd=tmp_path, env=cli_env(DOCLINKS_DATA=str(tmp_path / "none")))
    assert done.returncode == 0, done.stderr
    assert "chunks         10 (10 new)" in done.stdout and " 1. " in done.stdout
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        assert conn.execute("SELECT count(*) FROM tags").fetchone()[0] > 0  # it found entities
