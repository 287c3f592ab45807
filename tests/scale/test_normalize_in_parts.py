"""The full tag normalisation pass cut into the pieces the Ray job runs (`prepare_full_pass` and
`TagCounts` per part, `corpus_tag_changes` once, `apply_tag_changes` per part) gives the single-process
full pass's tags, however the corpus is cut and in whatever order the parts' counts arrive. No Ray here:
random corpora of overlapping names (those of `tests/links/test_rewrite.py`)."""

from __future__ import annotations

import copy
import pickle
import random

import pytest

from doclinks.links import keep_apart as mark_apart
from doclinks.links import normalize_links, renormalize
from doclinks.links.rewrite import apply_tag_changes
from doclinks.pipeline import NORMALIZED_KINDS, TagCounts, corpus_tag_changes, prepare_full_pass
from tests.links.test_rewrite import random_chunk, state


def full_pass(docs, merge: bool, keep_apart: list[str]) -> None:
    """`normalize_store`'s full pass as it was written before the pieces: in place, on every chunk."""
    for tag in keep_apart:
        mark_apart(docs, tag)
    renormalize(docs, scope=None, kinds=NORMALIZED_KINDS, merge_partial=merge)


@pytest.mark.parametrize("seed", range(10))
def test_the_pass_in_parts_equals_the_full_pass(seed):
    rng = random.Random(seed)
    corpus = [random_chunk(rng, i) for i in range(rng.randint(5, 40))]
    normalize_links(corpus)  # a store normalised before: merges recorded, to be undone and redone
    merge = seed % 3 != 0
    keep_apart = ["Smith"] if seed % 4 == 1 else []
    want = copy.deepcopy(corpus)
    full_pass(want, merge, keep_apart)

    got = copy.deepcopy(corpus)
    cuts = sorted(rng.sample(range(1, len(got)), k=min(3, len(got) - 1)))
    parts = [got[a:b] for a, b in zip([0, *cuts], [*cuts, len(got)])]
    counted = []
    for part in parts:
        prepare_full_pass(part, keep_apart)
        counted.append(pickle.loads(pickle.dumps(TagCounts().add(part))))  # as a Ray task returns it
    rng.shuffle(counted)
    total = TagCounts()
    for part_counts in counted:
        total.merge(part_counts)
    changes = corpus_tag_changes(total, merge=merge)
    for part in parts:  # each part rewritten apart from the others, as the Ray tasks do
        apply_tag_changes(part, changes)
    assert state(got) == state(want)
    merged = [r for d in got for r in d.metadata["entities"] if r.get("merged_from")]
    assert bool(merged) == merge  # merges redone, or all undone without merge
