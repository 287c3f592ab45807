"""The checks of texts, label sets, thresholds and sizes that `GLiNER` (and the link extractor) share."""

from __future__ import annotations

import math

import pytest

from doclinks.ner.validation import check_label_set, check_labels, check_positive_int, check_text, check_threshold


def test_label_sets():
    assert check_label_set(["a", "b", "a"]) == (["a", "b"], ["a", "b"])
    assert check_label_set({"person": "a human", "city": "a town"}) == (["a human", "a town"], ["person", "city"])
    assert check_label_set("person") == (["person"], ["person"])
    assert check_label_set(x for x in ("a", "b")) == (["a", "b"], ["a", "b"])  # any iterable
    assert check_labels({"person": "a human"}) == ["person"]


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        ([], ValueError, "labels: no labels given"),
        ({}, ValueError, "labels: no labels given"),
        (["  "], ValueError, "labels: a label is empty or only whitespace"),
        ({" ": "a thing"}, ValueError, "labels: a label is empty or only whitespace"),
        ({"person": " "}, ValueError, "the description of label 'person' is empty"),
        ([1, "person"], TypeError, "labels: every label must be a str, got int: 1"),
        ({"person": 3}, TypeError, "labels: a label dict must map str names to str descriptions"),
        (42, TypeError, "labels: expected a list of label names or a dict, got int"),
        (["per\udc00son"], ValueError, "label 'per\\\\udc00son' holds a lone surrogate"),
    ],
)
def test_bad_label_sets_are_named(labels, error, message):
    with pytest.raises(error, match=message):
        check_labels(labels)


def test_single_string_may_be_refused_with_the_fix():
    with pytest.raises(
        TypeError, match=r"labels: expected a list of label names, got a single str 'Person'; write \['Person'\]"
    ):
        check_labels("Person", allow_str=False)
    with pytest.raises(TypeError, match=r"^labels\[2\]: "):
        check_label_set([None], "labels[2]")


def test_thresholds():
    assert check_threshold(0.3) == 0.3 and check_threshold(1e-9) == 1e-9
    for bad in (0, 1, -0.1, 1.5, math.nan, math.inf):
        with pytest.raises(ValueError, match="threshold: must lie in"):
            check_threshold(bad)
    for bad in ("0.5", True, None):
        with pytest.raises(TypeError, match="threshold: expected a number in"):
            check_threshold(bad)
    with pytest.raises(ValueError, match=r"^thresholds\['Person'\]: must lie in \(0, 1\), got 0$"):
        check_threshold(0, "thresholds['Person']")


def test_positive_int_and_text():
    assert check_positive_int(3, "batch_size") == 3
    with pytest.raises(ValueError, match="batch_size: must be >= 1, got 0"):
        check_positive_int(0, "batch_size")
    with pytest.raises(TypeError, match="chunk_size: expected an integer >= 1, got float"):
        check_positive_int(2.0, "chunk_size")
    check_text("fine", "text")
    with pytest.raises(ValueError, match=r"texts\[1\] holds a lone surrogate at character 4"):
        check_text("Anna\ud800", "texts[1]")
