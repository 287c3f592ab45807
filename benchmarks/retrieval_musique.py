"""Retrieval quality on MuSiQue: do entity links raise the recall of supporting passages?

    python benchmarks/retrieval_musique.py                       # default NER model, all 100 questions
    python benchmarks/retrieval_musique.py --model /tmp/ckpt --labels person,location --limit-questions 10
    python benchmarks/retrieval_musique.py --hub 100:1,20:1,none:0 --adjacent-k 1,2,3,5 --out results.json
    python benchmarks/retrieval_musique.py --links titles            # reference links without NER

Data: `musique/` of the shared data folder (`$DOCLINKS_DATA`, else `../shared/data` next to the
repository root; `--data` overrides): 100 MuSiQue questions with 2-4 supporting passages each
(`is_supporting`), and the 1,890 distinct passages of those questions (`musique_train_corpus.json`).
One store holds all 1,890 passages; every question searches all of them.

- Document text: ``title + "\\n" + text``; id ``musique-`` + the first 16 hex digits of the SHA-1 of
  that text (stable across runs and files; the passages are distinct).
- Links: `GLiNERLinkExtractor(--labels, model=--model, threshold=--threshold)` on every passage, then
  `normalize_links` over the corpus (what `LinkExtractorTransformer` does). Each entity gives a
  ``bidir`` link of kind ``entity:<label>``, so two passages are neighbours when they mention the
  same entity under the same label. `--merge-kinds` drops the label from the kind (one kind
  ``entity``), so "Paris" as a city and as a location join.
- Embeddings: the default embedder (all-MiniLM-L6-v2) for passages and questions.
- Store: `InMemoryGraphStore` (the three stores give the same answers: tests/store/test_compliance.py),
  one per hub setting (`--hub`: ``default`` or ``max_tag_degree:idf_weight``).

Links and embeddings are cached under `--cache` (default ~/.cache/doclinks/musique), keyed by the
model's files, the labels, the threshold and the passages, so a re-run with other traversal
settings takes seconds.

Recall@K of a question = supporting passages among the first K results / supporting passages;
the table gives the mean over questions. Every method returns a ranked list cut to K:

- similarity: `similarity_search(q, k=K)`.
- traversal, adjacent_k=A: `traversal_search(q, k=K-A, depth=D, adjacent_k=ceil(A/D))`: K-A roots
  by similarity, then the neighbours in the store's rank order (depth 1 before depth 2), cut to K.
  When the links give fewer than A neighbours the remaining places go to the next passages by
  similarity, so every method spends the same budget of K results. (Ranking everything traversal
  returns by ``_similarity_score`` and cutting to K would always give back the similarity results:
  no neighbour is more similar to the query than the roots, which are the K most similar passages.)
- MMR traversal: `mmr_traversal_search(q, k=K)` with its defaults (depth 2, fetch_k 100,
  adjacent_k 10, lambda_mult 0.5; `--mmr-lambda` adds other values), results in selection order.
  Also with ``depth=0``: the same MMR over the similarity candidates only, links unused, to
  separate what the links add from what diversity adds.

Columns: R@K (mean recall@K), +/-@K (questions whose recall@K is higher / lower than similarity
search's: 100 questions are few, so read a difference of 0.01-0.02 as noise unless the counts are
lopsided), nbrs@K (results reached through a link, mean per question). Before the table: links
and neighbours per passage, tag degrees, how many supporting passages share a link, and the
headroom (supporting passages that similarity search misses but that are one link from its top K).

`--links titles` replaces the entity links by reference links that need no NER (a passage links
out to the passages whose title it mentions, roughly Wikipedia's hyperlinks), to tell what links
can do on this data from what the NER model gives; `--links both` uses both.
Threads: one torch / BLAS thread by default (`--threads`), as on a shared machine.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # One thread unless told otherwise; must be set before numpy and torch load.
    _threads = "1"
    for _i, _arg in enumerate(sys.argv):
        if _arg.startswith("--threads"):
            _threads = _arg.split("=", 1)[1] if "=" in _arg else (sys.argv[_i + 1 :] or ["1"])[0]
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _threads)

import argparse
import hashlib
import json
import math
import platform
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from doclinks.document import Document
from doclinks.links import Link
from doclinks.paths import data_root
from doclinks.store import InMemoryGraphStore, TraversalSettings

#: Entity types, named as the default model was trained to read them (docs/training.md), chosen on
#: this benchmark (docs/store.md, "Retrieval quality"): "date", "nationality or group" and "location"
#: gave more noise than help.
DEFAULT_LABELS = ["person", "organization", "country", "city", "creative work", "event"]
#: The store default (100, IDF 1), the cap that did best here (10), and no hub control, no IDF.
DEFAULT_HUB = "default,100:1,none:0"
EMBEDDER = "all-MiniLM-L6-v2"
#: Tag degree buckets of the link statistics: (name, lowest, highest degree).
DEGREE_BUCKETS = (("1", 1, 1), ("2-5", 2, 5), ("6-20", 6, 20), ("21-100", 21, 100), (">100", 101, 10**9))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------- data
def passage_text(title: str, text: str) -> str:
    return f"{title}\n{text}"


def passage_id(text: str) -> str:
    return "musique-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def load_musique(folder: Path):
    """(passages [{id, text}], questions [{id, question, support: supporting passage ids, hops}])."""
    corpus_file, questions_file = folder / "musique_train_corpus.json", folder / "musique_train.json"
    for f in (corpus_file, questions_file):
        if not f.is_file():
            sys.exit(f"error: {f} not found (set $DOCLINKS_DATA or pass --data)")
    corpus = json.loads(corpus_file.read_text(encoding="utf-8"))
    passages, ids = [], {}
    for p in corpus:
        text = passage_text(p["title"], p["text"])
        pid = passage_id(text)
        if pid in ids:
            if ids[pid] != text:
                sys.exit(f"error: id collision {pid}")
            continue
        ids[pid] = text
        passages.append({"id": pid, "text": text})
    questions = []
    for q in json.loads(questions_file.read_text(encoding="utf-8")):
        support = []
        for p in q["paragraphs"]:
            if p["is_supporting"]:
                pid = passage_id(passage_text(p["title"], p["paragraph_text"]))
                if pid not in ids:
                    sys.exit(f"error: a supporting passage of {q['id']} is not in the corpus")
                support.append(pid)
        questions.append({"id": q["id"], "question": q["question"], "support": support,
                          "hops": len(q.get("question_decomposition") or support)})  # fmt: skip
    return passages, questions


def sha1_json(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def folder_digest(folder: Path) -> str:
    """SHA-1 over the names and contents of the files of a model folder."""
    h = hashlib.sha1()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(folder)).encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------------------------- embeddings
class TableEmbeddings:
    """Vectors looked up by text (computed once, cached on disk): no model runs during search."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def embed_documents(self, texts):
        return [self.table[t] for t in texts]

    def embed_query(self, text):
        return self.table[text]


def cached_embeddings(cache: Path, passages, questions) -> TableEmbeddings:
    texts = [p["text"] for p in passages] + sorted({q["question"] for q in questions})
    key = sha1_json([EMBEDDER, 256, texts])[:16]
    path = cache / f"embeddings-{key}.npy"
    if path.is_file():
        vectors = np.load(path)
        log(f"embeddings: cached ({path})")
    else:
        from doclinks.embeddings import MiniLMEmbeddings

        t0 = time.time()
        vectors = np.asarray(MiniLMEmbeddings().embed_documents(texts), dtype=np.float32)
        log(f"embeddings: {len(texts)} texts in {time.time() - t0:.0f} s -> {path}")
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    return TableEmbeddings(dict(zip(texts, vectors)))


# ------------------------------------------------------------------------------------------ links
def resolve_model(model: str | None) -> Path:
    if model is None:
        from doclinks.ner.default import NoDefaultModelError, default_model_path

        try:
            return default_model_path()
        except NoDefaultModelError as exc:
            sys.exit(f"error: {exc}")
    path = Path(model).expanduser().resolve()
    if not path.is_dir():
        sys.exit(f"error: --model {model}: not a checkpoint folder")
    return path


def link_rules(name: str, min_link_score: float | None = None) -> dict:
    """Extractor and normalisation settings: "default" (doclinks' defaults: spans within sentences, a
    min link score, conservative merges) or "before" (the rules before docs/links.md "Link quality");
    `min_link_score` (0 for none) overrides the default's."""
    from doclinks.links import DEFAULT_MIN_LINK_SCORE, MergePolicy
    from doclinks.links.contrast import DEFAULT_CONTRAST_LABELS

    if name == "before":
        return {"respect_boundaries": False, "min_link_score": None, "policy": MergePolicy.permissive(),
                "contrast_labels": None}  # fmt: skip
    floor = DEFAULT_MIN_LINK_SCORE if min_link_score is None else (min_link_score or None)
    return {"respect_boundaries": True, "min_link_score": floor, "policy": MergePolicy(),
            "contrast_labels": DEFAULT_CONTRAST_LABELS}  # fmt: skip


def cached_links(cache: Path, passages, model_path: Path, labels: list[str], threshold: float, batch_size: int,
                 rules: str = "default", min_link_score: float | None = None):  # fmt: skip
    """{passage id: {"links": [[kind, tag], ...], "entities": [...]}}, extracted once and cached."""
    digest = folder_digest(model_path)
    settings = link_rules(rules, min_link_score)
    meta = {"model": str(model_path), "model_sha1": digest, "labels": labels, "threshold": threshold,
            "passages": sha1_json([p["text"] for p in passages]), "normalize": True,
            "rules": {k: repr(v) for k, v in settings.items()}}  # fmt: skip
    path = cache / f"links-{sha1_json(meta)[:16]}.json"
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        log(f"links: cached ({path})")
        return data["passages"], data["meta"]
    from doclinks.links import GLiNERLinkExtractor, normalize_links

    extractor = GLiNERLinkExtractor(labels, model=str(model_path),
                                    extract_kwargs={"threshold": threshold, "batch_size": batch_size},
                                    respect_boundaries=settings["respect_boundaries"],
                                    min_link_score=settings["min_link_score"],
                                    contrast_labels=settings["contrast_labels"])  # fmt: skip
    docs = [Document(p["text"], {}, p["id"]) for p in passages]
    t0 = time.time()
    for i, _ in enumerate(extractor.annotate(docs), 1):
        if i % 100 == 0 or i == len(docs):
            el = time.time() - t0
            log(f"links: {i}/{len(docs)} passages, {el:.0f} s, ~{el / i * (len(docs) - i):.0f} s left")
    normalize_links(docs, kinds=extractor.kinds, honorifics=extractor.honorifics, fold_accents=extractor.fold_accents,
                    policy=settings["policy"])  # fmt: skip
    meta["extract_seconds"] = round(time.time() - t0, 1)
    out = {}
    for d in docs:
        out[d.id] = {
            "links": [[link.kind, link.tag] for link in d.metadata.get("links", [])],
            "entities": [{k: r[k] for k in ("text", "label", "score", "tag", "linked")}
                         for r in d.metadata.get("entities", [])],
        }  # fmt: skip
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"meta": meta, "passages": out}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    log(f"links: extracted in {meta['extract_seconds']} s -> {path}")
    return out, meta


def ner_links(links_by_id, use_labels: set[str] | None, merge_kinds: bool) -> dict[str, set[tuple[str, str, str]]]:
    """The (kind, direction, tag) links of each passage after the label filter and kind merging."""
    out = {}
    for pid, rec in links_by_id.items():
        links = set()
        for kind, tag in rec["links"]:
            label = kind.split(":", 1)[1] if ":" in kind else kind
            if use_labels is not None and label not in use_labels:
                continue
            links.add(("entity" if merge_kinds else kind, "bidir", tag))
        out[pid] = links
    return out


def title_links(passages) -> dict[str, set[tuple[str, str, str]]]:
    """Reference links that are not NER: a passage links out to the passages whose title its text mentions.

    A passage titled T carries ``Link.incoming("title", T)``; a passage whose text (not its own
    title) contains T, whole words, case-sensitive, carries ``Link.outgoing("title", T)``. Titles of
    fewer than 4 characters are skipped; "Name (disambiguation)" is matched as "Name". This is
    what Wikipedia's hyperlinks would roughly give: a bound on what entity links could do here.
    """
    import re

    titles = {}
    for p in passages:
        title = p["text"].split("\n", 1)[0]
        titles.setdefault(title, re.sub(r"\s*\([^)]*\)$", "", title))
    out = {p["id"]: {("title", "in", p["text"].split("\n", 1)[0])} for p in passages}
    for p in passages:
        own, body = p["text"].split("\n", 1)
        for title, surface in titles.items():
            if title == own or len(surface) < 4 or surface not in body:
                continue
            if re.search(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", body):
                out[p["id"]].add(("title", "out", title))
    return out


class Graph:
    """The links of each passage, with LangChain's semantics: a passage's out/bidir side reaches the
    passages carrying the in/bidir side of the same (kind, tag)."""

    def __init__(self, links: dict[str, set[tuple[str, str, str]]]) -> None:
        self.links = links
        self.out = {pid: {(k, t) for k, d, t in ls if d in ("out", "bidir")} for pid, ls in links.items()}
        self.inc = {pid: {(k, t) for k, d, t in ls if d in ("in", "bidir")} for pid, ls in links.items()}
        self.holders: dict[tuple[str, str], set[str]] = defaultdict(set)  # tag -> passages with its in side
        for pid, tags in self.inc.items():
            for t in tags:
                self.holders[t].add(pid)

    def neighbours(self, pid: str, max_degree: int | None = None) -> set[str]:
        nb = set()
        for t in self.out[pid]:
            h = self.holders.get(t, ())
            if max_degree is None or len(h) <= max_degree:
                nb |= h
        nb.discard(pid)
        return nb

    def joined(self, a: str, b: str) -> bool:
        return bool(self.out[a] & self.inc[b] or self.out[b] & self.inc[a])


# ------------------------------------------------------------------------------------------ stats
def link_stats(passages, questions, graph: Graph) -> dict:
    ids = [p["id"] for p in passages]
    per_passage = [len(graph.links[i]) for i in ids]
    tags = Counter((k, t) for i in ids for k, _, t in graph.links[i])
    degree = {t: len(h) for t, h in graph.holders.items()}
    by_kind = Counter(k for i in ids for k, _, _ in graph.links[i])
    n_neighbours = [len(graph.neighbours(i)) for i in ids]
    # Are the supporting passages of a question joined by a link? (pairs among them, and questions
    # where every supporting passage is joined to another supporting one)
    pairs = pairs_linked = q_connected = 0
    for q in questions:
        s = q["support"]
        ok = [False] * len(s)
        for i in range(len(s)):
            for j in range(i + 1, len(s)):
                pairs += 1
                if graph.joined(s[i], s[j]):
                    pairs_linked += 1
                    ok[i] = ok[j] = True
        q_connected += all(ok)
    return {
        "passages": len(passages),
        "links_per_passage_mean": round(statistics.mean(per_passage), 2),
        "links_per_passage_median": statistics.median(per_passage),
        "links_per_passage_max": max(per_passage),
        "passages_without_links": sum(1 for n in per_passage if n == 0),
        "distinct_tags": len(tags),
        "passages_with_a_neighbour": sum(1 for n in n_neighbours if n),
        "neighbours_per_passage_mean": round(statistics.mean(n_neighbours), 1),
        "neighbours_per_passage_median": statistics.median(n_neighbours),
        "max_tag_degree_seen": max(degree.values(), default=0),
        "tags_by_degree": {b: sum(1 for d in degree.values() if lo <= d <= hi) for b, lo, hi in DEGREE_BUCKETS},
        "links_by_kind": dict(by_kind.most_common()),
        "top_tags": [[f"{k}={t}", d] for (k, t), d in sorted(degree.items(), key=lambda x: (-x[1], x[0]))[:12]],
        "supporting_pairs": pairs,
        "supporting_pairs_joined": pairs_linked,
        "questions_all_supporting_joined": q_connected,
    }


# ----------------------------------------------------------------------------------------- search
def parse_hub(spec: str) -> list[tuple[str, TraversalSettings]]:
    """ "default" (the store's settings) or "N:IDF" (an absolute cap of N chunks, no relative cap;
    N "none": no cap at all), comma-separated."""
    out = []
    for item in spec.split(","):
        if item.strip() == "default":
            out.append(("store default (0.5% of N, 10..100), idf_weight=1", TraversalSettings()))
            continue
        deg, _, idf = item.strip().partition(":")
        max_deg = None if deg.lower() in ("none", "off", "") else int(deg)
        idf_w = float(idf) if idf else 1.0
        name = f"max_tag_degree={max_deg}, idf_weight={idf_w:g}"
        out.append((name, TraversalSettings(max_tag_degree=max_deg, idf_weight=idf_w, max_tag_share=None)))
    return out


def build_store(passages, graph: Graph, embeddings, settings) -> InMemoryGraphStore:
    store = InMemoryGraphStore(embedding=embeddings, settings=settings)
    docs = [Document(p["text"], {"links": [Link(k, d, t) for k, d, t in sorted(graph.links[p["id"]])]}, p["id"])
            for p in passages]  # fmt: skip
    store.add_documents(docs)
    return store


def fill(results, backfill, K):
    """`results` ids cut to K, completed with the next `backfill` ids not in it; and the count of linked ones."""
    ids, seen, linked = [], set(), 0
    for doc in results[:K]:
        ids.append(doc.id)
        seen.add(doc.id)
        linked += doc.metadata.get("_depth", 0) > 0
    for pid in backfill:
        if len(ids) >= K:
            break
        if pid not in seen:
            ids.append(pid)
            seen.add(pid)
    return ids, linked


def summarize(by_k, baseline) -> dict[int, dict]:
    """Per K: mean recall, mean linked results, and questions with a higher / lower recall than `baseline`."""
    out = {}
    for K, v in by_k.items():
        base = [r for r, _ in baseline[K]]
        out[K] = {"recall": statistics.mean(r for r, _ in v), "linked": statistics.mean(n for _, n in v),
                  "better": sum(r > b + 1e-9 for (r, _), b in zip(v, base)),
                  "worse": sum(r < b - 1e-9 for (r, _), b in zip(v, base))}  # fmt: skip
    return out


def mmr_name(lam: float, what: str) -> str:
    return f"MMR {what}" if lam == 0.5 else f"MMR {what.replace('defaults', 'default')}, lambda_mult={lam:g}"


def evaluate(
    store, questions, ks, adjacent_ks, depth, *, links: bool, lambdas=(0.5,), ppr=(), query_seeds=None, entity_roots=()
):
    """{method: {K: [(recall@K, results reached through a link) per question]}}.

    links=False: the methods that do not use links (similarity, MMR at depth 0);
    links=True: traversal for each A in `adjacent_ks`, and MMR traversal with its defaults.
    """
    rows: dict[str, dict[int, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))
    for q in questions:
        text, support = q["question"], set(q["support"])
        sim = [d.id for d in store.similarity_search(text, k=2 * max(ks))]

        def add(method, K, ids, linked, support=support):
            rows[method][K].append((len(support & set(ids[:K])) / len(support), linked))

        for K in ks:
            if not links:
                add("similarity", K, sim[:K], 0)
                for lam in lambdas:
                    res = store.mmr_traversal_search(text, k=K, depth=0, lambda_mult=lam)
                    add(mmr_name(lam, "depth 0 (links unused)"), K, *fill(res, sim, K))
                continue
            for A in adjacent_ks:
                if A < K:
                    res = store.traversal_search(text, k=K - A, depth=depth, adjacent_k=math.ceil(A / depth))
                    add(f"traversal depth {depth}, adjacent_k={A}", K, *fill(res, sim, K))
            for lam in lambdas:
                res = store.mmr_traversal_search(text, k=K, lambda_mult=lam)
                add(mmr_name(lam, "traversal (defaults)"), K, *fill(res, sim, K))
            for E in entity_roots:
                # Entity-seeded traversal: K-E-A roots by similarity plus the E most similar chunks carrying a
                # (non-hub) tag the question names, then A neighbours of all of them.
                seeds = (query_seeds or {}).get(text, [])
                for A in adjacent_ks:
                    if A + E < K:
                        res = store.traversal_search(text, k=K - A - E, depth=depth, adjacent_k=math.ceil(A / depth),
                                                     entity_k=E, query_entities=False, query_links=seeds)  # fmt: skip
                        add(
                            f"entity-seeded traversal, entity_k={E}, depth {depth}, adjacent_k={A}",
                            K,
                            *fill(res, sim, K),
                        )
            for damping, weight, seeds_k, mix, hops in ppr:
                seeds = (query_seeds or {}).get(text, [])
                res = store.ppr_search(text, k=K, damping=damping, entity_weight=weight, seeds_k=seeds_k,
                                       similarity_weight=mix, hops=hops, query_entities=False, query_links=seeds)  # fmt: skip
                name = f"PPR damping={damping:g}, entity_weight={weight:g}, seeds_k={seeds_k}"
                name += (f", similarity_weight={mix:g}" if mix else "") + f", hops={hops}"
                add(name, K, *fill(res, sim, K))
    return rows


def question_seeds(store, questions, model_path: Path, labels: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The stored tags each question names: its entities (the passages' NER model and labels), matched to
    the store's tags by `doclinks.store.entity_search.query_tags` (what ``ppr_search`` does by itself)."""
    from doclinks.links import GLiNERLinkExtractor
    from doclinks.store.entity_search import query_tags

    t0 = time.time()
    extractor = GLiNERLinkExtractor(labels, model=str(model_path), min_link_score=None)
    stored = store.tags()
    seeds = {q["question"]: query_tags(q["question"], stored, extractor=extractor) for q in questions}
    named = sum(bool(v) for v in seeds.values())
    log(
        f"question entities: {named} of {len(questions)} questions name a stored tag "
        f"({sum(map(len, seeds.values()))} tags) in {time.time() - t0:.1f} s"
    )
    return seeds


def headroom(store, questions, graph: Graph, K: int) -> tuple[int, int]:
    """(supporting passages similarity search misses at K, those of them one walkable link from its top K)."""
    missed = reachable = 0
    limit = store.settings.degree_limit(len(graph.links))
    for q in questions:
        top = [d.id for d in store.similarity_search(q["question"], k=K)]
        nb = set().union(*(graph.neighbours(pid, limit) for pid in top))
        for s in q["support"]:
            if s not in top:
                missed += 1
                reachable += s in nb
    return missed, reachable


# ------------------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=None, help="the musique folder (default: <data>/retrieval/musique)")
    ap.add_argument("--model", default=None, help="GLiNER checkpoint folder (default: doclinks' default model)")
    ap.add_argument(
        "--labels", default=",".join(DEFAULT_LABELS), help="comma-separated entity labels (default: %(default)s)"
    )
    ap.add_argument(
        "--use-labels",
        default=None,
        help="keep only the links of these labels (comma-separated; "
        "from the cached extraction with --labels, no new run)",
    )
    ap.add_argument("--merge-kinds", action="store_true", help="one link kind for all labels ('entity')")
    ap.add_argument("--threshold", type=float, default=0.5, help="NER threshold (default 0.5)")
    ap.add_argument(
        "--link-rules",
        choices=("default", "before"),
        default="default",
        help="default: doclinks' link rules; before: the rules before docs/links.md 'Link quality'",
    )
    ap.add_argument(
        "--min-link-score",
        type=float,
        default=None,
        help="with --link-rules default: this min link score instead of doclinks' (0: none)",
    )
    ap.add_argument("--batch-size", type=int, default=8, help="NER batch size (default 8)")
    ap.add_argument(
        "--links",
        choices=("ner", "titles", "both"),
        default="ner",
        help="ner: entity links (default); titles: reference links from title mentions, no NER; both",
    )
    ap.add_argument(
        "--cache", type=Path, default=Path("~/.cache/doclinks/musique"), help="cache folder (default %(default)s)"
    )
    ap.add_argument("--limit-questions", type=int, default=None, help="first N questions only")
    ap.add_argument("--ks", default="5,10", help="recall cut-offs (default 5,10)")
    ap.add_argument("--adjacent-k", default="1,2,3,5", help="traversal neighbour budgets A (default 1,2,3,5)")
    ap.add_argument("--depth", type=int, default=1, help="traversal depth (default 1)")
    ap.add_argument(
        "--hub",
        default=DEFAULT_HUB,
        help="hub settings max_tag_degree:idf_weight, comma-separated "
        "(default %(default)s: the store default, a cap of 10, and no hub control and no IDF)",
    )
    ap.add_argument("--mmr-lambda", default="0.5", help="MMR lambda_mult values (default 0.5, MMR's default)")
    ap.add_argument(
        "--ppr",
        default="0.5:0.5:4",
        help="ppr_search settings damping:entity_weight:seeds_k[:similarity_weight[:hops]], comma-separated (default %(default)s; "
        "'' for none); the question's entities come from the same NER model and labels",
    )
    ap.add_argument(
        "--entity-roots",
        default="",
        help="entity-seeded traversal: numbers E of roots taken among "
        "the chunks carrying a tag the question names, comma-separated (default none)",
    )
    ap.add_argument("--threads", type=int, default=1, help="torch/BLAS threads (default 1)")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    folder = args.data or data_root() / "retrieval" / "musique"
    cache = args.cache.expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    labels = [x.strip() for x in args.labels.split(",") if x.strip()]
    use_labels = None if args.use_labels is None else {x.strip() for x in args.use_labels.split(",") if x.strip()}
    if use_labels is not None and not use_labels <= set(labels):
        sys.exit(f"error: --use-labels {sorted(use_labels - set(labels))} not in --labels")
    ks = sorted(int(x) for x in args.ks.split(","))
    adjacent_ks = sorted(int(x) for x in args.adjacent_k.split(","))
    if args.depth < 1 or min(ks) < 1 or min(adjacent_ks) < 1:
        sys.exit("error: --depth, --ks and --adjacent-k must be >= 1")
    hubs = parse_hub(args.hub)
    lambdas = [float(x) for x in args.mmr_lambda.split(",")]

    t_start = time.time()
    passages, all_questions = load_musique(folder)
    questions = all_questions[: args.limit_questions] if args.limit_questions else all_questions
    log(f"data: {len(passages)} passages, {len(questions)} questions ({folder})")
    model_path = resolve_model(args.model) if args.links != "titles" else None
    embeddings = cached_embeddings(cache, passages, all_questions)  # all questions: one cache entry
    links = {p["id"]: set() for p in passages}
    link_meta = {}
    if args.links in ("ner", "both"):
        by_id, link_meta = cached_links(cache, passages, model_path, labels, args.threshold, args.batch_size,
                                        args.link_rules, args.min_link_score)  # fmt: skip
        for pid, ls in ner_links(by_id, use_labels, args.merge_kinds).items():
            links[pid] |= ls
    if args.links in ("titles", "both"):
        for pid, ls in title_links(passages).items():
            links[pid] |= ls
    graph = Graph(links)
    stats = link_stats(passages, questions, graph)

    entity_roots = [int(x) for x in args.entity_roots.split(",") if x]
    ppr = [
        (float(p[0]), float(p[1]), int(p[2]), float(p[3]) if len(p) > 3 else 0.0, int(p[4]) if len(p) > 4 else 2)
        for p in (x.split(":") for x in args.ppr.split(",") if x)
    ]
    query_seeds = None
    results: list[tuple[str, str, dict]] = []  # (method, hub setting, summarize(...))
    extra = {}
    baseline = None
    for i, (name, settings) in enumerate(hubs):
        t0 = time.time()
        store = build_store(passages, graph, embeddings, settings)
        if i == 0:
            plain = evaluate(store, questions, ks, adjacent_ks, args.depth, links=False, lambdas=lambdas)
            baseline = plain["similarity"]
            for method, by_k in plain.items():
                results.append((method, "-", summarize(by_k, baseline)))
        if (ppr or entity_roots) and query_seeds is None:
            query_seeds = question_seeds(store, questions, model_path, labels)
        found = evaluate(store, questions, ks, adjacent_ks, args.depth, links=True, lambdas=lambdas, ppr=ppr,
                         query_seeds=query_seeds, entity_roots=entity_roots)  # fmt: skip
        for method in sorted(found, key=lambda m: (m.startswith("MMR"), len(m), m)):
            results.append((method, name, summarize(found[method], baseline)))
        extra[name] = {K: headroom(store, questions, graph, K) for K in ks}
        log(f"search: {name} in {time.time() - t0:.1f} s")

    # ------------------------------------------------------------------------------------ report
    print(f"MuSiQue ({len(questions)} questions, {len(passages)} passages), {EMBEDDER} embeddings")
    if args.links in ("ner", "both"):
        print(f"NER model: {link_meta['model']} (sha1 {link_meta['model_sha1'][:12]}), labels {labels}, "
              f"threshold {args.threshold}" + (f", links of {sorted(use_labels)} only" if use_labels else "")
              + (", kinds merged" if args.merge_kinds else ""))  # fmt: skip
        if "extract_seconds" in link_meta:
            print(f"NER time: {link_meta['extract_seconds']} s for {len(passages)} passages")
    if args.links in ("titles", "both"):
        print("Title links: a passage links out to the passages whose title it mentions (reference, not NER)")
    print()
    print(
        f"Links per passage: mean {stats['links_per_passage_mean']}, median {stats['links_per_passage_median']}, "
        f"max {stats['links_per_passage_max']}; {stats['passages_without_links']} passages without links; "
        f"{stats['distinct_tags']} distinct tags"
    )
    print(
        f"Neighbours per passage (every tag walked): mean {stats['neighbours_per_passage_mean']}, median "
        f"{stats['neighbours_per_passage_median']}; {stats['passages_with_a_neighbour']} passages have one"
    )
    print(
        f"Tags by degree (passages carrying the tag): {stats['tags_by_degree']}; largest {stats['max_tag_degree_seen']}"
    )
    print(f"Links by kind: {stats['links_by_kind']}")
    print(f"Commonest tags: {', '.join(f'{t} ({d})' for t, d in stats['top_tags'])}")
    print(
        f"Supporting passages: {stats['supporting_pairs_joined']} of {stats['supporting_pairs']} pairs are joined "
        f"by a link; in {stats['questions_all_supporting_joined']} of {len(questions)} questions every "
        f"supporting passage is joined to another supporting one"
    )
    for name, by_k in extra.items():
        print(f"Headroom ({name}): " + "; ".join(
            f"of the {m} supporting passages similarity misses at K={K}, {r} are one link from its top {K}"
            for K, (m, r) in by_k.items()))  # fmt: skip
    print()
    print(
        f"Recall@K of the supporting passages, mean over questions; nbrs@K: results reached through a link; "
        f"+/-@K: questions whose recall@K is higher / lower than similarity search's. "
        f"Traversal: K-A roots by similarity, then up to A neighbours (depth {args.depth}) in the store's rank "
        f"order, cut to K, places left filled by similarity. MMR: selection order."
    )
    print()
    print("| method | hub setting | " + " | ".join(f"R@{K}" for K in ks) + " | "
          + " | ".join(f"+/-@{K}" for K in ks) + " | " + " | ".join(f"nbrs@{K}" for K in ks) + " |")  # fmt: skip
    print("|" + " --- |" * (2 + 3 * len(ks)))
    for method, hub, by_k in results:
        rec = " | ".join(f"{by_k[K]['recall']:.3f}" if K in by_k else "-" for K in ks)
        bw = " | ".join(f"+{by_k[K]['better']}/-{by_k[K]['worse']}" if K in by_k else "-" for K in ks)
        nb = " | ".join(f"{by_k[K]['linked']:.2f}" if K in by_k else "-" for K in ks)
        print(f"| {method} | {hub} | {rec} | {bw} | {nb} |")
    log(f"total {time.time() - t_start:.0f} s")

    if args.out:
        payload = {
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "link_meta": link_meta, "stats": stats,
            "headroom": {h: {str(K): {"missed": m, "one_link_away": r} for K, (m, r) in e.items()} for h, e in extra.items()},
            "results": [{"method": m, "hub": h, **{f"{key}@{K}": v[key] for K, v in bk.items() for key in v}}
                        for m, h, bk in results],
            "questions": len(questions), "python": platform.python_version(),
        }  # fmt: skip
        args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
