"""Training rows: prompt and words as inference reads them, span targets, masks, caps."""

from __future__ import annotations

from doclinks.ner.inputs import SHAPE_LOWER, SHAPE_TITLE, SHAPE_UNKNOWN
from doclinks.ner.train.batches import BatchBuilder

from .helpers import fresh_model


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
    assert tokenizer.convert_ids_to_tokens(ids) == [
        "[CLS]",
        "<<ENT>>",
        "person",
        "<<ENT>>",
        "city",
        "<<SEP>>",
        "anna",
        "lives",
        "in",
        "paris",
        "[SEP]",
    ]
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
    # Entities longer than max_width words cannot be scored: dropped; one of max_width words is kept.
    width = config.max_width
    wide = BatchBuilder(config, tokenizer).build([(["w"] * (width + 2), ["x"], [(0, width, 0), (1, width, 0)])])
    assert int(wide.inputs["num_words"][0]) == width + 2  # no word cap: only the width drops the span
    assert wide.spans == [[(1, width, 0)]] and wide.targets.sum() == 1 and wide.targets[0, 1, width - 1, 0] == 1


def test_case_known_false_withholds_every_word_shape():
    config, tokenizer, _ = fresh_model()
    config.word_shape = True
    builder = BatchBuilder(config, tokenizer)
    words = ["Anna", "lives", "in", "Paris"]
    batch = builder.build([(words, ["person"], [(0, 0, 0)]), (words, ["person"], [(0, 0, 0)], False)])
    shapes = batch.inputs["shape_ids"]
    at = batch.inputs["word_positions"][0].tolist()
    assert [int(shapes[0, p]) for p in at] == [SHAPE_TITLE, SHAPE_LOWER, SHAPE_LOWER, SHAPE_TITLE]
    assert [int(shapes[1, p]) for p in at] == [SHAPE_UNKNOWN] * 4
    # Rows with and without the flag, case known, build the same shapes; the targets do not change.
    same = builder.build([(words, ["person"], [(0, 0, 0)], True)])
    assert same.inputs["shape_ids"][0].tolist() == shapes[0].tolist()
    assert batch.targets[1].sum() == 1
