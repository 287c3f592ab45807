"""Evaluation: metrics on hand-made predictions, dev-set loading, the report, and the `doclinks` CLI."""

from __future__ import annotations

import json

import pytest
import torch

from doclinks import cli
from doclinks.ner import evaluate as ev
from doclinks.ner.checkpoints import save_checkpoint
from doclinks.ner.data import EvalExample

from .training_helpers import fresh_model, write_toy_data


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
    assert data["sets"]["crossner-ai"]["f1"] == 50.0 and data["zero_shot_average_f1"] == round(report.zero_shot_average, 2)
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
    (wnut / "emerging.dev.conll").write_text("Visit\tO\nEmpire\tB-location\nState\tI-location\nnow\tO\n\nread\tO\nDune\tB-creative-work\n")
    dev = ev.load_dev_set("wnut17", tmp_path)
    assert dev.labels == ["creative work", "location"]
    assert dev.examples[0] == EvalExample("Visit Empire State now", [(6, 18, "location")])
    assert dev.examples[1].entities == [(5, 9, "creative work")]
    with pytest.raises(ev.DataError, match="no such dev set"):
        ev.load_dev_set("nope", tmp_path)


def test_real_dev_sets_load():
    from doclinks.ner.data import DATA_ENV, data_root

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


# ---------------------------------------------------------------------------------------------- the CLI
@pytest.fixture(scope="module")
def toy_checkpoint(tmp_path_factory):
    config, tokenizer, network = fresh_model()
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "model", config, tokenizer, network)


def test_cli_eval_runs_a_checkpoint_and_writes_json(tmp_path, toy_checkpoint, capsys):
    root = write_toy_data(tmp_path / "data")
    out = tmp_path / "r.json"
    code = cli.main(["eval", "--model", str(toy_checkpoint), "--data", str(root), "--sets", "toy", "--limit", "4", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "toy" in printed and "F1" in printed
    result = json.loads(out.read_text())
    assert result["sets"]["toy"]["sentences"] == 4 and 0.0 <= result["sets"]["toy"]["f1"] <= 100.0
    assert result["sets"]["toy"]["tp"] + result["sets"]["toy"]["fn"] > 0


def test_cli_train_then_resume(tmp_path, capsys):
    root = write_toy_data(tmp_path / "data")
    run = tmp_path / "run"
    args = ["train", "--output", str(run), "--data", str(root), "--sets", "gliner-sample", "--steps", "2",
            "--batch-size", "2", "--max-words", "16", "--max-types", "4", "--freeze-layers", "6",
            "--dropout", "0.1", "--no-progress"]  # fmt: skip
    assert cli.main(args) == 0
    assert json.loads(capsys.readouterr().out)["steps_run"] == 2
    saved = json.loads((run / "train_config.json").read_text())
    assert saved["steps"] == 2 and saved["freeze_layers"] == 6
    # A resume reuses the saved settings; a changed setting is refused, operational ones may change.
    code = cli.main(["train", "--output", str(run), "--data", str(root), "--resume", "--lr-others", "0.5", "--no-progress"])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("doclinks train: error: cannot resume with different training settings") and "\n" not in err
    assert cli.main(["train", "--output", str(run), "--data", str(root), "--resume", "--save-every", "5", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["step"] == 2 and summary["steps_run"] == 0  # nothing left to do
    assert cli.main(["eval", "--model", str(run), "--data", str(root), "--sets", "toy", "--limit", "2", "--json", str(tmp_path / "r.json")]) == 0
    # Shipping the run: fp16 weights, tokenizer, config and a model card, under the size limit, loadable.
    from doclinks.ner.ship import MAX_BYTES, ship

    target = ship(run, target=tmp_path / "default", report=json.loads((tmp_path / "r.json").read_text()))
    card = (target / "README.md").read_text()
    assert "gliner-sample" in card.lower() or "GLiNER sample data" in card
    assert "| toy |" in card and "2 steps" in card
    assert sum(p.stat().st_size for p in target.iterdir()) <= MAX_BYTES
    from doclinks.ner import GLiNER

    assert GLiNER.from_pretrained(target).network.span_rep_layer.span_rep_layer.project_start[0].weight.dtype == torch.float32
    # Shipping halfway between a start (all weights zero here) and the run's end: half the weights, said in the card.
    from doclinks.ner.checkpoints import load_checkpoint, save_checkpoint
    from doclinks.ner.training import latest_checkpoint

    config, tokenizer, network = load_checkpoint(latest_checkpoint(run))
    end_weight = network.span_rep_layer.span_rep_layer.project_start[0].weight.detach().clone()
    for param in network.parameters():
        param.data.zero_()
    save_checkpoint(tmp_path / "zero", config, tokenizer, network)
    halfway = ship(run, target=tmp_path / "halfway", interpolate=(tmp_path / "zero", 0.5))
    shipped = GLiNER.from_pretrained(halfway).network.span_rep_layer.span_rep_layer.project_start[0].weight
    torch.testing.assert_close(shipped, (0.5 * end_weight).half().float())
    assert "0.5 x the run's starting checkpoint" in (halfway / "README.md").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "--model", "/no/such/folder"], "No checkpoint folder at /no/such/folder"),
        (["train", "--output", "{tmp}/r", "--sets", "nope", "--data", "{tmp}"], "unknown training set 'nope'"),
        (["train", "--output", "{tmp}/r", "--steps", "0"], "steps: expected an integer >= 1"),
        (["train", "--output", "{tmp}/r", "--mix", "conll2003"], "--mix: expected SOURCE=WEIGHT"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith(f"doclinks {argv[0]}: error:")


def test_default_model_is_cached_or_explains_itself():
    import doclinks
    from doclinks.ner import default

    if not (default.DEFAULT_MODEL_DIR / "gliner_config.json").is_file():
        with pytest.raises(default.NoDefaultModelError, match="ships no default NER model yet"):
            doclinks.default_model()
    else:
        assert doclinks.default_model() is doclinks.default_model()
