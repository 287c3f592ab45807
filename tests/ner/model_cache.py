"""A cache of the small test checkpoints across test sessions, keyed by everything that makes them.

Building the peer checkpoints and the small NER model takes a minute on a small machine; the same
versions of torch, transformers, tokenizers and gliner, and the same source of doclinks' NER package
and of the builders, give the same checkpoint, so a later session on the same machine reuses it. A
fresh machine (CI) builds them, as before. The tests still compute every answer (ours and `gliner`'s)
in the session; only the weights are reused.

Where: $DOCLINKS_TEST_MODELS, else `<doclinks cache>/test-models` (`paths.cache_dir()`, i.e.
~/.cache/doclinks/test-models). DOCLINKS_TEST_MODELS=off builds every session (no cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from doclinks.paths import CONFIG_FILE, cache_dir

ENV = "DOCLINKS_TEST_MODELS"
PACKAGES = ("torch", "transformers", "tokenizers", "safetensors", "gliner")
HERE = Path(__file__).resolve().parent
# The code a checkpoint depends on: doclinks' NER package (the trainer, the network, the checkpoint
# writer) and the builders with their data.
SOURCES = (HERE.parents[1] / "doclinks" / "ner", HERE / "peer_models.py", HERE / "small_model.py", HERE / "synthetic.py")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_key(name: str, settings: dict) -> str:
    """A hash of the checkpoint's name and settings, the package versions and the source it is built by."""
    digest = hashlib.sha256(json.dumps([name, settings, {p: _version(p) for p in PACKAGES}], sort_keys=True).encode())
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")) if source.is_dir() else [source]:
            digest.update(str(path.relative_to(HERE.parents[1])).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cached_checkpoint(name: str, build: Callable[[Path], Path], settings: dict, fallback: Path) -> Path:
    """The checkpoint folder `build(folder)` makes (it returns the checkpoint inside `folder`), taken
    from the cache when one with the same key is there. Without a cache (DOCLINKS_TEST_MODELS=off) it
    is built under `fallback`, a folder of this session."""
    where = os.environ.get(ENV, "")
    if where.lower() == "off":
        return build(fallback)
    root = Path(where).expanduser() if where else cache_dir() / "test-models"
    target = root / f"{name}-{cache_key(name, settings)}"
    if (target / CONFIG_FILE).is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{name}-") as tmp:
        checkpoint = build(Path(tmp) / "build")
        staged = Path(tmp) / "checkpoint"
        shutil.copytree(checkpoint, staged)
        try:
            staged.rename(target)  # whole or not at all: a session stopped mid-build leaves no entry
        except OSError:
            if not (target / CONFIG_FILE).is_file():  # not another session's entry: a real failure
                raise
    return target
