"""Fixtures of the store tests: small real embedders and one store of each kind."""

from __future__ import annotations

import itertools

import pytest

from doclinks.store import InMemoryGraphStore, SQLiteGraphStore, TraversalSettings
from store_testkit import VectorTextEmbeddings


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
