"""Fixtures of the distributed-ingest tests: one local Ray (2 CPUs) per module, databases of their own on the
session's PostgreSQL, and a corpus of a few hundred short chunks from ``../shared/data/texts`` (skipped,
with the reason, where that folder is absent)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
TEXTS = REPO.parent / "shared" / "data" / "texts"
LABELS = ["person", "location", "organization"]
CHUNK_SIZE = 400
PASSAGES = 60  # 2WikiMultihopQA passages: with the State of the Union, 200 chunks of <= 400 characters


@pytest.fixture(scope="module")
def local_ray():
    """A private local Ray with 2 CPUs (`doclinks.scale.testing.LocalRay`), stopped after the module."""
    pytest.importorskip("ray.data", reason='Ray Data is not installed (pip install -e ".[test]")')
    from doclinks.scale.testing import LocalRay

    with LocalRay(num_cpus=2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def postgres(pg_database):
    """PostgreSQL + pgvector on 127.0.0.1: the session's server (tests/conftest.py), in databases of these
    tests' own. `postgres.url(name)` creates the database `name` and gives its postgresql:// URL."""
    return SimpleNamespace(url=lambda name: pg_database(f"scale_{name}"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """The inputs: the State of the Union address (.txt, read where it lies) and the first `PASSAGES`
    passages of the 2WikiMultihopQA corpus as a .jsonl file in a temporary folder."""
    sotu, wiki = TEXTS / "state_of_the_union.txt", TEXTS / "2wikimultihopqa_corpus.json"
    if not (sotu.is_file() and wiki.is_file()):
        pytest.skip(f"the shared texts are absent ({TEXTS}): see ../shared/data/README.md")
    folder = tmp_path_factory.mktemp("scale-corpus")
    passages = json.loads(wiki.read_text(encoding="utf-8"))[:PASSAGES]
    jsonl = folder / "wiki.jsonl"
    jsonl.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages), encoding="utf-8")
    return [sotu, jsonl]
