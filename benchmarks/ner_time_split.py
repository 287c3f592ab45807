"""Where doclinks' NER time goes, and the most any span head could gain over gliner 0.2.29.

    python benchmarks/ner_time_split.py --checkpoint doclinks/models/default --texts 120 --threads 1

Runs doclinks.GLiNER on the texts of `ner_throughput.py` and times, by wrapping the modules' forward
calls, the encoder, the BiLSTM and the span head; then runs gliner on the same texts in the same
process. The encoder and the BiLSTM compute the same thing in both implementations (the parity
tests hold them to 1e-5), so gliner's total time divided by doclinks' encoder + BiLSTM time is the
speed-up doclinks would reach with a span head, decoding and batching that cost nothing: the bound
on the ratio that `ner_throughput.py` measures, with identical entities.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ner_throughput import LABELS, benchmark_texts  # noqa: E402


def time_forward(module, key: str, totals: dict[str, float], method: str = "forward") -> None:
    """Add the wall time of every `module.method` call to totals[key]."""
    inner = getattr(module, method)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - start

    setattr(module, method, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=str(ROOT / "doclinks" / "models" / "default"))
    parser.add_argument("--texts", type=int, default=120, help="number of texts (120)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1)")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from doclinks import GLiNER

    texts = benchmark_texts(args.texts)
    ours = GLiNER.from_pretrained(args.checkpoint)
    net = ours.network
    totals = {"encoder": 0.0, "bilstm": 0.0, "span head": 0.0}
    time_forward(net.token_rep_layer, "encoder", totals)
    if hasattr(net, "rnn"):
        time_forward(net.rnn, "bilstm", totals)
    time_forward(net.span_rep_layer.span_rep_layer, "span head", totals, "score")
    ours.inference(texts[:16], LABELS, batch_size=args.batch_size)  # warm-up
    totals.update(dict.fromkeys(totals, 0.0))
    start = time.perf_counter()
    ours.inference(texts, LABELS, batch_size=args.batch_size)
    total = time.perf_counter() - start
    other = total - sum(totals.values())
    parts = ", ".join(f"{k} {v:.2f} s ({100 * v / total:.0f}%)" for k, v in [*totals.items(), ("rest", other)])
    print(f"doclinks: {len(texts) / total:.1f} texts/s; {parts}")

    import gliner

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = gliner.GLiNER.from_pretrained(args.checkpoint)
        theirs.batch_predict_entities(texts[:16], LABELS, batch_size=args.batch_size)
        start = time.perf_counter()
        theirs.batch_predict_entities(texts, LABELS, batch_size=args.batch_size)
        upstream = time.perf_counter() - start
    shared = totals["encoder"] + totals["bilstm"]
    print(
        f"gliner:   {len(texts) / upstream:.1f} texts/s; speed-up {upstream / total:.2f}x; "
        f"bound with a free span head and no other cost: {upstream / shared:.2f}x"
    )


if __name__ == "__main__":
    main()
