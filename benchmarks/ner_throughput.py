"""NER throughput: doclinks.GLiNER against gliner 0.2.29 on the same checkpoint and the same texts.

Each implementation runs in its own process, back to back (so each peak RSS is its own), on the same
thread count. Prints texts/s, their ratio, peak RSS, and whether the entities are identical.

    python benchmarks/ner_throughput.py                       # builds a MiniLM checkpoint with gliner
    python benchmarks/ner_throughput.py --checkpoint DIR --texts 500 --threads 2
    # the GLiNER family: each architecture built (and briefly tuned) by gliner from MiniLM, with 4, 30
    # and 200 labels (a uni-encoder reads the labels in every row; a bi-encoder encodes them once)
    python benchmarks/ner_throughput.py --architecture uni-span,uni-token,bi-span,bi-token --labels 4,30,200 --texts 100
    # post-fusion (MiniLM bi-encoders, schema l2l-l2t-t2t) and the tiny decoder encoders (tests/ner/decoder_peers.py)
    python benchmarks/ner_throughput.py --architecture poly-span,poly-token,llama-span,qwen2-span --labels 4,30 --texts 40
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["person", "organization", "location", "date"]
ARCHITECTURES = {  # name: (span_mode, bi-encoder)
    "uni-span": ("markerV0", False),
    "uni-token": ("token_level", False),
    "bi-span": ("markerV0", True),
    "bi-token": ("token_level", True),
    "poly-span": ("markerV0", True),  # post-fusion "l2l-l2t-t2t"
    "poly-token": ("token_level", True),
    "llama-span": ("markerV0", False),  # a tiny random Llama (bidirectional) as the encoder
    "qwen2-span": ("markerV0", False),
}
POST_FUSION_SCHEMA = "l2l-l2t-t2t"


def label_set(n: int) -> list[str]:
    """`n` distinct labels: the four usual ones, then names from the parity tests' pool, then numbered kinds."""
    sys.path.insert(0, str(ROOT))
    from tests.ner.parity_texts import LABEL_POOL

    names = list(dict.fromkeys([*LABELS, *LABEL_POOL]))
    names += [f"{name} kind {i}" for i in range(n) for name in LABEL_POOL]
    return list(dict.fromkeys(names))[:n]


def benchmark_texts(n: int, chars: int = 1000, seed: int = 0) -> list[str]:
    """`n` texts of about `chars` characters: Wikipedia passages joined (falls back to synthetic text)."""
    corpus = (
        Path(os.environ.get("DOCLINKS_DATA", ROOT.parent / "shared" / "data")) / "texts" / "2wikimultihopqa_corpus.json"
    )
    rng = random.Random(seed)
    if corpus.is_file():
        passages = [p["text"] for p in json.loads(corpus.read_text())]
    else:
        sys.path.insert(0, str(ROOT))
        from tests.ner.peer_models import synthetic_examples

        passages = [" ".join(e["tokenized_text"]) for e in synthetic_examples(5000, seed)]
    texts = []
    for _ in range(n):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars:
            parts.append(rng.choice(passages))
        text = " ".join(parts)
        cut = text.rfind(" ", 0, chars)
        texts.append(text[: cut if cut > chars // 2 else chars])
    return texts


def run_one(
    implementation: str,
    checkpoint: str,
    texts_file: str,
    out_file: str,
    threads: int,
    batch_size: int,
    num_labels: int = 4,
) -> None:
    """Child process: load, warm up, time `inference` over all texts with `num_labels` labels, write
    entities and figures. The warm-up uses the same labels (a bi-encoder's label vectors are then
    cached, as in a link extractor, whose labels never change)."""
    import torch

    torch.set_num_threads(threads)
    texts = json.loads(Path(texts_file).read_text())
    if implementation == "doclinks":
        sys.path.insert(0, str(ROOT))
        from doclinks import GLiNER
    else:
        from gliner import GLiNER
    labels = label_set(num_labels)
    if (
        implementation == "gliner"
        and json.loads(Path(checkpoint, "gliner_config.json").read_text())["encoder_config"]["model_type"] == "llama"
    ):
        sys.path.insert(0, str(ROOT))
        from tests.ner.decoder_peers import gliner_builds_llama_with  # llm2vec cannot import beside gliner

        with gliner_builds_llama_with():
            model = GLiNER.from_pretrained(checkpoint)
    else:
        model = GLiNER.from_pretrained(checkpoint)
    model.inference(texts[:8], labels, batch_size=batch_size)  # warm-up
    start = time.perf_counter()
    entities = model.inference(texts, labels, threshold=0.5, batch_size=batch_size)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_file).write_text(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "entities": entities}))


def texts_with_dropped_words(checkpoint: str, texts: list[str]) -> set[int]:
    """Texts with a word the tokenizer reduces to nothing (a lone combining mark): upstream shifts every
    later word by one there, doclinks reads the word as [UNK], so their entities legitimately differ."""
    from transformers import AutoTokenizer

    sys.path.insert(0, str(ROOT))
    from doclinks.ner.inputs import split_words

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    flagged = set()
    for i, text in enumerate(texts):
        words = split_words(text)[0]
        if words:
            encoded = tokenizer(words, is_split_into_words=True, add_special_tokens=False, verbose=False)
            if len({w for w in encoded.word_ids() if w is not None}) < len(words):
                flagged.add(i)
    return flagged


def same_entities(
    ours: list[list[dict]], theirs: list[list[dict]], skip: set[int] = frozenset(), tolerance: float = 1e-5
) -> tuple[bool, int]:
    """(identical (start, end, label) and scores within `tolerance` outside `skip`, number of entities)."""
    total = 0
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if i in skip:
            continue
        ka = sorted((e["start"], e["end"], e["label"]) for e in a)
        kb = sorted((e["start"], e["end"], e["label"]) for e in b)
        if ka != kb:
            return False, total
        sa = {(e["start"], e["end"], e["label"]): e["score"] for e in a}
        if any(abs(sa[(e["start"], e["end"], e["label"])] - e["score"]) > tolerance for e in b):
            return False, total
        total += len(a)
    return len(ours) == len(theirs), total


def build_checkpoint(directory: Path, architecture: str = "uni-span") -> Path:
    """A MiniLM GLiNER of `architecture` with gliner's default heads (hidden 512, BiLSTM; a bi-encoder reads
    labels with a second MiniLM; poly: hidden 384 and post-fusion), or a tiny decoder-encoder GLiNER
    (llama, qwen2), built, briefly tuned and saved by gliner itself."""
    sys.path.insert(0, str(ROOT))
    from tests.ner.peer_models import build_peer_checkpoint

    span_mode, bi_encoder = ARCHITECTURES[architecture]
    if architecture.startswith(("llama", "qwen2")):
        from tests.ner.decoder_peers import build_decoder_checkpoint

        return build_decoder_checkpoint(architecture.split("-")[0], directory)
    if architecture.startswith("poly"):  # hidden 384: a multiple of MiniLM's 12 heads, which the fusion splits it into
        return build_peer_checkpoint(
            directory, hidden_size=384, rnn_layers=1, seed=0, fine_tune_steps=40, learning_rate=2e-4,
            span_mode=span_mode, bi_encoder=True, post_fusion_schema=POST_FUSION_SCHEMA,
        )  # fmt: skip
    return build_peer_checkpoint(
        directory,
        hidden_size=512,
        rnn_layers=1,
        seed=0,
        fine_tune_steps=100,
        span_mode=span_mode,
        bi_encoder=bi_encoder,
    )


def compare(checkpoint: Path, texts: list[str], texts_file: Path, tmp_path: Path, args, num_labels: int) -> dict:
    """Both implementations back to back on one checkpoint and label count; their figures."""
    results = {}
    for impl in ("gliner", "doclinks"):
        out = tmp_path / f"{impl}.json"
        subprocess.run(
            [sys.executable, __file__, "--child", impl, str(checkpoint), str(texts_file), str(out),
             str(args.threads), str(args.batch_size), str(num_labels)],
            check=True,
        )  # fmt: skip
        results[impl] = json.loads(out.read_text())
    dropped = texts_with_dropped_words(str(checkpoint), texts)
    results["identical"], results["count"] = same_entities(
        results["doclinks"]["entities"], results["gliner"]["entities"], dropped
    )
    results["dropped"] = len(dropped)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", help="GLiNER checkpoint folder (default: build one from MiniLM with gliner)")
    parser.add_argument(
        "--architecture",
        default="uni-span",
        help=f"comma-separated architectures to build when no --checkpoint: {', '.join(ARCHITECTURES)}",
    )
    parser.add_argument("--labels", default="4", help="comma-separated label counts (4)")
    parser.add_argument("--texts", type=int, default=500, help="number of texts (500)")
    parser.add_argument("--chars", type=int, default=1000, help="characters per text (1000)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2)")
    parser.add_argument("--batch-size", type=int, default=8, help="batch size for both (8)")
    parser.add_argument("--child", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        impl, ckpt, texts_file, out_file, threads, batch, num_labels = args.child
        run_one(impl, ckpt, texts_file, out_file, int(threads), int(batch), int(num_labels))
        return
    counts = [int(x) for x in args.labels.split(",")]
    architectures = [a.strip() for a in args.architecture.split(",")]
    unknown = [a for a in architectures if a not in ARCHITECTURES]
    if unknown:
        parser.error(f"--architecture: unknown {unknown}; expected some of {list(ARCHITECTURES)}")
    if args.checkpoint:
        architectures = ["given"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        texts = benchmark_texts(args.texts, args.chars)
        texts_file = tmp_path / "texts.json"
        texts_file.write_text(json.dumps(texts))
        for architecture in architectures:
            checkpoint = (
                Path(args.checkpoint) if args.checkpoint else build_checkpoint(tmp_path / architecture, architecture)
            )
            for n in counts:
                rows.append((architecture, n, compare(checkpoint, texts, texts_file, tmp_path, args, n)))
    print(f"texts: {len(texts)} of ~{args.chars} chars, threads {args.threads}, batch {args.batch_size}")
    print(
        f"{'architecture':12s} {'labels':>6s} {'gliner':>12s} {'doclinks':>12s} {'speed-up':>8s}  "
        f"{'RSS gliner / doclinks':>22s}  identical"
    )
    for architecture, n, r in rows:
        g, d = r["gliner"], r["doclinks"]
        print(
            f"{architecture:12s} {n:6d} {len(texts) / g['seconds']:8.1f} t/s {len(texts) / d['seconds']:8.1f} t/s "
            f"{g['seconds'] / d['seconds']:7.2f}x  {g['peak_rss_mb']:9.0f} / {d['peak_rss_mb']:6.0f} MB  "
            f"{r['identical']} ({r['count']} entities; {r['dropped']} texts left out that hold a word the "
            "tokenizer drops)"
        )


if __name__ == "__main__":
    main()
