"""Evaluation: metrics on hand-made predictions, dev-set loading, the report."""

from __future__ import annotations

import json

import pytest

from doclinks.ner.train import evaluate as ev
from doclinks.ner.train.examples import EvalExample
from doclinks.paths import DATA_ENV, data_root


# --------------------------------------------------------------------------------------------- metrics
def test_micro_scores_on_hand_made_predictions():
    gold = [
        [(0, 4, "person"), (10, 15, "city")],
        [(3, 8, "company")],
        [],
    ]
    predicted = [
        [(0, 4, "person"), (10, 15, "country")],  # one exact match, one wrong type
        [(3, 9, "company"), (3, 8, "company")],  # wrong boundary, then the exact span
        [(1, 2, "person")],  # spurious
    ]
    s = ev.score(gold, predicted)
    assert (s.tp, s.fp, s.fn) == (2, 3, 1)
    assert s.precision == pytest.approx(2 / 5) and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 * (2 / 5) * (2 / 3) / (2 / 5 + 2 / 3))
    assert ev.score([[]], [[]]).f1 == 0.0
    with pytest.raises(ValueError, match="2 gold sentences but 1 predicted"):
        ev.score([[], []], [[]])


def test_report_average_table_and_json(tmp_path):
    results = [
        ev.SetResult("crossner-ai", ev.Score(tp=5, fp=5, fn=5), 10, 1.0),  # F1 0.5
        ev.SetResult("mit-movie", ev.Score(tp=3, fp=1, fn=0), 4, 1.0),  # F1 6/7
        ev.SetResult("conll2003", ev.Score(tp=1, fp=0, fn=0), 1, 1.0),  # not zero-shot
    ]
    report = ev.Report(results, model="m", limit=10)
    assert report.zero_shot_average == pytest.approx(100 * (0.5 + 6 / 7) / 2)
    table = report.table()
    assert "zero-shot average" in table and "crossner-ai" in table and "conll2003" in table
    assert table.index("zero-shot average") < table.index("conll2003")
    ev.write_json(report, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["sets"]["crossner-ai"]["f1"] == 50.0 and data["zero_shot_average_f1"] == round(
        report.zero_shot_average, 2
    )
    assert data["zero_shot_sets"] == ["crossner-ai", "mit-movie"]


def test_dev_set_loading_lowercases_and_maps_aliases(tmp_path):
    folder = tmp_path / "ner" / "dev" / "crossner-music"
    folder.mkdir(parents=True)
    sentence = {"sentence": "Queen played in London", "entities": [
        {"name": "Queen", "type": "Band", "pos": [0, 5]}, {"name": "London", "type": "misc", "pos": [16, 22]}]}  # fmt: skip
    (folder / "dev.json").write_text(json.dumps([sentence]))
    (folder / "labels.json").write_text(json.dumps(["band", "Else", "location"]))
    dev = ev.load_dev_set("crossner-music", tmp_path)
    assert dev.labels == ["band", "else", "location"] and dev.remapped == 1
    assert dev.examples == [EvalExample("Queen played in London", [(0, 5, "band"), (16, 22, "else")])]
    wnut = tmp_path / "ner" / "dev" / "wnut17"
    wnut.mkdir()
    (wnut / "emerging.dev.conll").write_text(
        "Visit\tO\nEmpire\tB-location\nState\tI-location\nnow\tO\n\nread\tO\nDune\tB-creative-work\n"
    )
    dev = ev.load_dev_set("wnut17", tmp_path)
    assert dev.labels == ["creative work", "location"]
    assert dev.examples[0] == EvalExample("Visit Empire State now", [(6, 18, "location")])
    assert dev.examples[1].entities == [(5, 9, "creative work")]
    with pytest.raises(ev.DataError, match="no such dev set"):
        ev.load_dev_set("nope", tmp_path)


def test_real_dev_sets_load():
    if not (data_root() / "ner" / "dev").is_dir():
        pytest.skip(f"shared data not found at {data_root()} (set {DATA_ENV})")
    assert ev.available_sets() == list(ev.ALL_SETS)
    sizes = {"crossner-ai": 350, "mit-movie": 1000, "mit-restaurant": 1000, "conll2003": 3250}
    for name, size in sizes.items():
        dev = ev.load_dev_set(name)
        assert len(dev.examples) == size
        labels = set(dev.labels)
        assert all(t in labels for x in dev.examples for _, _, t in x.entities)
    music = ev.load_dev_set("crossner-music")
    assert music.remapped == 124 + 136  # misc -> else, organisation -> organization
