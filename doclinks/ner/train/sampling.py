"""What each training step reads: the label set of every example (`LabelSampler`: gold labels, negatives,
paraphrases) and the examples of every step (`ExampleStream`).

The recipe is the GLiNER paper's: each example reads its gold labels plus negative labels drawn from the
other labels of the pool, paraphrased, shuffled and capped at `max_types`. A negative is never a label
related to a gold one (`labels.RELATED`), nor one sharing a content word with it.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from .config import TrainConfig
from .examples import Example, crop, joined, query_shaped
from .labels import (
    CATCH_ALL,
    EXHAUSTIVE_SOURCES,
    PARAPHRASES,
    SILVER_SOURCES,
    UNANNOTATED_IN_GOLD,
    content_words,
    related_labels,
)
from .pool import QUERY_SETS, label_parents, mix_weights, pool_labels, source_label_sets


@dataclass
class LabelSampler:
    """Per-example label sets: gold labels, negatives from the pool, paraphrases, shuffled and capped.

    `labels` are the canonical names of the pool. `fine_prob` is the chance that a fine label with a
    coarse fallback is offered, `coarse_negative_prob` that its coarse label is then offered too (see
    `resolve`). `neg_ratio` scales the negatives: an example with `g`
    gold labels gets a uniform number of negatives in [0, round(neg_ratio * (max_types - g))] (at least
    one for an example without entities). `paraphrase_prob` is the chance that a label is read under a
    paraphrase rather than its canonical name.

    `source_labels` (source -> the labels that source annotates) and `parents` (fine label -> its coarse
    label) make negatives per source: a label of another source is a negative only when neither it nor
    its coarse label is related to a label of the example's own source, because that source did not
    annotate it (another set's "politician" is never a negative for a CoNLL "person" span). A source
    missing from `source_labels` draws from every label, as before. A source of `closed_sources` (default:
    the query sets, `pool.QUERY_SETS`) labels only some kinds of what its texts name (a request marks its own
    service's slots): it draws negatives within its own set only, per service where its examples name one
    (`sgd/Restaurants`: its service's labels, and the set's labels of no kind its service labels), and a
    label that only closed sources annotate is no other source's negative (a Few-NERD sentence full of
    unmarked genres and dishes).

    `catchall_prob` teaches the catch-all label `CATCH_ALL` on `catchall_sources` (see `catch_all`).
    """

    labels: list[str]
    max_types: int = 25
    neg_ratio: float = 1.0
    paraphrase_prob: float = 0.5
    paraphrases: dict[str, list[str]] = field(default_factory=lambda: PARAPHRASES)
    fine_prob: float = 0.5
    coarse_negative_prob: float = 1.0
    source_labels: dict[str, set[str]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    catchall_prob: float = 0.0
    catchall_sources: tuple[str, ...] = EXHAUSTIVE_SOURCES
    closed_sources: tuple[str, ...] = QUERY_SETS
    _allowed: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def family(self, labels: set[str] | Sequence[str]) -> set[str]:
        """The labels, their coarse labels, and every label related to either."""
        out: set[str] = set()
        for label in labels:
            out |= related_labels(label)
            if label in self.parents:
                out |= related_labels(self.parents[label])
        return out

    def allowed_for(self, source: str) -> list[str]:
        """The pool labels a `source` may read as negatives (cached per source)."""
        cache = self._allowed
        if source not in cache:
            own = self.source_labels.get(source)
            closed_set = source.split("/", 1)[0]
            if own is None:
                cache[source] = list(self.labels)
            elif closed_set in self.closed_sources:
                # Within its set only; a service's request may name what another service labels (a city
                # is one service's "area", another's "destination"): no label of the family of its own.
                in_set = self.source_labels.get(closed_set, own)
                own_family = self.family(own) if source != closed_set else set()
                cache[source] = [
                    x for x in self.labels if x in own or (x in in_set and not (self.family([x]) & own_family))
                ]
            else:
                own_family, closed_only = self.family(own), self.closed_only()
                cache[source] = [
                    x for x in self.labels if x not in closed_only and (x in own or not (self.family([x]) & own_family))
                ]
        return cache[source]

    def closed_only(self) -> set[str]:
        """The labels that only `closed_sources` annotate (empty when the pool holds none of them)."""
        closed = [labels for name, labels in self.source_labels.items() if name.split("/", 1)[0] in self.closed_sources]
        if not closed:
            return set()
        others = [
            labels for name, labels in self.source_labels.items() if name.split("/", 1)[0] not in self.closed_sources
        ]
        return set().union(*closed) - set().union(*others)

    def surface(self, label: str, rng: random.Random) -> str:
        """The text the model reads for `label`: a paraphrase with probability `paraphrase_prob`, else the name."""
        options = self.paraphrases.get(label)
        if options and rng.random() < self.paraphrase_prob:
            return rng.choice(options)
        return label

    def negatives_for(self, gold: set[str], source: str, withheld: Collection[str] = frozenset()) -> list[str]:
        """The labels an example of `source` with `gold` labels may read as negatives: none related to a
        gold label, sharing a content word with one, withheld, or of a kind its source leaves unannotated."""
        blocked = set(withheld)
        for label in gold:
            blocked |= related_labels(label)
        # A label sharing a word with a gold one is too close to be a safe negative (drama film / film).
        gold_words = {w for label in gold for w in content_words(label)}
        silver = source in SILVER_SOURCES
        return [
            x
            for x in self.allowed_for(source)
            if x not in blocked
            and not gold_words.intersection(content_words(x))
            and (silver or x not in UNANNOTATED_IN_GOLD)
        ]

    def resolve(
        self, spans: Sequence[tuple[int, int, str]], fallback: Sequence[tuple[int, int, str]], rng: random.Random
    ) -> tuple[list[tuple[int, int, str]], set[str], set[str]]:
        """(gold spans, withheld labels, hard negatives) of an example with coarse `fallback` labels.

        Each fine label found only on spans with a fallback is offered with probability `fine_prob`; a
        span keeps its fine labels when one is offered, and its fallback label is then offered too, as a
        negative for that span; otherwise the fallback label is the span's gold. Withheld labels are never
        negatives (they would be false ones). The coarse label beside an offered fine one is offered with
        probability `coarse_negative_prob` (else the fine label is also read without its contrast)."""
        if not fallback:
            return list(spans), set(), set()
        at_fallback = {(s, e) for s, e, _ in fallback}
        elsewhere = {label for s, e, label in spans if (s, e) not in at_fallback}
        optional = sorted({label for s, e, label in spans if (s, e) in at_fallback} - elsewhere)
        withheld = {label for label in optional if rng.random() >= self.fine_prob}
        gold = [x for x in spans if x[2] not in withheld]
        typed = {(s, e) for s, e, _ in gold}
        hard = set()
        for s, e, label in fallback:
            if (s, e) in typed:
                if self.coarse_negative_prob >= 1 or rng.random() < self.coarse_negative_prob:
                    hard.add(label)
            else:
                gold.append((s, e, label))
        return gold, withheld, hard - {label for _, _, label in gold}

    def catch_all(
        self, spans: Sequence[tuple[int, int, str]], rng: random.Random
    ) -> tuple[list[tuple[int, int, str]], set[str], bool]:
        """(spans, labels to withhold, offer `CATCH_ALL` as a negative) for an exhaustively annotated example.

        With probability `catchall_prob` one gold label is hidden with its family (`family`: its coarse
        label and the labels related to either): a span whose labels are all hidden reads `CATCH_ALL`
        instead, and the hidden labels are withheld (never negatives, never offered). Otherwise, with
        the same probability, `CATCH_ALL` is offered as a negative: every name of the text has an offered
        label. Draws nothing when `catchall_prob` is 0.
        """
        if self.catchall_prob <= 0:
            return list(spans), set(), False
        if spans and rng.random() < self.catchall_prob:
            hidden = self.family([rng.choice(sorted({label for _, _, label in spans}))])
            by_span: dict[tuple[int, int], list[str]] = {}
            for s, e, label in spans:
                by_span.setdefault((s, e), []).append(label)
            out: list[tuple[int, int, str]] = []
            for (s, e), labels in by_span.items():
                kept = [label for label in labels if label not in hidden] or [CATCH_ALL]
                out.extend((s, e, label) for label in kept)
            return out, hidden, False
        return list(spans), set(), rng.random() < self.catchall_prob

    def sample(
        self,
        spans: Sequence[tuple[int, int, str]],
        source: str,
        rng: random.Random,
        fallback: Sequence[tuple[int, int, str]] = (),
    ) -> tuple[list[str], list[tuple[int, int, int]]]:
        """(prompts, spans as (start, end, prompt index)) for one example.

        When more gold labels than `max_types` exist, the spans of the labels left out are dropped.
        `fallback`: coarse labels of finely typed spans (see `Example` and `resolve`).
        """
        spans, withheld, hard = self.resolve(spans, fallback, rng)
        if source in self.catchall_sources:
            spans, hidden, other_negative = self.catch_all(spans, rng)
            withheld, hard = withheld | hidden, hard - hidden
            if other_negative:
                hard.add(CATCH_ALL)
        gold = list(dict.fromkeys(label for _, _, label in spans))
        rng.shuffle(gold)
        gold = gold[: self.max_types]
        hard_negatives = sorted(hard)[: self.max_types - len(gold)]
        room = self.max_types - len(gold) - len(hard_negatives)
        pool = [x for x in self.negatives_for(set(gold), source, withheld) if x not in hard]
        most = min(len(pool), round(self.neg_ratio * room))
        least = 1 if not gold and most > 0 else 0
        count = rng.randint(least, most) if most >= least else 0
        negatives = rng.sample(pool, count)
        chosen = gold + hard_negatives + negatives
        rng.shuffle(chosen)
        prompts, seen = [], set()
        for label in chosen:
            text = self.surface(label, rng)
            if text in seen:
                text = label
            seen.add(text)
            prompts.append(text)
        index = {label: i for i, label in enumerate(chosen)}
        kept = [(s, e, index[label]) for s, e, label in spans if label in index]
        return prompts, kept


class ExampleStream:
    """The examples of every step: a pure function of (seed, step), so a resumed run reads the same data.

    A source is drawn by its mixing weight, then an example of it uniformly (with replacement); with
    probability `join_prob` it is joined with the one or two examples that follow it in its source (the
    next sentences of its document where the source keeps document order), so that the model sees
    sentence ends inside a row; the example is cropped to `max_words` and given its label set by the
    `LabelSampler` (per-source negatives with `source_negatives`).

    Query-shaped rows: with probability `query_shape_prob` a row of a query set is lower-cased and loses its
    punctuation (`examples.query_shaped`), as typed into a search box; with probability `shapeless_prob`
    any row is read with the case cue withheld (a fourth item, `case_known` False: every word's shape is
    unknown to a model with the word-shape feature; see `batches.BatchBuilder.build`). Rows carry the
    fourth item only when `shapeless_prob` is set, and neither setting draws when off (runs repeat).
    """

    def __init__(self, pool: dict[str, list[Example]], train: TrainConfig, labels: list[str] | None = None):
        self.pool = {k: v for k, v in pool.items() if v}
        self.train = train
        self.weights = mix_weights(self.pool, train.mix or None)
        self.sources = list(self.weights)
        self.sampler = LabelSampler(
            labels if labels is not None else pool_labels(self.pool),
            max_types=train.max_types, neg_ratio=train.neg_ratio, paraphrase_prob=train.paraphrase_prob,
            fine_prob=train.fine_prob, coarse_negative_prob=train.coarse_negative_prob,
            source_labels=source_label_sets(self.pool) if train.source_negatives else {},
            parents=label_parents(self.pool) if train.source_negatives else {},
            catchall_prob=train.catchall_prob,
        )  # fmt: skip
        if not self.sampler.labels:
            raise ValueError("the training pool has no label with enough entities to sample negatives from")

    def items(self, step: int) -> list[tuple]:
        """The `batch_size` examples of `step` as (words, prompts, spans as (start, end, prompt index)), plus
        `case_known` when `shapeless_prob` is set."""
        rng = random.Random(f"{self.train.seed}:{step}")
        chosen = rng.choices(self.sources, weights=[self.weights[s] for s in self.sources], k=self.train.batch_size)
        out: list[tuple] = []
        for source in chosen:
            examples = self.pool[source]
            at = rng.randrange(len(examples))
            example = examples[at]
            # No draw when joins are off, so that runs made before joins existed repeat exactly.
            # A query stands alone (the next one is another user's request): query sets are never joined.
            if self.train.join_prob > 0 and source not in QUERY_SETS and rng.random() < self.train.join_prob:
                count = rng.choice((2, 3))
                example = joined(examples[at : at + count])
            example = crop(example, self.train.max_words, rng)
            # Capitalisation is the word-shape feature's only cue (the encoder is uncased): some rows go
            # without it, as in search queries and lower-cased text. No draw when off (runs repeat).
            if self.train.lowercase_prob > 0 and rng.random() < self.train.lowercase_prob:
                example = replace(example, words=[w.lower() for w in example.words])
            if self.train.query_shape_prob > 0 and source in QUERY_SETS and rng.random() < self.train.query_shape_prob:
                example = query_shaped(example)
            shapeless = self.train.shapeless_prob > 0 and rng.random() < self.train.shapeless_prob
            prompts, spans = self.sampler.sample(example.spans, example.source or source, rng, example.fallback)
            if not prompts:  # no gold and no negative left: read one random label of the pool
                prompts = [rng.choice(self.sampler.labels)]
            if self.train.shapeless_prob > 0:
                out.append((example.words, prompts, spans, not shapeless))
            else:
                out.append((example.words, prompts, spans))
        return out
