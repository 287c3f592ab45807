"""Start-up cost of the command line: wall time of `doclinks search` and `doclinks stats` on an
existing database, and where it goes (import, store, embedder load, query).

    python benchmarks/cli_startup.py [--runs 5] [--text PATH]

Builds a database once (the 2022 State of the Union from the shared data, else the packaged
sample; real ingest with the shipped model), then runs each command `--runs` times as a fresh
process (what a user waits for) and prints the median and the best wall time; the breakdown comes
from the same steps timed inside one fresh process. Peer: the same search through the previous
embedder path (`transformers`' AutoModel) in a fresh process, back to back.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BREAKDOWN = r"""
import sys, time
t0 = time.perf_counter()
from doclinks.cli.main import build_parser
from doclinks.cli.common import open_store
t1 = time.perf_counter()
store = open_store(sys.argv[1])
t2 = time.perf_counter()
store.embedding.embed_query("warm up the model")
t3 = time.perf_counter()
store.traversal_search(sys.argv[2], k=4)
t4 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f}")
"""

PEER = r"""
import sys, time
t0 = time.perf_counter()
import torch
from transformers import AutoModel, AutoTokenizer
from doclinks.paths import packaged_minilm
tok = AutoTokenizer.from_pretrained(packaged_minilm(), local_files_only=True)
model = AutoModel.from_pretrained(packaged_minilm(), local_files_only=True).eval()
with torch.inference_mode():
    model(**tok(["warm up the model"], return_tensors="pt"))
print(f"{time.perf_counter() - t0:.3f}")
"""


def wall(cmd: list[str], runs: int) -> list[float]:
    """Wall seconds of `runs` fresh runs of `cmd` (each must succeed)."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        out.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-500:]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--text", help="text to ingest (default: the State of the Union, else the sample)")
    args = parser.parse_args()
    from doclinks.cli.demo import demo_input

    text = Path(args.text) if args.text else demo_input().path
    question = "What did the president say about Ketanji Brown Jackson?"
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "doclinks", "ingest", str(text), "--labels", "Person,Organization,Location",
                        "--db", db, "--no-progress"], check=True, capture_output=True)  # fmt: skip
        print(f"database: {text.name} ingested in {time.perf_counter() - start:.1f} s")
        doclinks = [sys.executable, "-m", "doclinks"]
        print(f"{'command':<34}{'median s':>10}{'best s':>10}")
        for name, cmd in (
            ("doclinks --help", doclinks + ["--help"]),
            ("doclinks stats", doclinks + ["stats", "--db", db]),
            ("doclinks search", doclinks + ["search", question, "--db", db]),
        ):
            times = wall(cmd, args.runs)
            print(f"{name:<34}{statistics.median(times):>10.2f}{min(times):>10.2f}")
        parts = [list(map(float, subprocess.run([sys.executable, "-c", BREAKDOWN, db, question], check=True,
                 capture_output=True, text=True).stdout.split())) for _ in range(args.runs)]  # fmt: skip
        names = ("import the command line", "open the store", "load the embedder + 1st query", "search")
        print("search, inside one process (median s):")
        for i, name in enumerate(names):
            print(f"  {name:<32}{statistics.median(p[i] for p in parts):>8.3f}")
        peer = [float(subprocess.run([sys.executable, "-c", PEER], check=True, capture_output=True, text=True).stdout)
                for _ in range(args.runs)]  # fmt: skip
        print(f"  peer: transformers AutoModel load + 1st query {statistics.median(peer):.3f} "
              f"(doclinks.minilm: {statistics.median(p[2] for p in parts):.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
