"""NER throughput: doclinks.GLiNER against gliner 0.2.29 on the same checkpoint and the same texts.

Each implementation runs in its own process, back to back (so each peak RSS is its own), on the same
thread count. Prints texts/s, their ratio, peak RSS, and whether the entities are identical.

    python benchmarks/ner_throughput.py                       # builds a MiniLM checkpoint with gliner
    python benchmarks/ner_throughput.py --checkpoint DIR --texts 500 --threads 2
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


def benchmark_texts(n: int, chars: int = 1000, seed: int = 0) -> list[str]:
    """`n` texts of about `chars` characters: Wikipedia passages joined (falls back to synthetic text)."""
    corpus = Path(os.environ.get("DOCLINKS_DATA", ROOT.parent / "shared" / "data")) / "texts" / "2wikimultihopqa_corpus.json"
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


def run_one(implementation: str, checkpoint: str, texts_file: str, out_file: str, threads: int, batch_size: int) -> None:
    """Child process: load, warm up, time `inference` over all texts, write entities and figures."""
    import torch

    torch.set_num_threads(threads)
    texts = json.loads(Path(texts_file).read_text())
    if implementation == "doclinks":
        sys.path.insert(0, str(ROOT))
        from doclinks import GLiNER
    else:
        from gliner import GLiNER
    model = GLiNER.from_pretrained(checkpoint)
    model.inference(texts[:8], LABELS, batch_size=batch_size)  # warm-up
    start = time.perf_counter()
    entities = model.inference(texts, LABELS, threshold=0.5, batch_size=batch_size)
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


def build_checkpoint(directory: Path) -> Path:
    """A MiniLM GLiNER with gliner's default heads (hidden 512, BiLSTM), built and saved by gliner itself."""
    sys.path.insert(0, str(ROOT))
    from tests.ner.peer_models import build_peer_checkpoint

    return build_peer_checkpoint(directory, hidden_size=512, rnn_layers=1, seed=0, fine_tune_steps=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", help="GLiNER checkpoint folder (default: build one from MiniLM with gliner)")
    parser.add_argument("--texts", type=int, default=500, help="number of texts (500)")
    parser.add_argument("--chars", type=int, default=1000, help="characters per text (1000)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2)")
    parser.add_argument("--batch-size", type=int, default=8, help="batch size for both (8)")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        impl, ckpt, texts_file, out_file, threads, batch = args.child
        run_one(impl, ckpt, texts_file, out_file, int(threads), int(batch))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        checkpoint = Path(args.checkpoint) if args.checkpoint else build_checkpoint(tmp_path / "checkpoint")
        texts = benchmark_texts(args.texts, args.chars)
        texts_file = tmp_path / "texts.json"
        texts_file.write_text(json.dumps(texts))
        results = {}
        for impl in ("gliner", "doclinks"):
            out = tmp_path / f"{impl}.json"
            subprocess.run(
                [sys.executable, __file__, "--child", impl, str(checkpoint), str(texts_file), str(out),
                 str(args.threads), str(args.batch_size)],
                check=True,
            )  # fmt: skip
            results[impl] = json.loads(out.read_text())
        dropped = texts_with_dropped_words(str(checkpoint), texts)
    identical, count = same_entities(results["doclinks"]["entities"], results["gliner"]["entities"], dropped)
    print(f"texts: {len(texts)} of ~{args.chars} chars, labels {LABELS}, threads {args.threads}, batch {args.batch_size}")
    for impl in ("gliner", "doclinks"):
        r = results[impl]
        print(f"{impl:9s} {len(texts) / r['seconds']:8.1f} texts/s   peak RSS {r['peak_rss_mb']:7.0f} MB")
    ratio = results["gliner"]["seconds"] / results["doclinks"]["seconds"]
    print(f"speed-up  {ratio:.2f}x   entities identical: {identical} ({count} entities; {len(dropped)} texts "
          "left out that hold a word the tokenizer drops, where upstream shifts later words)")


if __name__ == "__main__":
    main()
