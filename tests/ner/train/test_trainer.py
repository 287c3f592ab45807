"""The trainer: resume from a checkpoint gives the state of an uninterrupted run; a tiny run learns."""

from __future__ import annotations

import copy

import pytest
import torch

from doclinks.ner import GLiNER
from doclinks.ner.train.config import TrainConfig
from doclinks.ner.train.sampling import ExampleStream
from doclinks.ner.train.trainer import Trainer, build_trainer
from doclinks.paths import checkpoints_in

from .helpers import fresh_model, toy_examples, toy_pool


def small_config(**kw) -> TrainConfig:
    base = dict(steps=4, batch_size=2, max_types=5, max_words=16, warmup_ratio=0.25, freeze_layers=5,
                lr_encoder=1e-4, lr_others=1e-3, save_every=0, save_minutes=0, seed=1)  # fmt: skip
    base.update(kw)
    return TrainConfig(**base)


def test_resume_gives_the_state_of_an_uninterrupted_run(tmp_path):
    config, tokenizer, network = fresh_model()
    train, pool = small_config(), toy_pool()
    straight = Trainer(
        copy.deepcopy(config), tokenizer, copy.deepcopy(network), pool, train, tmp_path / "a", progress=False
    )
    straight.run()
    first = Trainer(
        copy.deepcopy(config), tokenizer, copy.deepcopy(network), pool, train, tmp_path / "b", progress=False
    )
    summary = first.run(until=2)
    assert summary["step"] == 2 and [p.name for p in checkpoints_in(tmp_path / "b")] == ["checkpoint-0000002"]
    resumed = build_trainer(train, tmp_path / "b", resume=True, pool=pool, progress=False)
    assert resumed.step == 2
    resumed.run()
    assert resumed.step == straight.step == 4
    a, b = straight.network.state_dict(), resumed.network.state_dict()
    assert a.keys() == b.keys()
    changed = [k for k in a if not torch.equal(a[k], network.state_dict()[k])]
    assert any("span_rep_layer" in k for k in changed) and any("encoder.layer.5" in k for k in changed)
    assert all(torch.equal(a[k], b[k]) for k in a), [k for k in a if not torch.equal(a[k], b[k])]
    sa, sb = straight.optimizer.state_dict()["state"], resumed.optimizer.state_dict()["state"]
    assert all(torch.equal(sa[i]["exp_avg"], sb[i]["exp_avg"]) for i in sa)
    assert straight.scheduler.get_last_lr() == resumed.scheduler.get_last_lr()
    # A resume with other settings is refused, naming them; a fresh start over checkpoints too.
    with pytest.raises(ValueError, match="lr_others"):
        build_trainer(small_config(lr_others=5e-4), tmp_path / "b", resume=True, pool=pool, progress=False)
    with pytest.raises(FileExistsError, match="--resume"):
        build_trainer(train, tmp_path / "b", init=tmp_path / "b" / "checkpoint-0000004", pool=pool, progress=False)


def test_tiny_run_lowers_the_loss(tmp_path):
    config, tokenizer, network = fresh_model()
    train = small_config(steps=12, batch_size=8, freeze_layers=6, warmup_ratio=0.0, lr_others=2e-3)
    trainer = Trainer(config, tokenizer, network, toy_pool(), train, tmp_path, progress=False)
    held_out = trainer.builder.build(
        ExampleStream({"toy": toy_examples(16, seed=99)}, train, trainer.stream.sampler.labels).items(0)
    )

    def held_out_loss() -> float:
        trainer.network.eval()
        with torch.no_grad():
            return trainer.loss_on(held_out).item()

    before = held_out_loss()
    summary = trainer.run()
    after = held_out_loss()
    assert summary["steps_run"] == 12
    assert after < 0.5 * before, (before, after)
    # The run's final checkpoint is a usable model.
    model = GLiNER.from_pretrained(summary["checkpoint"])
    assert isinstance(model.predict_entities("Anna Smith lives in Paris .", ["person", "location"]), list)


def test_batches_built_by_worker_processes_train_exactly_as_in_process(tmp_path):
    config, tokenizer, network = fresh_model()
    pool = toy_pool()
    runs = []
    for workers in (0, 1):
        trainer = Trainer(
            copy.deepcopy(config), tokenizer, copy.deepcopy(network), pool, small_config(steps=3, workers=workers),
            tmp_path / f"w{workers}", progress=False,
        )  # fmt: skip
        trainer.run()
        runs.append(trainer.network.state_dict())
    changed = [k for k in runs[0] if not torch.equal(runs[0][k], network.state_dict()[k])]
    assert changed  # the steps did train
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])
