"""Fixtures of the store tests: one private PostgreSQL server for the whole session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pg_dsn():
    """A private PostgreSQL + pgvector on 127.0.0.1 for the whole session, stopped at the end."""
    pytest.importorskip("psycopg")
    from doclinks.store.testing.local_postgres import LocalPostgres

    server = LocalPostgres().start()
    try:
        yield server.dsn
    finally:
        server.stop()
