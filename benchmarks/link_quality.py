"""Link quality: how many of the chunk pairs doclinks links really share an entity?

    python benchmarks/link_quality.py                         # CoNLL-2003 dev + CrossNER politics dev
    python benchmarks/link_quality.py --sets conll2003 --limit 600 --model /tmp/ckpt
    python benchmarks/link_quality.py --sweep                 # also min link score and merge-rule ablations
    python benchmarks/link_quality.py --fit-thresholds        # also per-label link thresholds learned on each set

A link is a claim: these two chunks mention the same entity. The data are gold-annotated dev sets of
the shared data (`$DOCLINKS_DATA`, else `../shared/data`), sentences in document order, cut into chunks
of `--sentences` (3) consecutive sentences. Sentences are joined by a space, or by a line break after a
sentence that ends without a full stop (a headline or a dateline, on its own line in the original).

- Gold: the person / organization / location mentions of each chunk (`--sets`: CoNLL-2003 dev with
  its own labels; CrossNER politics dev with politician and person -> person, organisation and
  political party -> organization, country and location -> location). A gold *tag* is (label, match
  key of the mention), doclinks' own key (`doclinks.links.match_key`: case, accents, dots, "the").
- Predicted: `GLiNERLinkExtractor(["person", "organization", "location"])` on every chunk, then
  `normalize_links` over the whole corpus, as `doclinks ingest` does; a predicted tag is (label,
  match key of the link's tag).
- Tag precision / recall: over (chunk, tag) items.
- Link precision: a predicted linked pair of chunks (they share a tag) is right when one of the tags
  they share is a gold tag of both. Link recall: right pairs / pairs that share a gold tag. Pairs
  are counted as a search walks them: tags carried by more chunks than the store's hub limit
  (`TraversalSettings().degree_limit(n)`) link nothing (`--no-hub-limit` counts every pair).

Configurations (one NER pass per decoding setting, reused across the others):
- `before`: the rules before this benchmark: spans may cross sentence ends, every mention above the
  threshold links, any short tag joins the one longer tag containing it (`MergePolicy.permissive()`).
- `after`: doclinks' defaults: `respect_boundaries`, `DEFAULT_MIN_LINK_SCORE`, `MergePolicy()`.
- with `--sweep`: each change alone, and the min link score from 0.5 to 0.95.

Prints one table per set and the 20 worst tags by false pairs of `before` and `after`.
Threads: 2 torch threads by default (`--threads`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

LABELS = ["person", "organization", "location"]
SETS = {
    "conll2003": ("ner/dev/conll2003/dev.json", {"person": "person", "organization": "organization", "location": "location"}),
    "crossner-politics": (
        "ner/dev/crossner-politics/dev.json",
        {"politician": "person", "person": "person", "organization": "organization", "political party": "organization",
         "country": "location", "location": "location"},
    ),
}  # fmt: skip


@dataclass
class Chunk:
    text: str
    gold: set[tuple[str, str]]  # (label, match key) of its gold entities, and of their mentions
    entities: set[tuple[str, str]]  # (label, match key) of its gold entities only


def make_chunks(path: Path, mapping: dict[str, str], sentences: int, limit: int | None) -> list[Chunk]:
    """Chunks of `sentences` consecutive sentences with their gold tags.

    A gold entity is a gold mention's match key, where a short mention joins the one longer gold
    mention of its label that contains it ("Shearer" -> "Alan Shearer"; the gold spans are clean, so
    the permissive rule is right there). A predicted tag is right in a chunk when it is the key of one
    of its gold mentions or of their entities, so a right merge and a right unmerged tag both count."""
    from doclinks.links import MergePolicy, canonicalize, match_key
    from doclinks.ner.train.readers import read_eval_json

    examples = read_eval_json(path)
    if limit:
        examples = examples[:limit]
    mentions = [
        (mapping[label], x.text[start:end]) for x in examples for start, end, label in x.entities if label in mapping
    ]
    entity_of = canonicalize(mentions, policy=MergePolicy.permissive())
    chunks = []
    for i in range(0, len(examples), sentences):
        parts, gold, entities = [], set(), set()
        for example in examples[i : i + sentences]:
            parts.append(example.text)
            for start, end, label in example.entities:
                if label in mapping:
                    mention = example.text[start:end]
                    key = match_key(mention)
                    if key:
                        entity = (mapping[label], match_key(entity_of[(mapping[label], mention)]))
                        gold |= {(mapping[label], key), entity}
                        entities.add(entity)
        text = ""
        for part in parts:
            if text:
                text += " " if text.rstrip().endswith((".", "!", "?", '"', "'")) else "\n"
            text += part
        chunks.append(Chunk(text, gold, entities))
    return chunks


class MemoModel:
    """The model, with `iter_inference` answers remembered per (texts, labels, settings): the benchmark's
    configurations that decode alike share one NER pass."""

    def __init__(self, model):
        self.model = model
        self.config = model.config
        self.memo: dict = {}

    def iter_inference(self, texts, labels, **kwargs):
        texts = list(texts)
        key = (tuple(texts), tuple(labels), tuple(sorted(kwargs.items())))
        if key not in self.memo:
            self.memo[key] = list(self.model.iter_inference(texts, labels, **kwargs))
        return iter(self.memo[key])


def predict(chunks: list[Chunk], model, *, respect_boundaries: bool, min_link_score, policy, thresholds=None,
            contrast_labels=None, contrast_mode="separate") -> list[dict]:  # fmt: skip
    """Per chunk: {(label, key): tag} of its links after corpus normalisation."""
    from doclinks.document import Document
    from doclinks.links import GLiNERLinkExtractor, get_links, match_key, normalize_links

    extractor = GLiNERLinkExtractor(
        LABELS,
        model=model,
        respect_boundaries=respect_boundaries,
        min_link_score=min_link_score,
        thresholds=thresholds,
        contrast_labels=contrast_labels,
        contrast_mode=contrast_mode,
    )
    docs = [Document(page_content=c.text, metadata={}) for c in chunks]
    list(extractor.annotate(docs))
    normalize_links(docs, kinds=extractor.kinds, policy=policy)
    out = []
    for doc in docs:
        tags = {}
        for link in get_links(doc):
            label = link.kind.split(":", 1)[1]
            tags[(label, match_key(link.tag))] = link.tag
        out.append(tags)
    return out


def score(chunks: list[Chunk], predicted: list[dict], hub_limit: int | None) -> dict:
    """Tag and link precision / recall, and the false pairs per predicted tag."""
    tp = sum(len(set(p) & c.gold) for p, c in zip(predicted, chunks))
    n_pred = sum(len(p) for p in predicted)
    n_gold = sum(len(c.entities) for c in chunks)

    def pairs(tag_sets) -> dict[tuple[int, int], set]:
        holders = defaultdict(list)
        for i, tags in enumerate(tag_sets):
            for tag in tags:
                holders[tag].append(i)
        out = defaultdict(set)
        for tag, docs in holders.items():
            if hub_limit is not None and len(docs) > hub_limit:
                continue
            for a, b in itertools.combinations(docs, 2):
                out[(a, b)].add(tag)
        return out

    pred_pairs = pairs([set(p) for p in predicted])
    gold_pairs = pairs([c.entities for c in chunks])
    right = {pair for pair, tags in pred_pairs.items() if tags & chunks[pair[0]].gold & chunks[pair[1]].gold}
    false_by_tag = Counter()
    forms = {}
    for pair, tags in pred_pairs.items():
        if pair not in right:
            for tag in tags:
                false_by_tag[tag] += 1
    for p in predicted:
        forms.update(p)
    return {
        "tag_p": tp / n_pred if n_pred else 0.0, "tag_r": tp / n_gold if n_gold else 0.0,
        "link_p": len(right) / len(pred_pairs) if pred_pairs else 0.0,
        "link_r": len(right & set(gold_pairs)) / len(gold_pairs) if gold_pairs else 0.0,
        "pairs": len(pred_pairs), "gold_pairs": len(gold_pairs),
        "worst": [(f"{label}: {forms.get((label, key), key)}", n) for (label, key), n in false_by_tag.most_common(20)],
    }  # fmt: skip


def configurations(sweep: bool, contrasts: list[str] = (), floors: list[float] = ()) -> dict[str, dict]:
    from doclinks.links import DEFAULT_MIN_LINK_SCORE, MergePolicy
    from doclinks.links.contrast import DEFAULT_CONTRAST_LABELS

    before = {
        "respect_boundaries": False,
        "min_link_score": None,
        "policy": MergePolicy.permissive(),
        "contrast_labels": None,
    }
    after = {"respect_boundaries": True, "min_link_score": DEFAULT_MIN_LINK_SCORE, "policy": MergePolicy(),
             "contrast_labels": DEFAULT_CONTRAST_LABELS}  # fmt: skip
    out = {"before": before, "after": after}
    for spec in contrasts:  # "none", or comma-separated contrast labels, "joint:" before them for one call
        mode, _, names = spec.rpartition(":") if spec.startswith("joint:") else ("separate", "", spec)
        labels = [] if names == "none" else [x.strip() for x in names.split(",") if x.strip()]
        out[f"after, contrast: {spec}"] = {**after, "contrast_labels": labels, "contrast_mode": mode}
        for floor in floors:
            out[f"after, contrast: {spec}, min {floor}"] = {**after, "contrast_labels": labels, "contrast_mode": mode,
                                                             "min_link_score": floor}  # fmt: skip
    if sweep:
        out["before + boundaries"] = {**before, "respect_boundaries": True}
        out["before + merge policy"] = {**before, "policy": MergePolicy()}
        out["after, no partial merges"] = {**after, "policy": None, "merge_partial": False}
        for floor in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
            out[f"after, min link score {floor}"] = {**after, "min_link_score": floor}
        out["after, no contrast labels"] = {**after, "contrast_labels": None}
    return out


def fit_thresholds(chunks: list[Chunk], model, hub: int | None, grid=(0.5, 0.6, 0.7, 0.8, 0.9, 0.95)) -> dict:
    """Per-label link thresholds that maximise link F1 on these chunks, one label at a time (the others
    at the default min link score), then all together. Use them as `GLiNERLinkExtractor(thresholds=...)`."""
    from doclinks.links import DEFAULT_MIN_LINK_SCORE, MergePolicy

    def f1(figures):
        p, r = figures["link_p"], figures["link_r"]
        return 2 * p * r / (p + r) if p + r else 0.0

    chosen = {}
    for label in LABELS:
        best = None
        for floor in grid:
            figures = score(chunks, predict(chunks, model, respect_boundaries=True, min_link_score=DEFAULT_MIN_LINK_SCORE,
                                            policy=MergePolicy(), thresholds={label: floor}), hub)  # fmt: skip
            if best is None or f1(figures) > best[0] + 1e-9:
                best = (f1(figures), floor)
        chosen[label] = best[1]
    figures = score(chunks, predict(chunks, model, respect_boundaries=True, min_link_score=DEFAULT_MIN_LINK_SCORE,
                                    policy=MergePolicy(), thresholds=chosen), hub)  # fmt: skip
    return {"thresholds": chosen, **{k: figures[k] for k in ("tag_p", "tag_r", "link_p", "link_r", "pairs")}}


def time_contrast(chunks: list[Chunk], model, rounds: int = 2) -> dict[str, float]:
    """Seconds to extract `chunks` (best of `rounds`, the settings alternating) with no contrast labels,
    the default contrast labels in one call ("joint"), and in a second call ("separate", the default)."""
    from doclinks.links import GLiNERLinkExtractor
    from doclinks.links.contrast import DEFAULT_CONTRAST_LABELS

    settings = {"none": {"contrast_labels": None}, "joint": {"contrast_labels": DEFAULT_CONTRAST_LABELS, "contrast_mode": "joint"},
                "separate": {"contrast_labels": DEFAULT_CONTRAST_LABELS, "contrast_mode": "separate"}}  # fmt: skip
    texts = [c.text for c in chunks]
    best = {name: float("inf") for name in settings}
    for _ in range(rounds):
        for name, kw in settings.items():
            extractor = GLiNERLinkExtractor(LABELS, model=model, **kw)
            started = time.perf_counter()
            for _ in extractor.extract_many(texts):
                pass
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--model", help="GLiNER checkpoint folder (default: the shipped default model)")
    parser.add_argument("--data", help="shared data folder (default: $DOCLINKS_DATA or ../shared/data)")
    parser.add_argument("--sentences", type=int, default=3, help="sentences per chunk (3)")
    parser.add_argument("--limit", type=int, help="only the first N sentences of each set")
    parser.add_argument("--sweep", action="store_true", help="also each change alone and min link scores")
    parser.add_argument("--no-hub-limit", action="store_true", help="count pairs of every tag, however common")
    parser.add_argument("--fit-thresholds", action="store_true", help="also learn per-label link thresholds (link F1)")
    parser.add_argument(
        "--contrast",
        nargs="+",
        default=[],
        metavar="LABELS",
        help='also the defaults with other contrast labels: "none", or comma-separated labels each',
    )
    parser.add_argument(
        "--min-link-scores",
        nargs="+",
        type=float,
        default=[],
        metavar="S",
        help="with --contrast: each contrast set also at these min link scores",
    )
    parser.add_argument(
        "--speed",
        type=int,
        metavar="N",
        help="only time the extraction of the first N chunks of each set: contrast labels off, joint, separate",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from doclinks.links import load_model, normalize_links  # noqa: F401
    from doclinks.paths import data_root
    from doclinks.store import TraversalSettings

    root = Path(args.data) if args.data else data_root()
    model = MemoModel(load_model(args.model))
    results = {}
    for name in args.sets:
        rel, mapping = SETS[name]
        path = root / rel
        if not path.is_file():
            print(f"{name}: {path} not found, skipped", file=sys.stderr)
            continue
        chunks = make_chunks(path, mapping, args.sentences, args.limit)
        if args.speed:
            took = time_contrast(chunks[: args.speed], model.model)
            n = len(chunks[: args.speed])
            from doclinks.links.contrast import DEFAULT_CONTRAST_LABELS

            print(
                f"\n## {name}: extraction of {n} chunks, best of 2 (contrast labels: {', '.join(DEFAULT_CONTRAST_LABELS)})"
            )
            for label, seconds in took.items():
                print(f"{label:10} {seconds:7.2f} s  {n / seconds:6.1f} chunks/s  x{seconds / took['none']:.2f}")
            results[name] = {"speed": took}
            continue
        hub = None if args.no_hub_limit else TraversalSettings().degree_limit(len(chunks))
        print(f"\n## {name}: {len(chunks)} chunks of {args.sentences} sentences, hub limit {hub}")
        print(
            f"{'configuration':34} {'tag P':>6} {'tag R':>6} {'link P':>7} {'link R':>7} {'pairs':>7} {'gold pairs':>10} {'s':>6}"
        )
        results[name] = {}
        for label, settings in configurations(args.sweep, args.contrast, args.min_link_scores).items():
            started = time.perf_counter()
            settings = dict(settings)
            merge_partial = settings.pop("merge_partial", True)
            if not merge_partial:
                from doclinks.links import MergePolicy

                settings["policy"] = MergePolicy(min_chunks=10**9, min_score=2.0)  # no longer tag is trusted
            predicted = predict(chunks, model, **settings)
            figures = score(chunks, predicted, hub)
            figures["seconds"] = round(time.perf_counter() - started, 1)
            results[name][label] = figures
            print(
                f"{label:34} {figures['tag_p']:6.3f} {figures['tag_r']:6.3f} {figures['link_p']:7.3f} "
                f"{figures['link_r']:7.3f} {figures['pairs']:7d} {figures['gold_pairs']:10d} {figures['seconds']:6.1f}",
                flush=True,
            )
        if args.fit_thresholds:
            fitted = fit_thresholds(chunks, model, hub)
            results[name]["fitted thresholds"] = fitted
            print(f"{'per-label thresholds (fitted here)':34} {fitted['tag_p']:6.3f} {fitted['tag_r']:6.3f} "
                  f"{fitted['link_p']:7.3f} {fitted['link_r']:7.3f} {fitted['pairs']:7d}   {fitted['thresholds']}")  # fmt: skip
        for label in ("before", "after"):
            print(f"\n20 worst tags by false pairs ({name}, {label}):")
            for tag, n in results[name][label]["worst"]:
                print(f"  {n:5d}  {tag}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
