"""Training: batches and targets, the span loss, resume from a checkpoint, a tiny run that learns,
and fresh models that load in doclinks and in `gliner`."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from doclinks.ner import GLiNER
from doclinks.ner.checkpoints import export_checkpoint, save_checkpoint
from doclinks.ner.training import (
    BatchBuilder,
    ExampleStream,
    TrainConfig,
    Trainer,
    build_trainer,
    checkpoints_in,
    parameter_groups,
    span_loss,
)

from .training_helpers import fresh_model, toy_examples, toy_pool


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


# ------------------------------------------------------------------------------------------------ loss
def hand_made():
    # One row, 2 words, max_width 2, 2 labels. Span (start 1, width 2) runs past the text: masked.
    logits = torch.tensor([[[[2.0, -1.0], [0.5, 3.0]], [[-2.0, 1.0], [9.0, 9.0]]]])
    targets = torch.zeros(1, 2, 2, 2)
    targets[0, 0, 0, 0] = 1.0  # words 0..0 are label 0
    targets[0, 0, 1, 1] = 1.0  # words 0..1 are label 1
    span_mask = torch.tensor([[[True, True], [True, False]]])
    return logits, targets, span_mask


def test_bce_loss_on_a_hand_made_example():
    logits, targets, span_mask = hand_made()
    both = torch.tensor([[True, True]])
    # BCE(x, y) = softplus(x) - x * y, for the three valid spans and both labels.
    terms = [softplus(2.0) - 2.0, softplus(-1.0), softplus(0.5), softplus(3.0) - 3.0, softplus(-2.0), softplus(1.0)]
    expected = sum(terms)
    assert expected == pytest.approx(2.903044, abs=1e-6)
    assert span_loss(logits, targets, span_mask, both).item() == pytest.approx(expected, rel=1e-6)
    # "mean" divides by the number of valid spans (3), as gliner does.
    assert span_loss(logits, targets, span_mask, both, reduction="mean").item() == pytest.approx(expected / 3, rel=1e-6)
    # Masking label 1 leaves the terms of label 0.
    only_first = torch.tensor([[True, False]])
    expected_first = terms[0] + terms[2] + terms[4]
    assert span_loss(logits, targets, span_mask, only_first).item() == pytest.approx(expected_first, rel=1e-6)
    # The masked span's logits get no gradient.
    x = logits.clone().requires_grad_(True)
    span_loss(x, targets, span_mask, both).backward()
    assert torch.all(x.grad[0, 1, 1] == 0) and torch.all(x.grad[0, 0, 0] != 0)


def test_focal_loss_on_a_hand_made_example():
    logits, targets, span_mask = hand_made()
    both = torch.tensor([[True, True]])
    alpha, gamma = 0.75, 2.0
    expected = 0.0
    for s, k in [(0, 0), (0, 1), (1, 0)]:
        for c in range(2):
            x, y = logits[0, s, k, c].item(), targets[0, s, k, c].item()
            p = 1 / (1 + math.exp(-x))
            p_t = p if y else 1 - p
            weight = alpha if y else 1 - alpha
            expected += weight * (1 - p_t) ** gamma * (softplus(x) - x * y)
    got = span_loss(logits, targets, span_mask, both, alpha=alpha, gamma=gamma).item()
    assert got == pytest.approx(expected, rel=1e-6)


def test_loss_matches_gliner_definition():
    from gliner.modeling.loss_functions import focal_loss_with_logits

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 5, 4, 6, generator=g) * 3
    targets = (torch.rand(3, 5, 4, 6, generator=g) < 0.1).float()
    span_mask = torch.rand(3, 5, 4, generator=g) < 0.8
    label_mask = torch.rand(3, 6, generator=g) < 0.7
    for alpha, gamma in [(-1.0, 0.0), (0.75, 2.0)]:
        # gliner: elementwise loss, times the label mask, times the span mask; sum, or sum / valid spans.
        theirs = focal_loss_with_logits(logits, targets, alpha=alpha, gamma=gamma, reduction="none")
        theirs = (theirs * label_mask[:, None, None, :] * span_mask[..., None]).sum()
        ours = span_loss(logits, targets, span_mask, label_mask, alpha=alpha, gamma=gamma)
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-5)
        mean = span_loss(logits, targets, span_mask, label_mask, alpha=alpha, gamma=gamma, reduction="mean")
        assert mean.item() == pytest.approx(theirs.item() / span_mask.sum().item(), rel=1e-5)


# --------------------------------------------------------------------------------------------- batches
def test_rows_targets_and_masks():
    config, tokenizer, _ = fresh_model()
    builder = BatchBuilder(config, tokenizer)
    batch = builder.build(
        [
            (["Anna", "lives", "in", "Paris"], ["person", "city"], [(0, 0, 0), (3, 3, 1)]),
            (["Hi"], ["thing"], []),
        ]
    )
    ids = batch.inputs["input_ids"][0, : int(batch.inputs["attention_mask"][0].sum())].tolist()
    assert tokenizer.convert_ids_to_tokens(ids) == ["[CLS]", "<<ENT>>", "person", "<<ENT>>", "city", "<<SEP>>", "anna", "lives", "in", "paris", "[SEP]"]
    assert batch.inputs["label_positions"][0].tolist() == [1, 3]
    assert batch.inputs["word_positions"][0].tolist() == [6, 7, 8, 9]
    assert batch.targets.shape == (2, 4, config.max_width, 2)
    assert batch.targets.sum() == 2 and batch.targets[0, 0, 0, 0] == 1 and batch.targets[0, 3, 0, 1] == 1
    assert batch.span_mask[0].sum() == 4 + 3 + 2 + 1  # spans of 4 words, widths up to 4
    assert batch.span_mask[1].sum() == 1 and batch.span_mask[1, 0, 0]
    assert batch.label_mask.tolist() == [[True, True], [True, False]]


def test_words_capped_to_fit_the_row():
    config, tokenizer, _ = fresh_model()
    builder = BatchBuilder(config, tokenizer, max_tokens=12)
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    batch = builder.build([(words, ["number"], [(1, 1, 0), (8, 9, 0)])])
    # [CLS] <<ENT>> number <<SEP>> ... [SEP]: 7 words fit; the entity past them is dropped.
    assert batch.inputs["input_ids"].shape[1] == 12 and int(batch.inputs["num_words"][0]) == 7
    assert batch.spans == [[(1, 1, 0)]] and batch.targets.sum() == 1
    # Entities longer than max_width words cannot be scored: dropped.
    long = builder.build([(["w"] * 5, ["x"], [(0, 4, 0)])]) if config.max_width < 5 else None
    assert long is None or long.targets.sum() == 0


def test_stream_is_a_function_of_seed_and_step():
    train = TrainConfig(batch_size=4, max_types=6, seed=5)
    a, b = ExampleStream(toy_pool(), train), ExampleStream(toy_pool(), train)
    assert a.items(3) == b.items(3)
    assert a.items(3) != a.items(4)
    other = ExampleStream(toy_pool(), TrainConfig(batch_size=4, max_types=6, seed=6))
    assert other.items(3) != a.items(3)
    for words, prompts, spans in a.items(0):
        assert 1 <= len(prompts) <= 6 and all(0 <= s <= e < len(words) for s, e, _ in spans)


def test_parameter_groups_split_encoder_and_heads():
    _, _, network = fresh_model()
    groups = {g["name"]: g for g in parameter_groups(network, TrainConfig(lr_encoder=1e-5, lr_others=1e-3, weight_decay=0.1))}
    assert set(groups) == {"encoder", "encoder-no-decay", "heads", "heads-no-decay"}
    assert groups["encoder"]["lr"] == 1e-5 and groups["heads"]["lr"] == 1e-3
    assert groups["heads-no-decay"]["weight_decay"] == 0.0 and groups["heads"]["weight_decay"] == 0.1
    total = sum(p.numel() for g in groups.values() for p in g["params"])
    assert total == sum(p.numel() for p in network.parameters())


# ------------------------------------------------------------------------------------ resume and learning
def small_config(**kw) -> TrainConfig:
    base = dict(steps=4, batch_size=2, max_types=5, max_words=16, warmup_ratio=0.25, freeze_layers=5,
                lr_encoder=1e-4, lr_others=1e-3, save_every=0, save_minutes=0, seed=1)  # fmt: skip
    base.update(kw)
    return TrainConfig(**base)


def test_resume_gives_the_state_of_an_uninterrupted_run(tmp_path):
    config, tokenizer, network = fresh_model()
    train, pool = small_config(), toy_pool()
    straight = Trainer(copy.deepcopy(config), tokenizer, copy.deepcopy(network), pool, train, tmp_path / "a", progress=False)
    straight.run()
    first = Trainer(copy.deepcopy(config), tokenizer, copy.deepcopy(network), pool, train, tmp_path / "b", progress=False)
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
    held_out = trainer.builder.build(ExampleStream({"toy": toy_examples(16, seed=99)}, train, trainer.stream.sampler.labels).items(0))

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


# ------------------------------------------------------------------------------------------ fresh models
def test_fresh_model_size_and_round_trip(tmp_path):
    config, tokenizer, network = fresh_model()
    assert config.max_width == 12 and config.num_rnn_layers == 1 and config.class_token_index == len(tokenizer) - 2
    assert sum(p.numel() for p in network.parameters()) * 2 <= 60e6  # fits 60 MB in fp16
    folder = save_checkpoint(tmp_path / "fresh", config, tokenizer, network)
    network.eval()
    ours = GLiNER(config, tokenizer, network)
    loaded = GLiNER.from_pretrained(folder)
    text, labels = "Anna Smith moved from Paris to Siemens in Berlin .", ["person", "city", "company"]
    expected = ours.predict_entities(text, labels, threshold=0.3)
    assert loaded.predict_entities(text, labels, threshold=0.3) == expected
    # fp16 export: half the bytes, same predictions to fp16 rounding.
    half = export_checkpoint(folder, tmp_path / "half")
    assert (half / "model.safetensors").stat().st_size < 0.55 * (folder / "model.safetensors").stat().st_size
    got = GLiNER.from_pretrained(half).predict_entities(text, labels, threshold=0.3)
    assert [(e["start"], e["end"], e["label"]) for e in got][:3] == [(e["start"], e["end"], e["label"]) for e in expected][:3]


@pytest.mark.parametrize("embed_ent_token", [True, False])
def test_fresh_model_loads_in_gliner(tmp_path, embed_ent_token):
    from gliner import GLiNER as PeerGLiNER

    config, tokenizer, network = fresh_model()
    config.embed_ent_token = embed_ent_token  # label vectors from the marker, or from the label's first token
    folder = save_checkpoint(tmp_path / "fresh", config, tokenizer, network)
    network.eval()
    text, labels = "Anna Smith moved from Paris to Siemens in Berlin .", ["person", "city", "company"]
    ours = GLiNER(config, tokenizer, network).predict_entities(text, labels, threshold=0.3)
    peer = PeerGLiNER.from_pretrained(str(folder), local_files_only=True)
    theirs = peer.predict_entities(text, labels, threshold=0.3)
    assert [(e["start"], e["end"], e["label"]) for e in theirs] == [(e["start"], e["end"], e["label"]) for e in ours]
    assert [e["score"] for e in theirs] == pytest.approx([e["score"] for e in ours], abs=1e-4)
