"""Self-distillation rows: character spans back onto words, and a real model's spans written as training rows."""

from __future__ import annotations

import json

from doclinks.ner.train.examples import Example, word_starts
from doclinks.ner.train.pool import build_pool
from doclinks.ner.train.teacher import char_to_word_span, main, set_labels, teacher_rows

WORDS = ["Élodie", "Dupont", "visited", "Zürich", "."]


def test_word_starts():
    assert word_starts(WORDS) == [0, 7, 14, 22, 29]
    assert word_starts([]) == []


def test_char_to_word_span_on_word_edges_only():
    text = " ".join(WORDS)
    assert char_to_word_span(WORDS, 0, 13) == (0, 1)
    assert text[0:13] == "Élodie Dupont"
    assert char_to_word_span(WORDS, 22, 28) == (3, 3)
    assert char_to_word_span(WORDS, 0, 5) is None  # ends inside "Élodie"
    assert char_to_word_span(WORDS, 1, 6) is None  # starts inside it
    assert char_to_word_span(WORDS, 6, 13) is None  # starts on the space


def test_set_labels():
    examples = [Example(["a", "b"], [(0, 0, "person")], "s", [(0, 0, "agent")]), Example(["c"], [(0, 0, "place")])]
    assert set_labels(examples) == ["agent", "person", "place"]


def test_rows_hold_what_the_teacher_found(small_ner_model):
    examples = [
        Example("Alan Turing visited Paris with Ada Lovelace .".split(), []),
        Example("Siemens opened an office in Berlin .".split(), []),
        Example("nothing here at all".split(), []),
    ]
    labels = ["person", "location", "organization"]
    rows = teacher_rows(small_ner_model, examples, labels)
    found = small_ner_model.inference([" ".join(x.words) for x in examples], labels, flat_ner=True)
    assert [r["tokenized_text"] for r in rows] == [x.words for x in examples]
    for row, preds in zip(rows, found):
        # every span of the row is one of the model's entities, same words, same label
        written = {(" ".join(row["tokenized_text"][s : e + 1]), label) for s, e, label in row["ner"]}
        assert written == {(p["text"], p["label"]) for p in preds}
    assert ["Alan", "Turing"] in [rows[0]["tokenized_text"][s : e + 1] for s, e, _ in rows[0]["ner"]]


def test_command_writes_rows_the_pool_reads(small_ner_checkpoint, tmp_path, capsys):
    data = tmp_path / "data"
    folder = data / "ner" / "train" / "wnut17"
    folder.mkdir(parents=True)
    (folder / "wnut17train.conll").write_text(
        "Alan\tB-person\nTuring\tI-person\nvisited\tO\nParis\tB-location\n.\tO\n\n"
        "Ada\tB-person\nLovelace\tI-person\nwrote\tO\n.\tO\n",
        encoding="utf-8",
    )
    out = tmp_path / "teacher-wnut17.jsonl"
    main(["--model", str(small_ner_checkpoint), "--set", "wnut17", "--output", str(out), "--data", str(data)])
    assert "2 rows" in capsys.readouterr().out
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["tokenized_text"][0] for r in rows] == ["Alan", "Ada"]
    assert {label for r in rows for *_, label in r["ner"]} <= {"person", "location"}
    pool = build_pool([], extra=[out])
    assert [x.words for x in pool["teacher-wnut17"]] == [r["tokenized_text"] for r in rows]
