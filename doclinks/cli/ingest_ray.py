"""``doclinks ingest --engine ray``: the flags of the distributed ingest and its run (`doclinks.scale`).

The options are checked before Ray starts or any file is read: an SQLite ``--db`` is refused with
why (one writer) and what to use; ``--ray-*`` flags without ``--engine ray`` are refused too.
"""

from __future__ import annotations

import argparse
from typing import Any

from .errors import CommandError

__all__ = ["RayOptions", "add_ray_flags", "ray_options", "check_engine", "run_ray_ingest"]

ENGINES = ("local", "ray")


#: The `doclinks.scale.RaySettings` fields that flags set: each is --ray-<field with dashes>.
FLAGGED = ("address", "actors", "actor_cpus", "actor_gpus", "writers", "write_batch_size", "bulk")
_FLAG_OF = {name: "--ray-" + name.replace("_", "-") for name in FLAGGED}


class RayOptions:
    """The ``--ray-*`` flags given, as `doclinks.scale.RaySettings` fields by name (`FLAGGED`); what is not
    given keeps RaySettings' default, written there only."""

    def __init__(self, **given: Any) -> None:
        unknown = sorted(set(given) - set(FLAGGED))
        if unknown:
            raise TypeError(f"RayOptions: no --ray-* flag sets {', '.join(unknown)}")
        self.given = given

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RayOptions) and other.given == self.given

    def __repr__(self) -> str:
        return f"RayOptions({', '.join(f'{k}={v!r}' for k, v in self.given.items())})"


def add_ray_flags(p: argparse.ArgumentParser) -> None:
    """``--engine`` and the ``--ray-*`` flags of ``doclinks ingest``."""
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local: this process (default); ray: a Ray cluster writing into PostgreSQL (--db postgresql://...; "
                   'pip install "doclinks[ray]"; docs/scale.md)')  # fmt: skip
    g = p.add_argument_group("--engine ray")
    g.add_argument("--ray-address", metavar="A",
                   help="auto: the cluster this machine is a node of; ray://host:10001: a remote cluster (Ray Client); "
                   "default: a local Ray on this machine's cores")  # fmt: skip
    g.add_argument(
        "--ray-actors", type=int, metavar="N", help="NER actors (default: as many as the cluster's CPUs or GPUs hold)"
    )
    g.add_argument("--ray-actor-cpus", type=float, metavar="C", help="CPU cores per NER actor (default 1)")
    g.add_argument("--ray-actor-gpus", type=float, metavar="G",
                   help="GPUs per NER actor (default 0; 1: one each; 0.5: two share one)")  # fmt: skip
    g.add_argument("--ray-writers", type=int, metavar="N", help="PostgreSQL connections writing at once (default 2)")
    g.add_argument("--ray-write-batch-size", type=int, metavar="N", help="chunks per write transaction (default 256)")
    g.add_argument("--ray-bulk", choices=("auto", "on", "off"),
                   help="drop the HNSW index during the load and build it at the end: auto (when the run at least "
                   "doubles the store), on, off")  # fmt: skip


def ray_options(args: argparse.Namespace) -> RayOptions:
    """The ``--ray-*`` flags given, as `RayOptions` (the flags' parser defaults are None: not given)."""
    given = {name: getattr(args, "ray_" + name) for name in FLAGGED}
    given = {name: value for name, value in given.items() if value is not None}
    if "bulk" in given:
        given["bulk"] = {"auto": None, "on": True, "off": False}[given["bulk"]]
    return RayOptions(**given)


def check_engine(engine: str, db: Any, ray: RayOptions | None) -> None:
    """Refuse what cannot run, before anything starts: an unknown engine, ``--ray-*`` flags without
    ``--engine ray``, and ``--engine ray`` with a store other than PostgreSQL."""
    if engine not in ENGINES:
        raise CommandError(f"--engine {engine}: unknown engine (local or ray)")
    if engine == "local":
        if ray is not None and ray.given:  # a flag given its default value changes nothing: allowed
            from ..scale import RaySettings

            defaults = RaySettings()
            given = [_FLAG_OF[name] for name, value in ray.given.items() if value != getattr(defaults, name)]
            if given:
                raise CommandError(f"{', '.join(given)}: only with --engine ray")
        return
    from ..scale import SQLITE_REFUSED, check_postgres_dsn

    try:
        check_postgres_dsn(str(db))
    except ValueError:
        raise CommandError(f"--engine ray --db {db}: {SQLITE_REFUSED}") from None
    except ImportError as exc:
        raise CommandError(str(exc)) from None


def _settings(ray: RayOptions):
    from ..scale import RaySettings

    try:
        return RaySettings(**ray.given)
    except ValueError as exc:
        message = str(exc)
        for name, flag in sorted(_FLAG_OF.items(), key=lambda kv: -len(kv[0])):
            if message.startswith(name + " "):
                message = flag + message[len(name) :]
                break
        raise CommandError(message) from None


def run_ray_ingest(paths, db: str, settings, options, progress) -> Any:
    """Run `doclinks.scale.ray_ingest` for ``doclinks ingest --engine ray``; returns its result.
    `progress` is the command's rich progress bar (or a disabled one)."""
    from ..scale import ReadSettings, ray_ingest, require_ray
    from . import console
    from .progress import bar_updater

    ray_settings = _settings(options.ray or RayOptions())
    try:
        require_ray()
    except ImportError as exc:
        raise CommandError(str(exc)) from None
    read = ReadSettings(chunk_size=options.chunk_size, chunk_overlap=options.chunk_overlap, text_field=options.text_field,
                        encoding=options.encoding, skip_bad=options.skip_bad)  # fmt: skip
    spinner = console.err().status("starting Ray", spinner="dots") if options.progress else None
    with progress as bar:
        task = bar.add_task("ingest (ray)", total=None)
        if spinner is not None:
            spinner.start()

        def on_stage(words: str) -> None:
            if spinner is not None:
                spinner.update(words)
                spinner.start()  # again after the extraction's progress bar stopped it

        on_progress = bar_updater(bar, task, lambda: spinner is not None and spinner.stop())

        try:
            result = ray_ingest(paths, db, settings, read=read, ray_settings=ray_settings,
                                on_progress=on_progress, on_stage=on_stage)  # fmt: skip
        except ConnectionError as exc:
            raise CommandError(f"--ray-address: {exc}") from None
        finally:
            if spinner is not None:
                spinner.stop()
    return result
