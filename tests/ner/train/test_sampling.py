"""Label sampling (gold, negatives, paraphrases, fine over coarse) and the examples of each training step."""

from __future__ import annotations

import random

import pytest

from doclinks.ner.train.config import TrainConfig
from doclinks.ner.train.examples import Example
from doclinks.ner.train.labels import PARAPHRASES
from doclinks.ner.train.sampling import ExampleStream, LabelSampler

from .helpers import toy_pool

POOL_LABELS = [
    "person",
    "organization",
    "location",
    "company",
    "chemical",
    "disease",
    "algorithm",
    "date",
    "event",
    "product",
]


def test_sampling_keeps_gold_and_blocks_related_negatives():
    sampler = LabelSampler(POOL_LABELS, max_types=25, paraphrase_prob=0.0)
    spans = [(0, 1, "person"), (3, 3, "organization"), (5, 5, "person")]
    for seed in range(50):
        prompts, kept = sampler.sample(spans, "conll2003", random.Random(seed))
        assert "person" in prompts and "organization" in prompts
        assert len(prompts) == len(set(prompts)) <= 25
        # Related labels (company ~ organization) are never negatives; nor are kinds conll leaves unannotated.
        assert "company" not in prompts and "date" not in prompts
        assert [(s, e, prompts[c]) for s, e, c in kept] == spans


def test_sampling_negatives_cap_and_repeatability():
    sampler = LabelSampler(POOL_LABELS, max_types=4, neg_ratio=1.0, paraphrase_prob=0.0)
    sizes = set()
    for seed in range(100):
        prompts, _ = sampler.sample([(0, 0, "chemical")], "bc5cdr", random.Random(seed))
        assert prompts.count("chemical") == 1 and len(prompts) <= 4 and "disease" not in prompts
        sizes.add(len(prompts))
    assert sizes == {1, 2, 3, 4}  # 0 to 3 negatives
    a = sampler.sample([(0, 0, "chemical")], "bc5cdr", random.Random(7))
    assert a == sampler.sample([(0, 0, "chemical")], "bc5cdr", random.Random(7))
    # Silver examples may read the numeric kinds as negatives.
    seen = set()
    for seed in range(200):
        seen |= set(LabelSampler(POOL_LABELS, max_types=10).sample([], "silver", random.Random(seed))[0])
    assert "date" in seen


def test_sampling_caps_gold_and_drops_their_spans():
    sampler = LabelSampler(POOL_LABELS, max_types=2, paraphrase_prob=0.0)
    spans = [(0, 0, "person"), (1, 1, "chemical"), (2, 2, "algorithm")]
    prompts, kept = sampler.sample(spans, "x", random.Random(3))
    assert len(prompts) == 2 and len(kept) == 2 and {prompts[c] for _, _, c in kept} == set(prompts)


def test_sampling_without_entities_reads_at_least_one_negative():
    sampler = LabelSampler(POOL_LABELS, max_types=5)
    for seed in range(30):
        prompts, kept = sampler.sample([], "conll2003", random.Random(seed))
        assert 1 <= len(prompts) <= 5 and kept == []


def test_paraphrases():
    sampler = LabelSampler(["person", "disease"], max_types=2, neg_ratio=0.0, paraphrase_prob=1.0)
    seen = {sampler.sample([(0, 0, "person")], "x", random.Random(s))[0][0] for s in range(200)}
    assert seen == set(PARAPHRASES["person"])
    never = LabelSampler(["person"], max_types=2, paraphrase_prob=0.0)
    assert never.sample([(0, 0, "person")], "x", random.Random(1))[0] == ["person"]
    # No two labels of one example read the same text.
    sampler = LabelSampler(
        ["company", "organization"], paraphrases={"company": ["firm"], "organization": ["firm"]}, paraphrase_prob=1.0
    )
    prompts, _ = sampler.sample([(0, 0, "company"), (1, 1, "organization")], "x", random.Random(0))
    assert sorted(prompts) in (["firm", "organization"], ["company", "firm"])


def test_negatives_never_share_a_word_with_a_gold_label():
    sampler = LabelSampler(["comedy film", "film", "film director", "person", "river"], max_types=10)
    assert sampler.negatives_for({"drama film"}, "silver") == ["person", "river"]


def test_fallback_label_is_gold_only_when_no_fine_label_is_offered():
    sampler = LabelSampler(POOL_LABELS + ["politician"], max_types=25, paraphrase_prob=0.0)
    spans = [(0, 1, "politician"), (4, 4, "person")]  # a politician (0-1) and another person (4)
    fallback = [(0, 1, "person")]
    outcomes = set()
    for seed in range(100):
        prompts, kept = sampler.sample(spans, "silver", random.Random(seed), fallback)
        gold = sorted((s, e, prompts[c]) for s, e, c in kept)
        if "politician" in prompts:
            # Both offered: the specific label is the politician's gold; "person" is a negative for that span.
            assert gold == [(0, 1, "politician"), (4, 4, "person")]
            outcomes.add("fine")
        else:
            # Withheld: never a negative; the politician is a person then.
            assert gold == [(0, 1, "person"), (4, 4, "person")]
            outcomes.add("coarse")
        assert "person" in prompts
    assert outcomes == {"fine", "coarse"}


def test_fallback_label_is_offered_as_a_hard_negative():
    sampler = LabelSampler(POOL_LABELS + ["university"], max_types=25, neg_ratio=0.0, paraphrase_prob=0.0)
    for seed in range(40):
        prompts, kept = sampler.sample([(2, 3, "university")], "silver", random.Random(seed), [(2, 3, "organization")])
        if "university" in prompts:
            assert sorted(prompts) == ["organization", "university"]
            assert [(s, e, prompts[c]) for s, e, c in kept] == [(2, 3, "university")]
        else:
            assert prompts == ["organization"] and [(s, e, prompts[c]) for s, e, c in kept] == [(2, 3, "organization")]
    # A fine label that is also gold on a span without fallback is always offered.
    spans = [(0, 0, "university"), (2, 3, "university")]
    for seed in range(20):
        prompts, kept = sampler.sample(spans, "silver", random.Random(seed), [(2, 3, "organization")])
        assert [(s, e, prompts[c]) for s, e, c in kept] == spans and "organization" in prompts
    # Without fallback the stream of random numbers is what it was (runs resume and repeat).
    assert sampler.sample(spans, "x", random.Random(5)) == sampler.sample(spans, "x", random.Random(5), [])


def test_coarse_negative_beside_a_fine_label_is_sampled():
    sampler = LabelSampler(
        ["person", "politician", "disease"], max_types=5, neg_ratio=0.0, paraphrase_prob=0.0, coarse_negative_prob=0.0
    )
    for seed in range(30):
        prompts, kept = sampler.sample([(0, 1, "politician")], "silver", random.Random(seed), [(0, 1, "person")])
        gold = [(s, e, prompts[c]) for s, e, c in kept]
        assert (prompts, gold) in ((["politician"], [(0, 1, "politician")]), (["person"], [(0, 1, "person")]))
    sampler.coarse_negative_prob = 0.5
    together = sum(
        sorted(sampler.sample([(0, 1, "politician")], "silver", random.Random(seed), [(0, 1, "person")])[0])
        == ["person", "politician"]
        for seed in range(400)
    )
    assert 60 < together < 140  # about 400 * fine_prob 0.5 * 0.5


def test_negatives_are_drawn_per_source():
    """Another set's fine type of a label this set annotates is never its negative; its own types are."""
    labels = ["person", "politician", "athlete", "disease", "film", "organization", "political party"]
    sampler = LabelSampler(
        labels, max_types=10, paraphrase_prob=0.0,
        source_labels={"conll": {"person", "organization"}, "wide": {"politician", "athlete", "person", "film"}},
        parents={"politician": "person", "athlete": "person", "political party": "organization"},
    )  # fmt: skip
    conll = sampler.negatives_for({"person"}, "conll")
    assert "politician" not in conll and "athlete" not in conll and "political party" not in conll
    assert "disease" in conll and "film" in conll
    wide = sampler.negatives_for({"politician"}, "wide")
    assert "athlete" in wide  # the set's own sibling type: annotated, so a true negative
    assert "political party" in wide and "organization" in wide  # "wide" annotates no organization at all
    # A source without a label set draws from every label (the rule before this change).
    assert "politician" in sampler.negatives_for({"disease"}, "elsewhere")
    for seed in range(40):
        prompts, _ = sampler.sample([(0, 0, "person")], "conll", random.Random(seed))
        assert not {"politician", "athlete", "political party"} & set(prompts)


def test_stream_is_a_function_of_seed_and_step():
    train = TrainConfig(batch_size=4, max_types=6, seed=5)
    a, b = ExampleStream(toy_pool(), train), ExampleStream(toy_pool(), train)
    assert a.items(3) == b.items(3)
    assert a.items(3) != a.items(4)
    other = ExampleStream(toy_pool(), TrainConfig(batch_size=4, max_types=6, seed=6))
    assert other.items(3) != a.items(3)
    for words, prompts, spans in a.items(0):
        assert 1 <= len(prompts) <= 6 and all(0 <= s <= e < len(words) for s, e, _ in spans)


def test_catch_all_hides_one_kind_with_its_family_as_other():
    parents = {"politician": "person", "athlete": "person"}
    sampler = LabelSampler(
        POOL_LABELS + ["politician", "athlete"], paraphrase_prob=0.0, parents=parents, catchall_prob=1.0
    )
    spans = [(0, 1, "politician"), (3, 3, "company"), (5, 6, "person"), (8, 8, "athlete")]
    hidden_kinds = set()
    for seed in range(60):
        prompts, kept = sampler.sample(spans, "few-nerd", random.Random(seed))
        labelled = {(s, e): prompts[c] for s, e, c in kept}
        assert "other" in prompts and len(labelled) == len(spans)  # every span keeps one label
        others = {span for span, label in labelled.items() if label == "other"}
        if others == {(3, 3)}:  # company hidden: its relatives are never offered, the people keep theirs
            assert not {"company", "organization"} & set(prompts)
            assert labelled[(0, 1)] == "politician" and labelled[(5, 6)] == "person"
        elif (0, 1) in others:  # politician hidden with its coarse label: the plain person goes too
            assert (5, 6) in others and not {"politician", "person"} & set(prompts)
            assert labelled[(8, 8)] == "athlete"  # a sibling fine kind stays, and "other" is not it
        hidden_kinds.add(frozenset(others))
    assert {frozenset({(3, 3)}), frozenset({(0, 1), (5, 6)})} <= hidden_kinds


def test_catch_all_is_a_negative_only_on_exhaustive_sources():
    sampler = LabelSampler(POOL_LABELS, paraphrase_prob=0.0, catchall_prob=1.0)
    assert sampler.catch_all([], random.Random(0)) == ([], set(), True)  # no names: "other" is a true negative
    for seed in range(30):
        prompts, kept = sampler.sample([(0, 0, "person")], "conll2003", random.Random(seed))
        assert "other" not in prompts and [prompts[c] for *_, c in kept] == ["person"]
    half = LabelSampler(POOL_LABELS, paraphrase_prob=0.0, catchall_prob=0.5)
    outcomes = {tuple(sorted(half.sample([(0, 0, "person")], "silver", random.Random(s))[0])) for s in range(80)}
    assert any("other" in o and "person" not in o for o in outcomes)  # hidden: "other" gold
    assert any("other" in o and "person" in o for o in outcomes)  # offered as a negative
    assert any("other" not in o for o in outcomes)  # neither
    # Off: no draw at all, so runs made before the catch-all repeat exactly.
    off = LabelSampler(POOL_LABELS, paraphrase_prob=0.0)
    assert off.sample([(0, 0, "person")], "silver", random.Random(4)) == LabelSampler(
        POOL_LABELS, paraphrase_prob=0.0, catchall_sources=()
    ).sample([(0, 0, "person")], "silver", random.Random(4))


def test_stream_lower_cases_some_rows_and_keeps_the_rest_as_read():
    pool = toy_pool()
    plain = ExampleStream(pool, TrainConfig(batch_size=16, max_types=6, seed=5))
    lowered = ExampleStream(pool, TrainConfig(batch_size=16, max_types=6, seed=5, lowercase_prob=0.5))
    rows = [words for step in range(6) for words, _, _ in lowered.items(step)]
    cased = [w for w in rows if any(x != x.lower() for x in w)]
    assert 0 < len(cased) < len(rows)  # some rows lower-cased, some not
    assert all(w == [x.lower() for x in w] for w in rows if w not in cased)
    assert plain.items(0) == ExampleStream(
        pool, TrainConfig(batch_size=16, max_types=6, seed=5, lowercase_prob=0.0)
    ).items(0)
    with pytest.raises(ValueError, match="lowercase_prob"):
        TrainConfig(lowercase_prob=1.5).validate()
    with pytest.raises(ValueError, match="catchall_prob"):
        TrainConfig(catchall_prob=-0.1).validate()


def query_pool() -> dict:
    pool = toy_pool()
    music = Example(["Play", "Adele", "now", "."], [(1, 1, "artist")], "snips/PlayMusic", [(1, 1, "person")])
    food = Example(
        ["Sushi", "in", "Oslo", "?"], [(0, 0, "cuisine"), (2, 2, "city")], "snips/BookRestaurant", [(2, 2, "location")]
    )
    pool["snips"] = [music] * 25 + [food] * 25
    return pool


def test_query_sets_draw_negatives_within_their_set_and_service():
    from doclinks.ner.train.pool import label_parents, pool_labels, source_label_sets

    pool = query_pool()
    sampler = LabelSampler(
        pool_labels(pool), paraphrase_prob=0.0, source_labels=source_label_sets(pool), parents=label_parents(pool)
    )
    # A music request: its set's labels of no kind it labels itself (a city may be another service's slot,
    # but a city is no person); never another set's labels.
    assert set(sampler.allowed_for("snips/PlayMusic")) == {"artist", "person", "cuisine", "city", "location"}
    # A restaurant request: the artist is of no kind it labels, so a true negative there.
    assert set(sampler.allowed_for("snips/BookRestaurant")) == {"cuisine", "city", "location", "artist", "person"}
    # The document sets never read a label only the query sets annotate (unmarked cuisines in their texts).
    toy = sampler.allowed_for("toy")
    assert "cuisine" not in toy and "artist" not in toy and "person" in toy
    for seed in range(30):
        prompts, kept = sampler.sample(pool["snips"][30].spans, "snips/BookRestaurant", random.Random(seed),
                                       pool["snips"][30].fallback)  # fmt: skip
        assert set(prompts) <= {"cuisine", "city", "location", "artist", "person"} and kept
    # Without query sets in the pool nothing changes for the others.
    plain = LabelSampler(pool_labels(toy_pool()), source_labels=source_label_sets(toy_pool()))
    assert plain.closed_only() == set()


def test_stream_query_shapes_query_rows_and_withholds_case_on_some_rows():
    pool = query_pool()
    train = TrainConfig(
        batch_size=16, max_types=6, seed=5, query_shape_prob=0.5, shapeless_prob=0.5, source_negatives=True
    )
    stream = ExampleStream(pool, train)
    rows = [row for step in range(8) for row in stream.items(step)]
    assert all(len(row) == 4 for row in rows)
    known = [row[3] for row in rows]
    assert True in known and False in known
    shaped = [row[0] for row in rows if row[0] in (["play", "adele", "now"], ["sushi", "in", "oslo"])]
    cased = [row[0] for row in rows if row[0] in (["Play", "Adele", "now", "."], ["Sushi", "in", "Oslo", "?"])]
    assert shaped and cased  # some query rows typed as queries, some as written
    # A query stands alone: never joined with the next one, even when every document row is.
    joined = ExampleStream(pool, TrainConfig(batch_size=16, max_types=6, seed=5, join_prob=1.0))
    rows = [words for step in range(4) for words, _, _ in joined.items(step)]
    queries = [w for w in rows if w[0] in ("Play", "Sushi")]
    assert queries and all(len(w) == 4 for w in queries)
    assert any(len(w) > 8 for w in rows if w[0] not in ("Play", "Sushi"))
    # Off (the default): three-item rows and the same draws as before the settings existed.
    off = ExampleStream(toy_pool(), TrainConfig(batch_size=16, max_types=6, seed=5))
    zero = ExampleStream(
        toy_pool(), TrainConfig(batch_size=16, max_types=6, seed=5, query_shape_prob=0.0, shapeless_prob=0.0)
    )
    assert off.items(2) == zero.items(2) and all(len(row) == 3 for row in off.items(2))
    with pytest.raises(ValueError, match="shapeless_prob"):
        TrainConfig(shapeless_prob=2.0).validate()
    with pytest.raises(ValueError, match="query_shape_prob"):
        TrainConfig(query_shape_prob=-1.0).validate()
