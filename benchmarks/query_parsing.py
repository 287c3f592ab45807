"""Query parsing with GLiNER (doclinks.query): slot quality on real search queries, latency, and an
end-to-end self-query retrieval set (docs/query.md).

    python benchmarks/query_parsing.py [--model DIR] [--sets mit-movie mit-restaurant] [--limit N]
                                       [--latency-n 200] [--threads 2] [--skip-mit] [--skip-catalogue]

MIT Movie / MIT Restaurant dev (../shared/data/ner/dev): each query parsed with its set's own slot names
as fields (one string field per slot, labelled with the slot name); slot F1 (exact span and label),
whole-query exact match (every slot right, none extra: Sease's measure), and latency per query, p50/p95,
at batch 1 and 32 on `--threads` torch threads. Catalogue: benchmarks/query/catalogue.py (360 films,
seed 7) in an in-memory store with the default embedder, the 66 hand-written questions of
benchmarks/query/questions.json with their gold filters: filter exact match (the parsed filter selects
exactly the gold records), and precision@5 (a result is relevant when it matches the gold filter) of
GLiNERSelfQueryRetriever (strict and soft) against plain similarity search on the same store.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks" / "query")]
TODAY = "2026-12-07"

CATALOGUE_FIELDS = [  # people share the label "person": the store's values say director or cast
    {"name": "title", "description": "film title", "type": "string", "labels": ["movie title"]},
    {"name": "director", "description": "who directed the film", "type": "string", "labels": ["person"]},
    {"name": "genre", "description": "film genre", "type": "string", "labels": ["genre"]},
    {"name": "year", "description": "release year", "type": "integer", "labels": ["year", "date"]},
    {
        "name": "rating",
        "description": "stars out of 5",
        "type": "float",
        "labels": ["rating"],
        "units": ["stars", "star"],
    },
    {
        "name": "country",
        "description": "country of the film, as an adjective",
        "type": "string",
        "labels": ["country", "nationality"],
    },
    {"name": "cast", "description": "actors", "type": "list[string]", "labels": ["person"]},
    {
        "name": "runtime",
        "description": "length in minutes",
        "type": "integer",
        "labels": ["duration"],
        "units": ["minutes", "min", "mins"],
    },
    {
        "name": "price",
        "description": "rental price in dollars",
        "type": "float",
        "labels": ["price"],
        "units": ["$", "dollars", "bucks"],
    },
    {"name": "subtitles", "description": "has subtitles", "type": "boolean", "labels": ["subtitles"]},
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def mit(model, name: str, root: Path, limit: int | None, latency_n: int) -> dict:
    from doclinks.query import FieldSpec, QueryParser

    folder = root / name
    rows = json.loads((folder / "dev-sample.json").read_text())[:limit]
    labels = json.loads((folder / "labels.json").read_text())
    parser = QueryParser(model, [FieldSpec(label, labels=(label,)) for label in labels], batch_size=32)
    queries = [r["sentence"] for r in rows]
    parsed = parser.parse_batch(queries, today=TODAY)
    tp = fp = fn = exact = 0
    for row, p in zip(rows, parsed):
        gold = {(e["pos"][0], e["pos"][1], e["type"]) for e in row["entities"]}
        got = {(s.start, s.end, s.label) for s in p.spans}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
        exact += gold == got
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    sample = queries[:latency_n]
    parser.parse(sample[0], today=TODAY)  # warm up
    one = []
    for q in sample:
        t = time.perf_counter()
        parser.parse(q, today=TODAY)
        one.append(time.perf_counter() - t)
    batch = []
    for i in range(0, len(sample) - 31, 32):
        t = time.perf_counter()
        parser.parse_batch(sample[i : i + 32], today=TODAY)
        batch.append((time.perf_counter() - t) / 32)
    return {
        "set": name,
        "queries": len(rows),
        "f1": 100 * f1,
        "precision": 100 * precision,
        "recall": 100 * recall,
        "exact": exact,
        "p50_1": 1000 * percentile(one, 0.5),
        "p95_1": 1000 * percentile(one, 0.95),
        "p50_32": 1000 * percentile(batch, 0.5) if batch else None,
        "p95_32": 1000 * percentile(batch, 0.95) if batch else None,
    }


def catalogue(model) -> dict:
    from catalogue import generate

    from doclinks.document import Document
    from doclinks.query import GLiNERSelfQueryRetriever
    from doclinks.store import InMemoryGraphStore
    from doclinks.store.filters import compile_filter, matches, metadata_tokens

    records = generate()
    questions = json.loads((REPO / "benchmarks" / "query" / "questions.json").read_text())
    store = InMemoryGraphStore()
    store.add_documents([Document(r["text"], r["metadata"], r["id"]) for r in records])
    tokens = {r["id"]: metadata_tokens(r["metadata"]) for r in records}

    def selected(flt) -> set[str]:
        cond = compile_filter(flt)
        return {i for i, t in tokens.items() if matches(cond, t)}

    from doclinks.query import load_fields

    fields = load_fields(CATALOGUE_FIELDS, shared_labels=True)
    strict = GLiNERSelfQueryRetriever.from_store(store, model, fields, "films", today=TODAY, k=5)
    soft = GLiNERSelfQueryRetriever(store=store, parser=strict.parser, k=5, mode="soft", today=TODAY)
    exact, p_plain, p_strict, p_soft, same_plain, misses = 0, [], [], [], 0, []
    t0 = time.perf_counter()
    for item in questions:
        parsed = strict.parser.parse(item["q"], today=TODAY)
        gold = selected(item["filter"])
        ok = selected(parsed.filter) == gold
        exact += ok
        if not ok:
            misses.append(
                (item["q"], parsed.filter, [c.written for c in parsed.unknown], [s.text for s in parsed.unused])
            )
        plain = store.similarity_search(item["q"], k=5)
        if item["filter"] is None:
            got = strict.search(item["q"], parsed).documents
            same_plain += [d.id for d in got] == [d.id for d in plain]
            continue
        p_plain.append(sum(d.id in gold for d in plain) / 5)
        p_strict.append(sum(d.id in gold for d in strict.search(item["q"], parsed).documents) / 5)
        p_soft.append(sum(d.id in gold for d in soft.search(item["q"], parsed).documents) / 5)
    return {
        "records": len(records),
        "questions": len(questions),
        "exact": exact,
        "misses": misses,
        "p5_plain": statistics.mean(p_plain),
        "p5_strict": statistics.mean(p_strict),
        "p5_soft": statistics.mean(p_soft),
        "with_filter": len(p_plain),
        "no_filter": len(questions) - len(p_plain),
        "same_plain": same_plain,
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="GLiNER checkpoint folder (default: the shipped model)")
    ap.add_argument("--sets", nargs="+", default=["mit-movie", "mit-restaurant"])
    ap.add_argument("--data", help="shared data folder (default: $DOCLINKS_DATA or ../shared/data)")
    ap.add_argument("--limit", type=int, help="first N queries of each MIT set (default: all 1,000)")
    ap.add_argument("--latency-n", type=int, default=192, help="queries timed at batch 1 and 32 (default 192)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-mit", action="store_true")
    ap.add_argument("--skip-catalogue", action="store_true")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    if args.model:
        from doclinks.ner.gliner import GLiNER

        model = GLiNER.from_pretrained(args.model)
    else:
        from doclinks.ner.default import default_model

        model = default_model()
    print(f"model: {args.model or 'shipped default (doclinks/models/default)'}; torch threads {args.threads}")
    if not args.skip_mit:
        print(
            "\n| set | queries | slot F1 | P | R | exact queries | p50 / p95 ms, batch 1 | p50 / p95 ms a query, batch 32 |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name in args.sets:
            from doclinks.paths import data_root

            r = mit(model, name, data_root(args.data) / "ner" / "dev", args.limit, args.latency_n)
            b32 = f"{r['p50_32']:.1f} / {r['p95_32']:.1f}" if r["p50_32"] is not None else "-"
            print(
                f"| {r['set']} | {r['queries']} | {r['f1']:.1f} | {r['precision']:.1f} | {r['recall']:.1f} | "
                f"{r['exact']}/{r['queries']} ({100 * r['exact'] / r['queries']:.1f}%) | "
                f"{r['p50_1']:.1f} / {r['p95_1']:.1f} | {b32} |",
                flush=True,
            )
    if not args.skip_catalogue:
        r = catalogue(model)
        print(
            f"\ncatalogue: {r['records']} records, {r['questions']} questions ({r['with_filter']} with a gold filter, "
            f"{r['no_filter']} with nothing to filter), {r['seconds']:.0f} s"
        )
        print(f"filter exact match: {r['exact']}/{r['questions']} ({100 * r['exact'] / r['questions']:.1f}%)")
        print(
            f"precision@5 over the {r['with_filter']} filtered questions: plain similarity {r['p5_plain']:.3f}, "
            f"GLiNERSelfQueryRetriever strict {r['p5_strict']:.3f}, soft {r['p5_soft']:.3f}"
        )
        print(
            f"questions with nothing to filter answered exactly as the plain search: {r['same_plain']}/{r['no_filter']}"
        )
        for q, flt, unknown, unused in r["misses"]:
            print(f"  miss: {q!r} -> {json.dumps(flt, ensure_ascii=False)}; unknown {unknown}; unused {unused}")


if __name__ == "__main__":
    main()
