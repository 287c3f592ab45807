"""Rich consoles for the command line: results on stdout, progress and notes on stderr."""

from __future__ import annotations

import os
import sys


def _console(stderr: bool):
    from rich.console import Console

    # Not a terminal (a pipe, a file, a test): no colours, no wrapping to 80 columns.
    width = None if _is_tty(stderr) else int(os.environ.get("COLUMNS", "0") or 0) or 200
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def _is_tty(stderr: bool) -> bool:
    stream = sys.stderr if stderr else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def out():
    """The console for results (stdout)."""
    return _console(False)


def err():
    """The console for progress bars and notes (stderr)."""
    return _console(True)


def quiet_model_loading() -> None:
    """No "Loading weights" progress bars from transformers / huggingface_hub (call before they load).

    The user can still turn them on with ``HF_HUB_DISABLE_PROGRESS_BARS=0``.
    """
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    bars_on = os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] in ("0", "", "false", "False")
    if "transformers.utils.logging" in sys.modules and not bars_on:
        sys.modules["transformers.utils.logging"].disable_progress_bar()
