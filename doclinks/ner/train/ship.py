"""Ship a trained model as doclinks' default: fp16 weights in `doclinks/models/default/` plus a model card.

    python -m doclinks.ner.train.ship RUN_OR_CHECKPOINT [--eval results.json] [--target doclinks/models/default]
                                      [--interpolate BASE --weight W]

RUN_OR_CHECKPOINT is a `doclinks train` run folder (its latest checkpoint is used) or a checkpoint folder.
`--eval` takes the JSON written by `doclinks eval --json` and puts its figures in the card.
`--interpolate BASE --weight W` ships (1 - W) * BASE + W * checkpoint, weight by weight (BASE: the
checkpoint the run started from; see `merging.interpolate_checkpoints`).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ...paths import STATE_FILE, checkpoint_of
from ..config import CONFIG_FILE, GLiNERConfig
from ..default import DEFAULT_MODEL_DIR
from ..merging import export_checkpoint, interpolate_checkpoints
from .pool import QUERY_SETS, SET_LICENCES
from .run import read_state

MAX_BYTES = 60_000_000
# What each training source is and where it comes from; licences come from `pool.SET_LICENCES` (one place).
SOURCES = {
    "conll2003": ("CoNLL-2003 train (GLiNER JSON)", "urchade/GLiNER data/NER_datasets/CoNLL 2003"),
    "wnut17": ("WNUT-17 train", "leondz/emerging_entities_17"),
    "bc5cdr": ("BC5CDR train", "cambridgeltl/MTL-Bioinformatics-2016"),
    "ncbi-disease": ("NCBI-disease train", "cambridgeltl/MTL-Bioinformatics-2016"),
    "few-tk": ("Few-TK train", "AvishekLahiri/Few_TK"),
    "gliner-sample": ("GLiNER sample data", "urchade/GLiNER examples/sample_data.json"),
    "few-nerd": (
        "Few-NERD (inter split, as re-divided by structshot), 53 fine types",
        "antonioloison/structshot data/fewnerd",
    ),
    "multiconer2-en": ("MultiCoNER II English train + dev, 33 fine types", "OMGarad/MultiCoNER-2"),
    "bionlp13cg": ("BioNLP 2013 Cancer Genetics train", "cambridgeltl/MTL-Bioinformatics-2016"),
    "anatem": ("AnatEM train", "chrisjihee/GNER data/GNER/AnatEM"),
    "fabner": ("FabNER train", "chrisjihee/GNER data/GNER/FabNER"),
    "tweetner7": ("TweetNER7 train", "chrisjihee/GNER data/GNER/TweetNER7"),
    "snips": (
        "SNIPS NLU benchmark 2017-06 queries (7 intents), slots as entities",
        "sonos/nlu-benchmark 2017-06-custom-intent-engines",
    ),
    "sgd": (
        "Schema-Guided Dialogue user turns (20 services), slots as entities",
        "google-research-datasets/dstc8-schema-guided-dialogue",
    ),
    "silver": ("silver labels by spaCy en_core_web_sm 3.8 over 2WikiMultihopQA passages", "doclinks.ner.train.silver"),
}
SILVER_LICENCE = "text Apache-2.0 (2WikiMultihopQA, Wikipedia); labels by an MIT-licensed pipeline"


def source_row(name: str) -> tuple[str, str, str]:
    """(what, licence, origin) of a training source, for the model card."""
    what, origin = SOURCES.get(name, (name, name))
    licence = SILVER_LICENCE if name == "silver" else SET_LICENCES.get(name, "see its source")
    return what, licence, origin


def model_card(
    state: dict,
    report: dict | None,
    size_bytes: int,
    embed_ent_token: bool = True,
    interpolated: tuple[str | Path, float] | None = None,
    word_shape: bool = False,
) -> str:
    """The model card (markdown) of a shipped model: architecture, the run's settings (`state`, a trainer
    state), its data and their licences, and the evaluation `report` (`doclinks eval --json`) if any.
    `size_bytes`: the shipped files; `interpolated`: (base checkpoint, weight) when the weights were mixed."""
    train = state["train_config"]
    label_vector = "its `<<ENT>>` marker" if embed_ent_token else "its first token (`embed_ent_token: false`)"
    sources = list(train.get("sets", []))
    if train.get("extra"):
        sources.append("silver")
    if word_shape:
        layout = [
            "A zero-shot span NER model in the GLiNER layout (span-level uni-encoder, markerV0 span head) plus one",
            "doclinks feature: a learned word-shape vector (lower / Title / UPPER / mixed / no letters) added to each",
            "token's input embedding, so that the uncased encoder sees capitalisation. Loaded by `doclinks.default_model()`;",
            'its config says `span_mode: markerV0+word_shape`, which `gliner` refuses ("Unknown span mode") rather than',
            "run it without the feature. Encoder: sentence-transformers/all-MiniLM-L6-v2",
        ]
    else:
        layout = [
            "A zero-shot span NER model in the GLiNER layout (`span_mode` markerV0, uni-encoder), loaded by",
            "`doclinks.default_model()`; `gliner` 0.2.29 loads it too. Encoder: sentence-transformers/all-MiniLM-L6-v2",
        ]
    lines = [
        "# doclinks default NER model",
        "",
        *layout,
        "(uncased, 6 layers, 384 wide); heads: BiLSTM, span and label projections (hidden 384, spans up to 12 words).",
        f"Each label's vector is read off {label_vector}. Files: fp16 safetensors and tokenizer, {size_bytes / 1e6:.1f} MB.",
        "",
        "## Training",
        f"Trained with `doclinks train` for {state['step']} steps (batch {train['batch_size']}, seed {train['seed']}):",
        f"lr encoder {train['lr_encoder']}, heads {train['lr_others']}, warm-up {train['warmup_ratio']}, linear decay,",
        f"{train['loss']} loss ({train['reduction']}), max {train['max_types']} labels per example (gold + sampled",
        f"negatives, paraphrased with probability {train['paraphrase_prob']}), examples cropped to {train['max_words']} words.",
        f"Mixing weights: {json.dumps(train.get('mix') or 'size ** 0.5')}.",
    ]
    if train.get("join_prob"):
        lines.append(
            f"Multi-sentence rows: with probability {train['join_prob']} an example is joined with the next 1-2 of its source."
        )
    if train.get("lowercase_prob"):
        lines.append(f"Lower-cased rows: with probability {train['lowercase_prob']} an example is read lower-cased.")
    if train.get("catchall_prob"):
        lines.append(
            f"Catch-all label: with probability {train['catchall_prob']} an example of an exhaustively annotated source "
            'reads one of its kinds as "other" (else "other" is a negative with that probability).'
        )
    if train.get("query_drop_fallbacks"):
        lines.append(f"Coarse labels not taught on the query sets' spans: {', '.join(train['query_drop_fallbacks'])}.")
    if train.get("query_drop_labels"):
        lines.append(f"Query-set spans left out: {', '.join(train['query_drop_labels'])}.")
    if train.get("query_shape_prob"):
        lines.append(
            f"Query-shaped rows: with probability {train['query_shape_prob']} a query-set row is lower-cased and loses its punctuation."
        )
    if train.get("shapeless_prob"):
        lines.append(
            f"Case cue withheld: with probability {train['shapeless_prob']} a row is read with every word's shape unknown."
        )
    if train.get("source_negatives"):
        lines.append(
            "Negative labels drawn per source (another set's fine type of a label a set annotates is never its negative)."
        )
    if interpolated:
        base, weight = interpolated
        lines.append(
            f"Shipped weights: {1 - weight:g} x the run's starting checkpoint ({base}) + {weight:g} x the checkpoint trained "
            "(weight-space interpolation, WiSE-FT)."
        )
    lines += [
        "",
        "| data | licence | source |",
        "|---|---|---|",
    ]
    rows = [source_row(name) for name in sources]
    for what, licence, origin in rows:
        lines.append(f"| {what} | {licence} | {origin} |")
    restricted = [what for what, licence, _ in rows if licence.startswith(("research", "none"))]
    lines += [
        "",
        (
            "No train, dev or test data of the zero-shot evaluation sets (CrossNER, MIT Movie, MIT Restaurant) was used."
            " The query sets share MIT Movie's and MIT Restaurant's domains (films, music, restaurants), not their data:"
            " the MIT figures are zero-shot on the data set, not on the domain."
            if set(sources) & set(QUERY_SETS)
            else "No train, dev or test data of the zero-shot evaluation domains (CrossNER, MIT Movie, MIT Restaurant) was used."
        ),
        (
            "The licences of the training data apply to uses of this model; research-use data: "
            + ", ".join(restricted)
            + "."
            if restricted
            else "Every source allows use by anyone (CC0, CC BY, CC BY-SA, Apache-2.0; silver labels by an MIT-licensed pipeline): "
            "no research-only or non-commercial data."
        ),
        "",
        "## Evaluation",
    ]
    if report:
        lines += [
            "Zero-shot protocol: every label of a set for every sentence, flat decoding, threshold 0.5, exact",
            "(start, end, type) matches, micro P/R/F1 per set (`doclinks eval`). Dev splits.",
            "",
            "| set | P | R | F1 |",
            "|---|---|---|---|",
        ]
        for name, r in report["sets"].items():
            lines.append(f"| {name} | {r['precision']:.1f} | {r['recall']:.1f} | {r['f1']:.1f} |")
        lines += ["", f"Zero-shot average F1 (CrossNER x5, MIT x2): {report.get('zero_shot_average_f1')}"]
        if report.get("limit"):
            lines.append(f"(first {report['limit']} sentences of each set only)")
    else:
        lines.append("Not evaluated yet: run `doclinks eval --model <this folder> --json results.json`.")
    return "\n".join(lines) + "\n"


def ship(
    source: str | Path,
    *,
    target: str | Path = DEFAULT_MODEL_DIR,
    report: dict | None = None,
    interpolate: tuple[str | Path, float] | None = None,
    notes: str = "",
    state: dict | None = None,
) -> Path:
    """Export the run's latest checkpoint (or `source` itself) as fp16 into `target` with a model card.
    `interpolate=(base, w)` ships (1 - w) * base + w * checkpoint instead; `notes` (markdown) is
    appended to the card (how the model was made, commands, hardware). `state` ({"step", "train_config"})
    stands in for the checkpoint's trainer state when it came back without one (an exported checkpoint)."""
    source = Path(source)
    checkpoint = checkpoint_of(source)
    if checkpoint is None:
        raise FileNotFoundError(f"{source}: neither a checkpoint nor a run folder with checkpoints")
    if state is None:
        state_path = checkpoint / STATE_FILE
        if not state_path.is_file():
            raise FileNotFoundError(
                f"{state_path}: missing (the card needs the training settings: --train-config, --step)"
            )
        state = read_state(checkpoint)
        state.pop("optimizer", None)
    target = Path(target)
    with tempfile.TemporaryDirectory() as tmp:
        if interpolate is not None:
            base, weight = interpolate
            checkpoint = interpolate_checkpoints(base, checkpoint, Path(tmp) / "interpolated", weight=weight)
        export_checkpoint(checkpoint, target, dtype="fp16")
    size = sum(p.stat().st_size for p in target.iterdir() if p.is_file())
    if size > MAX_BYTES:
        raise ValueError(f"{target} holds {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit")
    shipped = GLiNERConfig.from_file(target / CONFIG_FILE)
    card = model_card(state, report, size, shipped.embed_ent_token, interpolate, shipped.word_shape)
    card += ("\n" + notes.strip() + "\n") if notes.strip() else ""
    (target / "README.md").write_text(card, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m doclinks.ner.train.ship`: returns the exit status (1 with a one-line error)."""
    parser = argparse.ArgumentParser(prog="python -m doclinks.ner.train.ship", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="run folder or checkpoint folder")
    parser.add_argument("--eval", help="JSON written by `doclinks eval --json`")
    parser.add_argument("--target", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--interpolate", metavar="BASE", help="checkpoint to interpolate with (the run's start)")
    parser.add_argument("--weight", type=float, default=0.5, help="weight of the run's checkpoint (default 0.5)")
    parser.add_argument("--notes", help="a markdown file appended to the model card")
    parser.add_argument(
        "--train-config", help="the run's train_config.json, for a checkpoint without its trainer state"
    )
    parser.add_argument("--step", type=int, help="the checkpoint's step (with --train-config)")
    args = parser.parse_args(argv)
    try:
        report = json.loads(Path(args.eval).read_text()) if args.eval else None
        interpolate = (args.interpolate, args.weight) if args.interpolate else None
        notes = Path(args.notes).read_text(encoding="utf-8") if args.notes else ""
        state = None
        if args.train_config:
            if args.step is None:
                raise ValueError("--train-config needs --step (the checkpoint's step)")
            state = {"step": args.step, "train_config": json.loads(Path(args.train_config).read_text())}
        path = ship(args.source, target=args.target, report=report, interpolate=interpolate, notes=notes, state=state)
    except (OSError, ValueError) as exc:
        print(f"doclinks ship: error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
