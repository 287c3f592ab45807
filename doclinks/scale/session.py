"""Ray, optional: importing it with a clear error, joining or starting a cluster for one run."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["RAY_MISSING", "require_ray", "ray_session", "quiet_ray_data"]

#: What to install for the Ray engine.
RAY_MISSING = 'the Ray engine needs Ray Data: pip install "doclinks[ray]"'


def require_ray() -> Any:
    """The ``ray`` module with Ray Data; ImportError naming ``pip install "doclinks[ray]"`` if missing."""
    try:
        import ray
        import ray.data  # Ray Data is an extra of ray: ray[data]
    except ImportError as exc:
        raise ImportError(f"{RAY_MISSING} ({exc})") from exc
    return ray


@contextlib.contextmanager
def ray_session(address: str | None) -> Iterator[Any]:
    """Ray for one run: the session this process already joined (kept), else `address` joined, or
    with None a local Ray started on this machine's cores (no dashboard; Ray's token authentication,
    its default) and stopped at the end. Yields the ``ray`` module.

    Raises:
        ImportError: Ray is not installed.
        ConnectionError: no cluster at `address`.
    """
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "configure_logging": True}
    if address is None:
        kwargs["include_dashboard"] = False
    else:
        kwargs["address"] = address
    try:
        ray.init(**kwargs)
    except ConnectionError as exc:
        raise ConnectionError(f"no Ray cluster at {address!r}: {exc}") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def quiet_ray_data() -> None:
    """Ray Data's own progress bars and per-run log lines off: the caller shows its progress."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "Progress bars disabled"
    # A pool larger than a small run's blocks is fine: the pool is sized for large runs.
    warnings.filterwarnings("ignore", message=r"The (minimum|maximum) number of concurrent", category=UserWarning)
