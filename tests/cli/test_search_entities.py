"""`doclinks search --entity-k` and `--mode ppr` end to end on a hand-made corpus (small test model).

The question names a person; the passage about that person shares hardly a word with it, the
distractors share many. Plain traversal misses it; entity-seeded traversal brings it in as a root,
shown with the question's tag that chose it.
"""

from __future__ import annotations

import json

from .conftest import run_cli, stored_documents

# The distractors hold no name and no word the small model reads as one (tests/store/
# test_entity_seeded_corpus.py), so the question's own words cannot seed them.
PASSAGES = {
    "anna.txt": "Anna Smith grew up in Oslo and became a surgeon in Lima.",
    "winter.txt": "The cold winter brought weeks of rain and flooded roads.",
    "weeks.txt": "Weeks of rain flooded roads during a long cold winter.",
    "roads.txt": "A long cold winter brought rain that flooded roads for weeks.",
    "rain.txt": "Roads flooded after weeks of rain in a long cold winter.",
}
QUESTION = "Where did Anna Smith work before weeks of rain flooded roads in a long cold winter?"


def test_entity_seeded_roots_from_the_command_line(tmp_path, small_ner_checkpoint):
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in PASSAGES.items():
        (root / name).write_text(text, encoding="utf-8")
    db = tmp_path / "graph.db"
    model = str(small_ner_checkpoint)
    done = run_cli("ingest", str(root), "--labels", "person,location,organization", "--model", model, "--db", str(db))
    assert done.returncode == 0, done.stderr
    linked = {d.metadata["source"].rsplit("/", 1)[-1] for d in stored_documents(db) if d.metadata.get("links")}
    assert linked == {"anna.txt"}  # what the searches below rest on: the distractors carry no tag

    def sources(*extra):
        out = run_cli("search", QUESTION, "--db", str(db), "--k", "2", "--json", *extra)
        assert out.returncode == 0, out.stderr
        return [(r["source"].rsplit("/", 1)[-1], r["via"]) for r in json.loads(out.stdout)["results"]]

    assert "anna.txt" not in [s for s, _ in sources("--depth", "0")]
    seeded = dict(sources("--entity-k", "2", "--model", model))
    assert seeded["anna.txt"] == [{"kind": "entity:person", "label": "person", "tag": "Anna Smith"}]
    assert "anna.txt" in [s for s, _ in sources("--mode", "ppr", "--model", model)]
    bad = run_cli("search", QUESTION, "--db", str(db), "--entity-k", "-1")
    assert bad.returncode == 1 and "--entity-k must be at least 0" in bad.stderr
