"""Long texts are read in overlapping windows and long label sets in groups: nothing is dropped."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from doclinks.ner import inputs

LABELS = ["person", "location", "organization", "date"]
PLANTED = "Anna Smith moved to Cape Town in 2019 ."
PLACE = "Cape Town"
THRESHOLD = 0.3
FILLER = "the of and in to a was is for on with by at from said it that this".split()


def filler(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(FILLER) for _ in range(n)]


@pytest.fixture(scope="module")
def tuned(small_ner_model):
    """A model that finds people and places in simple sentences (see tests/conftest.py)."""
    return small_ner_model


def spans_of(entities):
    return {(e["start"], e["end"]) for e in entities}


def person_span(text: str, sentence_offset: int) -> tuple[int, int]:
    """The planted person (the small model's clearest case, scored ~1.0 wherever it stands)."""
    start = sentence_offset + PLANTED.index("Anna Smith")
    return start, start + len("Anna Smith")


def place_span(text: str, sentence_offset: int) -> tuple[int, int]:
    start = sentence_offset + PLANTED.index(PLACE)
    return start, start + len(PLACE)


def test_entities_at_start_middle_and_end_of_20000_words(tuned):
    planted = "Anna Smith moved to Paris in 2019 ."  # a one-word place: the small model's clearest case
    words = planted.split() + filler(10000) + planted.split() + filler(10000, seed=1) + planted.split()
    text = " ".join(words)
    assert len(text.split()) > 20000
    found = {(e["start"], e["end"]): e["label"] for e in tuned.predict_entities(text, LABELS, threshold=THRESHOLD)}
    for offset in (0, text.index(planted, 10), text.rindex(planted)):
        start = offset + planted.index("Paris")
        assert found.get((start, start + len("Paris"))) == "location", (
            f"place in the sentence at char {offset} not found"
        )


def test_upstream_drops_the_end_of_the_same_text(tuned, small_ner_checkpoint):
    gliner = pytest.importorskip("gliner")
    text = " ".join(PLANTED.split() + filler(1000) + PLANTED.split())
    end = text.rindex(PLANTED)
    theirs = gliner.GLiNER.from_pretrained(str(small_ner_checkpoint)).predict_entities(
        text, LABELS, threshold=THRESHOLD
    )
    ours = tuned.predict_entities(text, LABELS, threshold=THRESHOLD)
    assert not [e for e in theirs if e["start"] >= end]  # cut at 384 words, with only a warning
    assert place_span(text, end) in spans_of(ours)


def test_token_heavy_words_are_not_silently_cut(tuned, small_ner_checkpoint):
    # 300 words of ~10 sub-tokens each: far past the tokenizer's 512, well under 384 words.
    heavy = [f"x{n:07d}q{n % 97:02d}z" for n in range(300)]
    text = " ".join(heavy + PLANTED.split())
    counts = [len(p) for p in inputs.tokenize_words(tuned.tokenizer, [text.split()], 100)[0]]
    assert sum(counts) > 2000
    start = text.index(PLANTED)
    ours = tuned.predict_entities(text, LABELS, threshold=THRESHOLD)
    assert person_span(text, start) in spans_of(ours)
    gliner = pytest.importorskip("gliner")
    theirs = gliner.GLiNER.from_pretrained(str(small_ner_checkpoint)).predict_entities(
        text, LABELS, threshold=THRESHOLD
    )
    assert not [e for e in theirs if e["start"] >= start]  # upstream's tokenizer truncation drops it silently


def test_entity_across_a_window_boundary_is_found_once(tuned):
    first_window_words = tuned.config.max_len  # filler words are one sub-token each: the word cap binds
    before = PLANTED.split()[: PLANTED.split().index("Cape")]
    words = filler(first_window_words - 1 - len(before)) + PLANTED.split() + filler(600, seed=2)
    counts = [len(p) for p in inputs.tokenize_words(tuned.tokenizer, [words], 100)[0]]
    room = tuned.max_tokens - 2 - len(tuned._prompt_groups(LABELS)[0][1].ids)
    windows = inputs.plan_windows(counts, tuned.config.max_len, room, tuned.window_overlap)
    assert words[windows[0][1] - 1 : windows[0][1] + 1] == ["Cape", "Town"]  # straddles the end of window 0
    text = " ".join(words)
    span = place_span(text, text.index(PLANTED))
    for flat in (True, False):
        entities = tuned.predict_entities(text, LABELS, threshold=THRESHOLD, flat_ner=flat)
        exact = [e for e in entities if (e["start"], e["end"]) == span]
        assert [e["label"] for e in exact] == ["location"]  # once, not once per window
        if flat:
            assert [e for e in entities if e["start"] < span[1] and e["end"] > span[0]] == exact


def test_one_hundred_labels(tuned):
    labels = [f"category {i}" for i in range(96)] + LABELS
    groups = tuned._prompt_groups(labels)
    assert len(groups) > 1 and sorted(i for idx, _ in groups for i in idx) == list(range(100))
    for _, prompt in groups:
        assert len(prompt.ids) + 2 <= (tuned.max_tokens) // 2 + 2
    text = PLANTED + " " + " ".join(filler(200))
    entities = tuned.predict_entities(text, labels, threshold=THRESHOLD)
    assert entities and {e["label"] for e in entities} <= set(labels)
    assert place_span(text, 0) in spans_of(entities)


def test_windows_cover_fit_and_overlap():
    rng = random.Random(3)
    for _ in range(200):
        counts = [rng.choice([1, 1, 1, 2, 3, 9]) for _ in range(rng.randint(1, 900))]
        max_words, max_tokens, overlap = rng.choice([(384, 500, 32), (50, 80, 24), (10, 30, 4)])
        windows = inputs.plan_windows(counts, max_words, max_tokens, overlap)
        assert windows[0][0] == 0 and windows[-1][1] == len(counts)
        for s, e in windows:
            assert 0 < e - s <= max_words
            assert sum(counts[s:e]) <= max_tokens or e - s == 1
        for (s1, e1), (s2, _) in pairwise(windows):
            assert s1 < s2 <= e1  # progress, no gap
        cores = inputs.window_cores(windows)
        assert cores[0][0] == 0 and cores[-1][1] == len(counts)
        assert all(c1[1] == c2[0] for c1, c2 in pairwise(cores))
        for (s, e), (cs, ce) in zip(windows, cores):
            assert s <= cs <= ce <= e


def test_spans_starting_in_a_core_fit_whole_in_their_window():
    counts = [1] * 2000
    windows = inputs.plan_windows(counts, 384, 10_000, 32)
    for (_, e), (_, ce) in zip(windows, inputs.window_cores(windows)):
        if e < len(counts):
            assert ce - 1 + 12 <= e  # a 12-word span starting at the core's last word ends inside the window
