"""A throwaway local Ray for tests and benchmarks: `LocalRay`.

Ray with a fixed number of CPUs, no dashboard, its session files in a temporary folder of its own
(deleted on `stop()`), and token authentication with a token kept in that folder (not in
``~/.ray``). Drivers started from this process (e.g. a ``doclinks`` subprocess given `address`)
inherit the token through the environment. Ray's servers listen on every interface of the machine
(Ray has no setting that keeps them on the loopback): the token is what keeps others out.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

__all__ = ["LocalRay"]

# The environment a local test cluster runs with; restored on stop().
_ENV = ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH")


class LocalRay:
    """Start a private local Ray in this process; use as a context manager.

    Args:
        num_cpus: CPUs Ray schedules on (default 2).
        object_store_mb: the object store's size in MiB (default 512).

    Attributes (after `start()`):
        address: the cluster's address ("host:port"), for other drivers on this machine.
        folder: the temporary folder of its session files.
    """

    def __init__(self, num_cpus: int = 2, object_store_mb: int = 512) -> None:
        self.num_cpus = num_cpus
        self.object_store_mb = object_store_mb
        self.address: str | None = None
        self.folder: Path | None = None
        self._saved: dict[str, str | None] = {}

    def start(self) -> LocalRay:
        """Start Ray (`ray.init`); returns self. Raises RuntimeError if this process already joined a Ray."""
        from .session import require_ray

        ray = require_ray()
        if ray.is_initialized():
            raise RuntimeError("this process already joined a Ray cluster")
        # A short path in the system's temporary folder: Ray's Unix sockets live under it (at most 107 bytes).
        self.folder = Path(tempfile.mkdtemp(prefix="dlray-"))
        token = self.folder / "auth_token"
        token.write_text(secrets.token_hex(32))
        token.chmod(0o600)
        self._saved = {name: os.environ.get(name) for name in _ENV}
        os.environ.update(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(token))
        # ray's _raylet.pyi stub leaves out Config, which the compiled module has
        from ray._raylet import Config  # type: ignore[attr-defined]

        Config.initialize("")  # Ray read its configuration at import: read it again with the token mode
        try:
            ray.init(
                num_cpus=self.num_cpus, include_dashboard=False, _temp_dir=str(self.folder),
                object_store_memory=self.object_store_mb * 2**20,
                logging_level="WARNING",
            )  # fmt: skip
        except BaseException:
            self.stop()
            raise
        self.address = ray.get_runtime_context().gcs_address
        return self

    def stop(self) -> None:
        """Stop Ray, delete its folder and restore the environment. Safe to call twice."""
        import ray

        if ray.is_initialized():
            ray.shutdown()
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = {}
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> LocalRay:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
