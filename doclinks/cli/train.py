"""`doclinks train`: train a GLiNER model on the NER pool (resumable); see docs/training.md."""

from __future__ import annotations

import argparse
import json
import sys

from ..paths import packaged_minilm
from .errors import CommandError

__all__ = ["add_parser", "run", "MINILM_HUB_NAME"]

#: The hub id a fresh model's config names as its encoder (the weights come from the packaged copy).
MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks train``."""
    p = sub.add_parser(
        "train", help="train a GLiNER model (resumable)", description="Train a GLiNER model on the NER pool; resumable."
    )
    p.add_argument("--output", required=True, help="run folder: checkpoints, log, train_config.json")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue from the latest checkpoint in --output (its settings are reused)",
    )
    p.add_argument("--init", help="start from this GLiNER checkpoint folder instead of a fresh model")
    p.add_argument("--encoder", help="encoder folder for a fresh model (default: the packaged all-MiniLM-L6-v2)")
    p.add_argument("--data", help="shared data folder (default: $DOCLINKS_DATA or ../shared/data)")
    g = p.add_argument_group("fresh model")
    g.add_argument("--hidden-size", type=int, default=384)
    g.add_argument("--rnn-layers", type=int, default=1)
    g.add_argument("--dropout", type=float, default=0.4)
    g.add_argument("--max-width", type=int, default=12)
    g.add_argument(
        "--label-vector",
        choices=["marker", "first-token"],
        default="marker",
        help="label vector from the <<ENT>> marker (gliner's default) or from the label's first token",
    )
    g.add_argument(
        "--word-shape",
        action="store_true",
        help="add a learned word-shape (capitalisation) vector to each token's input; gliner cannot load it",
    )
    t = p.add_argument_group("training settings (default: TrainConfig's, or the resumed run's)")
    _add_plain(t, int, "--seed", "--steps", "--batch-size")
    _add_plain(t, float, "--lr-encoder", "--lr-others", "--weight-decay", "--warmup-ratio", "--max-grad-norm")
    _add_plain(t, int, "--max-types")
    _add_plain(t, float, "--neg-ratio", "--paraphrase-prob")
    t.add_argument("--fine-prob", type=float, help="chance a fine label with a coarse fallback is offered (0.5)")
    t.add_argument("--coarse-negative-prob", type=float, help="chance its coarse label is then offered beside it (1.0)")
    t.add_argument("--max-words", type=int)
    t.add_argument("--join-prob", type=float, help="chance an example is joined with the next 1-2 of its source (0)")
    t.add_argument("--lowercase-prob", type=float, help="chance an example is read lower-cased (0)")
    t.add_argument(
        "--catchall-prob",
        type=float,
        help="chance an example of an exhaustively annotated source reads one kind as the catch-all 'other', "
        "and again that 'other' is offered as a negative (0)",
    )
    t.add_argument(
        "--query-shape-prob",
        type=float,
        help="chance a row of a query set (snips, sgd) is lower-cased without punctuation, as typed in a search box (0)",
    )
    t.add_argument(
        "--shapeless-prob",
        type=float,
        help="chance a row is read with the case cue withheld: every word's shape unknown (word-shape models; 0)",
    )
    t.add_argument(
        "--query-drop-fallbacks",
        nargs="+",
        metavar="LABEL",
        help='coarse labels not taught on the query sets\' spans, e.g. "creative work" (none)',
    )
    t.add_argument(
        "--query-drop-labels",
        nargs="+",
        metavar="LABEL",
        help='labels whose spans are left out of the query sets, e.g. "type of work" (none)',
    )
    t.add_argument(
        "--source-negatives",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw negative labels per source: never another set's fine type of a label this set annotates",
    )
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
    _add_plain(o, int, "--save-every")
    _add_plain(o, float, "--save-minutes")
    _add_plain(o, int, "--keep", "--eval-every", "--eval-limit")
    o.add_argument("--device")
    o.add_argument("--amp", action=argparse.BooleanOptionalAction, default=None)
    o.add_argument("--threads", type=int)
    o.add_argument("--workers", type=int, help="processes building batches ahead of the step (0: none)")
    o.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)
    return p


def _add_plain(group: argparse._ArgumentGroup, kind: type, *flags: str) -> None:
    """Flags of type `kind` that set the `TrainConfig` field of their name (not given: None, the default
    or the resumed run's value is kept); their meaning is documented on `TrainConfig`."""
    for flag in flags:
        group.add_argument(flag, type=kind)


def _train_config(args: argparse.Namespace):
    from ..ner.train.config import TrainConfig
    from ..ner.train.run import saved_train_config

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


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks train``."""
    from ..ner.train.evaluate import evaluate
    from ..ner.train.trainer import build_trainer

    train = _train_config(args)
    model_options = {
        "hidden_size": args.hidden_size, "num_rnn_layers": args.rnn_layers, "dropout": args.dropout,
        "max_width": args.max_width, "max_types": train.max_types,
        "embed_ent_token": args.label_vector == "marker", "word_shape": args.word_shape,
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
        from ..ner.gliner import GLiNER

        def eval_fn(tr) -> dict:
            model = GLiNER(tr.config, tr.tokenizer, tr.network)
            report = evaluate(model, root=args.data, limit=train.eval_limit)
            return report.to_dict()

        trainer.eval_fn = eval_fn
    print(f"training from step {trainer.step} to {train.steps} into {args.output}", file=sys.stderr)
    summary = trainer.run()
    print(json.dumps(summary, indent=2))
    if summary["stopped"]:
        print(
            f"stopped at step {summary['step']}; continue with: doclinks train --output {args.output} --resume",
            file=sys.stderr,
        )
    return 0
