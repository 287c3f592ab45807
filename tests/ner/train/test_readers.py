"""Readers of the NER formats: GLiNER JSON(L), eval JSON, BIO, IO, the wide sets' BIO with labels.tsv."""

from __future__ import annotations

import json
import random

import pytest

from doclinks.ner.train.examples import DataError, EvalExample, crop, eval_to_example
from doclinks.ner.train.pool import renamed
from doclinks.ner.train.readers import (
    read_bio,
    read_eval_json,
    read_gliner_json,
    read_io,
    read_label_table,
    read_named_bio,
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_gliner_json_array_and_lines(tmp_path):
    items = [
        {"tokenized_text": ["Anna", "lives", "in", "New", "York", "."], "ner": [[0, 0, "person"], [3, 4, "city"]]},
        {"tokenized_text": ["Nothing", "here"], "ner": []},
    ]
    for path in (
        write(tmp_path, "a.json", json.dumps(items, indent=1)),
        write(tmp_path, "a.jsonl", "\n".join(map(json.dumps, items))),
    ):
        examples = read_gliner_json(path, source="x")
        assert [x.words for x in examples] == [items[0]["tokenized_text"], items[1]["tokenized_text"]]
        assert examples[0].spans == [(0, 0, "person"), (3, 4, "city")]
        assert examples[1].spans == [] and examples[0].source == "x"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{"tokenized_text": ["a", "b"], "ner": [[0, 2, "x"]]}', "outside the 2 words"),
        ('{"tokenized_text": ["a", "b"], "ner": [[1, 0, "x"]]}', "outside the 2 words"),
        ('{"tokenized_text": ["a", "b"], "ner": [[0, 1]]}', r"is not \[start, end, label\]"),
        ('{"tokenized_text": ["a", "b"], "ner": [[0, 1, ""]]}', "non-empty string"),
        ('{"tokenized_text": ["a", "b"], "ner": [["0", 1, "x"]]}', "must be integers"),
        ('{"tokenized_text": "a b", "ner": []}', "list of non-empty strings"),
        ('{"words": ["a"]}', "expected an object"),
        ('{"tokenized_text": ["a"], "ner": [}', "not valid JSON"),
    ],
)
def test_gliner_json_malformed_entry_names_file_and_line(tmp_path, entry, message):
    good = '{"tokenized_text": ["ok"], "ner": []}'
    path = write(tmp_path, "bad.json", f"[\n{good},\n{good},\n{entry}\n]\n")
    with pytest.raises(DataError, match=message) as info:
        read_gliner_json(path)
    assert str(info.value).startswith(f"{path}:4:")
    lines = write(tmp_path, "bad.jsonl", f"{good}\n{entry}\n")
    with pytest.raises(DataError) as info:
        read_gliner_json(lines)
    assert str(info.value).startswith(f"{lines}:2:")


def test_gliner_json_not_an_array(tmp_path):
    with pytest.raises(DataError, match=r"bad.json:1: expected a JSON array"):
        read_gliner_json(write(tmp_path, "bad.json", '{"tokenized_text": []}'))
    with pytest.raises(DataError, match=r"expected ',' or '\]'"):
        read_gliner_json(write(tmp_path, "bad.json", '[{"tokenized_text": ["a"]} {"tokenized_text": ["b"]}]'))


def test_eval_json(tmp_path):
    items = [
        {
            "sentence": "EU rejects German call .",
            "entities": [
                {"name": "EU", "type": "organization", "pos": [0, 2]},
                {"name": "German", "type": "else", "pos": [11, 17]},
            ],
        }
    ]
    (example,) = read_eval_json(write(tmp_path, "dev.json", json.dumps(items)))
    assert example == EvalExample("EU rejects German call .", [(0, 2, "organization"), (11, 17, "else")])
    converted, dropped = eval_to_example(example, "conll2003")
    assert converted.words == ["EU", "rejects", "German", "call", "."]
    assert converted.spans == [(0, 0, "organization"), (2, 2, "else")] and dropped == 0


def test_eval_json_malformed(tmp_path):
    bad = [{"sentence": "short", "entities": [{"name": "x", "type": "t", "pos": [0, 9]}]}]
    with pytest.raises(DataError, match=r"dev.json:1: .*outside the sentence"):
        read_eval_json(write(tmp_path, "dev.json", json.dumps(bad)))
    with pytest.raises(DataError, match=r"dev.json:2: .*needs 'pos'"):
        read_eval_json(
            write(
                tmp_path,
                "dev.json",
                '[{"sentence": "a", "entities": []},\n{"sentence": "b", "entities": [{"type": "t"}]}]',
            )
        )


def test_bio(tmp_path):
    text = "-DOCSTART-\tO\n\nEmpire\tB-location\nState\tI-location\nis\tO\nnice\tO\n\t\nApple\tI-corporation\nand\tO\nIBM\tB-corporation\nMicrosoft\tB-corporation\nCorp\tI-corporation\nx\tI-person\n"
    first, second = read_bio(write(tmp_path, "a.conll", text), source="wnut17")
    assert first.words == ["Empire", "State", "is", "nice"] and first.spans == [(0, 1, "location")]
    # An I- tag that continues nothing starts an entity; B- always starts one.
    assert second.spans == [(0, 0, "corporation"), (2, 2, "corporation"), (3, 4, "corporation"), (5, 5, "person")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("word\tX-person", "bad BIO tag"),
        ("word B-person", "expected 'token<TAB>tag'"),
        ("a\tb\tO", "expected 'token<TAB>tag'"),
        ("word\tB-", "bad BIO tag"),
    ],
)
def test_bio_malformed_line(tmp_path, line, message):
    path = write(tmp_path, "bad.tsv", f"ok\tO\n\nfine\tB-x\n{line}\n")
    with pytest.raises(DataError, match=message) as info:
        read_bio(path)
    assert str(info.value).startswith(f"{path}:4:")


def test_io(tmp_path):
    text = "graph\tAI-algorithm\nnetworks\tAI-algorithm\nbeat\tO\nBLEU\tNLP-metrics\nscores\tNLP-term\n\nok\tO\n"
    first, second = read_io(write(tmp_path, "a.txt", text))
    assert first.spans == [(0, 1, "AI-algorithm"), (3, 3, "NLP-metrics"), (4, 4, "NLP-term")]
    assert second.words == ["ok"] and second.spans == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("x\tO\ny\tB-person\n", r"a.txt:2: .*looks like a BIO tag"), ("x\n", r"a.txt:1: expected 'token<TAB>tag'")],
)
def test_io_malformed(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_io(write(tmp_path, "a.txt", text))


def test_fallback_read_from_gliner_json_and_kept_by_crop_and_renaming(tmp_path):
    line = {
        "tokenized_text": ["Ann", "Lee", "met", "Bo"],
        "ner": [[0, 1, "politician"], [3, 3, "PERSON"]],
        "fallback": [[0, 1, "PERSON"]],
    }
    path = write(tmp_path, "silver-x.jsonl", json.dumps(line) + "\n")
    (example,) = read_gliner_json(path, "silver")
    assert example.fallback == [(0, 1, "PERSON")]
    named = renamed(example, "silver")
    assert named.spans == [(0, 1, "politician"), (3, 3, "person")] and named.fallback == [(0, 1, "person")]
    cropped = crop(named, 3, random.Random(0))
    assert all((s, e) in {(a, b) for a, b, _ in cropped.spans} for s, e, _ in cropped.fallback)
    bad = dict(line, fallback=[[2, 2, "PERSON"]])  # a fallback needs a fine label on the same span
    path = write(tmp_path, "bad.jsonl", json.dumps(bad) + "\n")
    with pytest.raises(DataError, match=r"bad.jsonl:1: every 'fallback' span"):
        read_gliner_json(path)


def test_named_bio_gives_natural_names_and_coarse_fallbacks(tmp_path):
    folder = tmp_path / "wide"
    folder.mkdir()
    (folder / "labels.tsv").write_text(
        "# raw tag\tnatural name\tcoarse name\nperson_politician\tpolitician\tperson\norganization_other\torganization\t\n",
        encoding="utf-8",
    )
    (folder / "train.bio").write_text(
        "Merkel\tB-person_politician\nleads\tO\nthe\tO\nCDU\tB-organization_other\nparty\tI-organization_other\n",
        encoding="utf-8",
    )
    table = read_label_table(folder / "labels.tsv")
    assert table == {"person_politician": ("politician", "person"), "organization_other": ("organization", None)}
    (x,) = read_named_bio(folder / "train.bio", table, "wide")
    assert x.spans == [(0, 0, "politician"), (3, 4, "organization")]
    assert x.fallback == [(0, 0, "person")] and x.source == "wide"
    (folder / "train.bio").write_text("Merkel\tB-unknown_tag\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"'unknown_tag' is not in the set's labels\.tsv"):
        read_named_bio(folder / "train.bio", table)
    (folder / "bad.tsv").write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.tsv:1"):
        read_label_table(folder / "bad.tsv")


def test_named_bio_by_service_gives_each_query_its_service_as_source(tmp_path):
    (tmp_path / "labels.tsv").write_text(
        "Music.artist\tartist\tperson\nRestaurants.city\tcity\tlocation\n", encoding="utf-8"
    )
    (tmp_path / "train.bio").write_text(
        "play\tO\nAdele\tB-Music.artist\n\nfood\tO\nin\tO\nOslo\tB-Restaurants.city\n\nhello\tO\n", encoding="utf-8"
    )
    table = read_label_table(tmp_path / "labels.tsv")
    music, food, none = read_named_bio(tmp_path / "train.bio", table, "q", by_service=True)
    assert (music.source, food.source, none.source) == ("q/Music", "q/Restaurants", "q")
    assert food.spans == [(2, 2, "city")] and food.fallback == [(2, 2, "location")]
    assert {x.source for x in read_named_bio(tmp_path / "train.bio", table, "q")} == {"q"}  # off: the set's name
