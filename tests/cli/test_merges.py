"""Corpus normalisation in `doclinks ingest`: merges are recorded, listed by `stats`, undone by
`--no-merge`, and recomputed (not stacked) by a later run; `--min-link-score` is checked."""

from __future__ import annotations

import json

import pytest

from doclinks import cli

from .conftest import stored_documents

FILES = {
    "a.txt": "Volodymyr Zelenskyy spoke in Kyiv on Monday.",
    "b.txt": "Volodymyr Zelenskyy met reporters in Kyiv on Tuesday.",
    "c.txt": "On Wednesday Zelenskyy thanked the soldiers.",
}


def _ingest(capsys, root, *extra) -> dict:
    code = cli.main(["ingest", str(root), "--labels", "Person,Location", "--db", str(root / "g.db"),
                     "--json", "--no-progress", *extra])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def _person_tags(db) -> dict[str, set[str]]:
    return {
        d.metadata["source"].rsplit("/", 1)[-1]: {
            l.tag for l in d.metadata.get("links", []) if l.kind == "entity:Person"
        }
        for d in stored_documents(db)
    }


def _merges(capsys, db) -> list[dict]:
    assert cli.main(["stats", "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)["merges"]


def test_merge_listed_undone_and_redone(tmp_path, capsys, ner_model):
    import torch

    torch.set_num_threads(1)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    db = tmp_path / "g.db"
    summary = _ingest(capsys, tmp_path, "--model", ner_model)
    assert _person_tags(db)["c.txt"] == {"Volodymyr Zelenskyy"}  # the surname joined the full name (two chunks)
    assert cli.main(["stats", "--db", str(db), "--json"]) == 0  # one count of tags, after merging
    assert summary["distinct_tags"] == json.loads(capsys.readouterr().out)["distinct_tags"]
    assert _merges(capsys, db) == [
        {"kind": "entity:Person", "from": "Zelenskyy", "to": "Volodymyr Zelenskyy", "chunks": 1}
    ]
    _ingest(capsys, tmp_path, "--model", ner_model)  # nothing new: merges are recomputed, not stacked
    assert _merges(capsys, db) == [
        {"kind": "entity:Person", "from": "Zelenskyy", "to": "Volodymyr Zelenskyy", "chunks": 1}
    ]
    _ingest(capsys, tmp_path, "--model", ner_model, "--no-merge")
    assert _person_tags(db)["c.txt"] == {"Zelenskyy"} and _merges(capsys, db) == []
    _ingest(capsys, tmp_path, "--model", ner_model)
    assert _person_tags(db)["c.txt"] == {"Volodymyr Zelenskyy"}
    assert cli.main(["stats", "--db", str(db)]) == 0
    printed = capsys.readouterr().out
    assert "merges" in printed and "Zelenskyy" in printed
    # Undo this one merge for good: later runs keep it apart.
    _ingest(capsys, tmp_path, "--model", ner_model, "--keep-apart", "Zelenskyy")
    assert _person_tags(db)["c.txt"] == {"Zelenskyy"} and _merges(capsys, db) == []
    _ingest(capsys, tmp_path, "--model", ner_model)
    assert _person_tags(db)["c.txt"] == {"Zelenskyy"} and _person_tags(db)["a.txt"] == {"Volodymyr Zelenskyy"}


@pytest.mark.parametrize("value", ["1.5", "-0.2"])
def test_min_link_score_must_be_a_probability(tmp_path, capsys, value):
    (tmp_path / "a.txt").write_text("Anna met Omar.", encoding="utf-8")
    code = cli.main(
        ["ingest", str(tmp_path), "--labels", "Person", "--db", str(tmp_path / "g.db"), "--min-link-score", value]
    )
    assert code != 0 and "--min-link-score" in capsys.readouterr().err
    assert not (tmp_path / "g.db").exists()


def test_corpus_normalisation_writes_in_bounded_batches(tmp_path, monkeypatch):
    """The last step of an ingest rewrites changed chunks a batch at a time, not in one long transaction."""
    from doclinks import normalize_pass, pipeline
    from doclinks.document import Document
    from doclinks.links import Link
    from doclinks.store import SQLiteGraphStore

    P = "entity:Person"
    docs = []
    for i in range(5):
        tag = "Volodymyr Zelenskyy" if i < 2 else "ZELENSKYY"
        records = [
            {
                "text": tag,
                "label": "Person",
                "score": 0.95,
                "start": 0,
                "end": len(tag),
                "kind": P,
                "tag": tag,
                "linked": True,
            }
        ]
        docs.append(
            Document(
                f"{tag} spoke ({i}).",
                {"source": "x.txt", "entities": records, "links": [Link.bidir(P, tag)]},
                id=f"d{i}",
            )
        )
    db = tmp_path / "g.db"
    store = SQLiteGraphStore(db)
    store.add_documents(docs)
    sizes = []
    original = store.add_documents
    monkeypatch.setattr(
        store, "add_documents", lambda batch, *a, **k: (sizes.append(len(batch)), original(batch, *a, **k))[1]
    )
    monkeypatch.setattr(normalize_pass, "NORMALIZE_BATCH", 2)  # where the pass reads it
    changed = pipeline.normalize_store(store)
    assert changed == 3 and sizes == [2, 1]
    assert {l.tag for d in store.iter_documents() for l in d.metadata["links"]} == {"Volodymyr Zelenskyy"}
    store.close()


def test_other_labels_on_stored_chunks_are_warned_and_relabel_extracts_again(tmp_path, capsys, ner_model):
    import torch

    torch.set_num_threads(1)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    db = tmp_path / "g.db"
    args = ["ingest", str(tmp_path), "--db", str(db), "--json", "--no-progress", "--model", ner_model]
    assert cli.main([*args, "--labels", "Person"]) == 0
    capsys.readouterr()
    kinds = lambda: {l.kind for d in stored_documents(db) for l in d.metadata.get("links", [])}  # noqa: E731
    assert kinds() == {"entity:Person"}
    assert all(d.metadata["ner_labels"] == ["Person"] for d in stored_documents(db))
    assert cli.main([*args, "--labels", "Location"]) == 0
    out = capsys.readouterr()
    assert "3 of the chunks given are stored with links of other labels (Person)" in out.err and "--relabel" in out.err
    assert json.loads(out.out)["new_chunks"] == 0 and kinds() == {"entity:Person"}
    assert cli.main([*args, "--labels", "Location", "--relabel"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["new_chunks"] == 3 and "other labels" not in out.err
    assert kinds() == {"entity:Location"}
    assert all(d.metadata["ner_labels"] == ["Location"] for d in stored_documents(db))
