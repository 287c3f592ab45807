"""Fixtures of the store tests: small real embedders and one store of each kind."""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np
import pytest

from doclinks.store import InMemoryGraphStore, SQLiteGraphStore, TraversalSettings


class VectorTextEmbeddings:
    """Reads the vector written in the text: "v:1,0,0 some words" -> [1, 0, 0].

    A real, deterministic embedding function that lets a test place every chunk and
    query exactly where it wants.
    """

    def _one(self, text: str) -> list[float]:
        m = re.match(r"v:(\S+)", text)
        if not m:
            raise ValueError(f"no vector in text {text!r}")
        return [float(x) for x in m.group(1).split(",")]

    def embed_documents(self, texts):
        return [self._one(t) for t in texts]

    def embed_query(self, text):
        return self._one(text)


class HashingEmbeddings:
    """Signed hashing bag of words (64 dimensions): shared words make texts similar."""

    dim = 64

    def _one(self, text: str) -> list[float]:
        v = np.zeros(self.dim)
        for word in re.findall(r"\w+", text.lower()):
            h = int(hashlib.md5(word.encode()).hexdigest(), 16)
            v[h % self.dim] += 1.0 if (h >> 64) & 1 else -1.0
        if not v.any():
            v[0] = 1.0
        return v.tolist()

    def embed_documents(self, texts):
        return [self._one(t) for t in texts]

    def embed_query(self, text):
        return self._one(text)


@pytest.fixture(scope="session")
def pg_dsn():
    """A private PostgreSQL + pgvector on 127.0.0.1 for the whole session, stopped at the end."""
    pytest.importorskip("psycopg")
    from doclinks.store.local_postgres import LocalPostgres

    server = LocalPostgres().start()
    try:
        yield server.dsn
    finally:
        server.stop()


_collections = itertools.count()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_kind(request):
    return request.param


@pytest.fixture
def make_store(store_kind, tmp_path, request):
    """make_store(embedding=..., settings=...) -> a fresh, empty store of the current kind."""
    made = []

    def make(embedding=None, settings: TraversalSettings | None = None, **kwargs):
        embedding = embedding if embedding is not None else VectorTextEmbeddings()
        if store_kind == "memory":
            store = InMemoryGraphStore(embedding, settings)
        elif store_kind == "sqlite":
            store = SQLiteGraphStore(tmp_path / f"store{len(made)}.db", embedding, settings)
        else:
            from doclinks.store import PostgresGraphStore, PostgresSettings

            dsn = request.getfixturevalue("pg_dsn")
            pg = PostgresSettings(collection=f"t{next(_collections)}", **kwargs)
            store = PostgresGraphStore(dsn, embedding, settings, pg)
        made.append(store)
        return store

    yield make
    for s in made:
        s.close()
