"""Label names: each set's labels renamed to words, and the content words of a name."""

from __future__ import annotations

from doclinks.ner.train.examples import Example
from doclinks.ner.train.labels import content_words, normalize_label
from doclinks.ner.train.pool import renamed
from doclinks.ner.train.sampling import LabelSampler


def test_label_normalisation():
    assert normalize_label("else", "conll2003") == "miscellaneous"
    assert normalize_label("Chemical", "bc5cdr") == "chemical"
    assert normalize_label("creative-work", "wnut17") == "creative work"
    assert normalize_label("AI/ML/DL-algorithm/tool", "few-tk") == "algorithm"
    assert normalize_label("NLP-focus", "few-tk") == "task"
    assert normalize_label("NLP-term", "few-tk") is None  # too vague: dropped
    assert normalize_label("GPE") == "city or state"
    assert normalize_label("Restaurant_Name") == "restaurant name"
    assert renamed(Example(["a", "b"], [(0, 0, "NLP-term"), (1, 1, "NLP-metrics")]), "few-tk").spans == [
        (1, 1, "metric")
    ]


def test_content_words_ignore_function_words():
    assert content_words("city, town or village") == {"city", "town", "village"}
    sampler = LabelSampler(["country, city or state", "nationality or group", "body of water"], max_types=5)
    assert sampler.negatives_for({"city, town or village"}, "silver") == ["nationality or group", "body of water"]
