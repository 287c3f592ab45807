"""The ingest's progress as a user sees it in a terminal (issue 29, item 3).

The bar used to stand at "0/42 - chunks/s ... eta -:--:--" while the model loaded and the first batch
of 32 chunks was extracted, never gave an estimate, and showed "0/? - chunks/s" when nothing was to
do. Now the model load is its own line, the bar advances every `EXTRACT_STEP` chunks, gives an
estimate from the first step on, and a run with nothing new says so. The ingest runs in a real
pseudo-terminal, so that rich draws its live display as it does for a person.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

from .conftest import cli_env, run_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args, cwd, timeout: float = 300) -> tuple[int, str, str]:
    """Run ``python -m doclinks ARGS`` with stderr on a 200-column pseudo-terminal; returns (status,
    stdout, what the terminal received, escape sequences replaced by newlines)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = cli_env(TERM="xterm")
    env.pop("COLUMNS", None)
    proc = subprocess.Popen(["nice", "-n", "10", sys.executable, "-m", "doclinks", *map(str, args)], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)  # fmt: skip
    os.close(slave)
    received = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            received += data
        elif proc.poll() is not None:
            break
    os.close(master)
    out = proc.stdout.read().decode()
    proc.stdout.close()
    status = proc.wait(timeout=30)
    return status, out, ANSI.sub("\n", received.decode(errors="replace"))


def test_model_load_then_small_steps_with_an_estimate_then_nothing_new(tmp_path, ner_model):
    from doclinks.pipeline import EXTRACT_STEP

    # 40 documents of about 550 characters, one chunk each, in the default batches of 32.
    people = ["Anna Smith", "Omar Okafor", "Elena Rossi", "Hiroshi Tanaka"]
    rows = [{"text": " ".join(f"{people[(i + j) % 4]} wrote a long letter from Berlin about the harbour in {1900 + i + j}."
                              for j in range(7))} for i in range(40)]  # fmt: skip
    (tmp_path / "letters.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    status, out, screen = run_in_terminal(["ingest", "letters.jsonl", "--labels", "person,location", "--db", "g.db",
                                           "--model", ner_model, "--json"], tmp_path)  # fmt: skip
    assert status == 0, screen[-2000:]
    assert json.loads(out)["new_chunks"] == 40
    # The model load is a step of its own, finished before the first chunk.
    assert "loading the NER model" in screen and "NER model loaded" in screen
    assert screen.index("loading the NER model") < screen.index("0/40 chunks")
    assert "/?" not in screen
    # The bar advances within the first batch of 32, in steps of EXTRACT_STEP chunks.
    counts = sorted({int(n) for n in re.findall(r"\b(\d+)/40 chunks", screen)})
    assert counts == sorted({*range(0, 32, EXTRACT_STEP), 32, 40}), counts  # every step is drawn
    # An estimate as soon as the first step is done; before it, the bar says when one comes.
    first_step = screen.index(f"{min(n for n in counts if n > 0)}/40 chunks")
    assert "eta after the first batch" in screen[:first_step]
    assert re.search(r"eta \d+:\d\d:\d\d", screen[first_step:]), screen[first_step : first_step + 500]

    again = run_cli("ingest", "letters.jsonl", "--labels", "person,location", "--db", "g.db", "--model", ner_model,
                    cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert (
        again.stderr
        == "doclinks ingest: nothing new to ingest: 40 chunks of the files are all stored in g.db already\n"
    )
    assert "chunks         40 (nothing new to ingest: all already stored)" in again.stdout


def test_rate_and_estimate_count_from_the_loaded_model():
    from doclinks.cli.progress import eta_text, rate_text

    assert rate_text(12, 10.0, 20.0) == "1.20 chunks/s"
    assert eta_text(0, 40, 10.0, 20.0) == "eta after the first batch"
    assert eta_text(8, 40, 10.0, 14.0) == "eta 0:00:16"  # 32 left at 2 chunks/s
    assert eta_text(1, 7201, 0.0, 1.0) == "eta 2:00:00"
    assert eta_text(40, 40, 10.0, 30.0) == "done"
