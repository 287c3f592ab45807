"""The `doclinks train` and `doclinks eval` commands end to end, and shipping the run they make (`ship`)."""

from __future__ import annotations

import json

import pytest
import torch

from doclinks import cli
from doclinks.ner.checkpoints import save_checkpoint

from .helpers import fresh_model, write_toy_data


@pytest.fixture(scope="module")
def toy_checkpoint(tmp_path_factory):
    config, tokenizer, network = fresh_model()
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "model", config, tokenizer, network)


def test_cli_eval_runs_a_checkpoint_and_writes_json(tmp_path, toy_checkpoint, capsys):
    root = write_toy_data(tmp_path / "data")
    out = tmp_path / "r.json"
    code = cli.main(
        [
            "eval",
            "--model",
            str(toy_checkpoint),
            "--data",
            str(root),
            "--sets",
            "toy",
            "--limit",
            "4",
            "--json",
            str(out),
        ]
    )
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
    code = cli.main(
        ["train", "--output", str(run), "--data", str(root), "--resume", "--lr-others", "0.5", "--no-progress"]
    )
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("doclinks train: error: cannot resume with different training settings") and "\n" not in err
    assert (
        cli.main(["train", "--output", str(run), "--data", str(root), "--resume", "--save-every", "5", "--no-progress"])
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["step"] == 2 and summary["steps_run"] == 0  # nothing left to do
    assert (
        cli.main(
            [
                "eval",
                "--model",
                str(run),
                "--data",
                str(root),
                "--sets",
                "toy",
                "--limit",
                "2",
                "--json",
                str(tmp_path / "r.json"),
            ]
        )
        == 0
    )
    # Shipping the run: fp16 weights, tokenizer, config and a model card, under the size limit, loadable.
    from doclinks.ner.train.ship import MAX_BYTES, ship

    target = ship(run, target=tmp_path / "default", report=json.loads((tmp_path / "r.json").read_text()))
    card = (target / "README.md").read_text()
    assert "gliner-sample" in card.lower() or "GLiNER sample data" in card
    assert "| toy |" in card and "2 steps" in card
    assert sum(p.stat().st_size for p in target.iterdir()) <= MAX_BYTES
    from doclinks.ner import GLiNER

    assert (
        GLiNER.from_pretrained(target).network.span_rep_layer.span_rep_layer.project_start[0].weight.dtype
        == torch.float32
    )
    # Shipping halfway between a start (all weights zero here) and the run's end: half the weights, said in the card.
    from doclinks.ner.checkpoints import load_checkpoint
    from doclinks.paths import latest_checkpoint

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


def test_cli_trains_with_word_shapes_and_ships_an_exported_checkpoint(tmp_path, capsys):
    """`--word-shape` trains a model that reads word shapes; an exported checkpoint (no trainer state, as
    a GPU run brings back) ships with `--train-config` and `--step`, and the card says what it is."""
    from doclinks.ner import GLiNER
    from doclinks.ner.merging import export_checkpoint
    from doclinks.ner.train.ship import main as ship_main
    from doclinks.paths import latest_checkpoint

    root = write_toy_data(tmp_path / "data")
    run = tmp_path / "run"
    args = ["train", "--output", str(run), "--data", str(root), "--sets", "gliner-sample", "--steps", "2",
            "--batch-size", "2", "--max-words", "16", "--max-types", "4", "--freeze-layers", "6",
            "--dropout", "0.1", "--no-progress", "--word-shape", "--workers", "1", "--shapeless-prob", "0.5"]  # fmt: skip
    assert cli.main(args) == 0
    capsys.readouterr()
    exported = export_checkpoint(latest_checkpoint(run), tmp_path / "exported")
    assert GLiNER.from_pretrained(exported).config.word_shape is True
    target = tmp_path / "default"
    assert ship_main([str(exported), "--target", str(target)]) == 1
    assert "--train-config" in capsys.readouterr().err
    assert ship_main([str(exported), "--target", str(target), "--train-config", str(run / "train_config.json"),
                      "--step", "2"]) == 0  # fmt: skip
    card = (target / "README.md").read_text()
    assert "word-shape vector" in card and "Unknown span mode" in card and "for 2 steps" in card
    assert "Case cue withheld: with probability 0.5" in card and "Query-shaped" not in card


def test_model_card_names_the_query_sets_and_what_their_mit_figures_are():
    from doclinks.ner.train.config import TrainConfig
    from doclinks.ner.train.ship import model_card

    train = TrainConfig(sets=["few-nerd", "snips", "sgd"], query_shape_prob=0.6).to_dict()
    card = model_card({"step": 10, "train_config": train}, None, 1_000_000)
    assert "| SNIPS NLU benchmark" in card and "CC0 1.0" in card and "Schema-Guided Dialogue" in card
    assert "zero-shot on the data set, not on the domain" in card and "Query-shaped rows: with probability 0.6" in card
    plain = model_card({"step": 10, "train_config": TrainConfig(sets=["few-nerd"]).to_dict()}, None, 1_000_000)
    assert "evaluation domains (CrossNER, MIT Movie, MIT Restaurant) was used." in plain and "SNIPS" not in plain
