"""`doclinks eval`: zero-shot NER evaluation on the dev sets (`doclinks.ner.train.evaluate`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import CommandError

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks eval``."""
    p = sub.add_parser(
        "eval",
        help="zero-shot NER evaluation on the dev sets",
        description="Zero-shot NER evaluation: every label of a set for every sentence, flat decoding, exact matches.",
    )
    p.add_argument(
        "--model",
        help="GLiNER checkpoint folder or hub id (default: the shipped default model); a run folder uses its latest checkpoint",
    )
    p.add_argument("--sets", nargs="+", help="dev sets (default: all found)")
    p.add_argument("--data", help="shared data folder (default: $DOCLINKS_DATA or ../shared/data)")
    p.add_argument("--limit", type=int, help="only the first N sentences of each set")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int)
    p.add_argument("--json", help="also write the results to this JSON file")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks eval``."""
    import torch

    from ..ner.gliner import GLiNER
    from ..ner.train.evaluate import evaluate, write_json

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.model is None:
        from ..ner.default import default_model

        model = default_model().to(args.device)
    else:
        path = Path(args.model)
        if path.is_dir() and not (path / "gliner_config.json").is_file():
            from ..paths import latest_checkpoint

            found = (path / "model") if (path / "model" / "gliner_config.json").is_file() else latest_checkpoint(path)
            if found is None:
                raise CommandError(f"--model {path}: neither a GLiNER checkpoint nor a run folder with checkpoints")
            path = found
        model = GLiNER.from_pretrained(path, device=args.device)

    def progress(name, result) -> None:
        print(
            f"{name}: F1 {100 * result.score.f1:.1f} ({result.sentences} sentences, {result.seconds:.0f} s)",
            file=sys.stderr,
        )

    report = evaluate(
        model,
        args.sets,
        root=args.data,
        threshold=args.threshold,
        batch_size=args.batch_size,
        limit=args.limit,
        progress=progress,
    )
    print(report.table())
    if args.json:
        write_json(report, args.json)
    return 0
