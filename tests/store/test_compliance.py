"""The compliance suite (`doclinks.store.testing.compliance`) on each of the three stores."""

from __future__ import annotations

import itertools

import pytest

from doclinks.store import InMemoryGraphStore, SQLiteGraphStore
from doclinks.store.testing.compliance import StoreCompliance


class TestInMemory(StoreCompliance):
    def new_store(self, embedding, settings, folder, **options):
        return InMemoryGraphStore(embedding, settings, **options)


class TestSQLite(StoreCompliance):
    def new_store(self, embedding, settings, folder, **options):
        return SQLiteGraphStore(folder / "store.db", embedding, settings, **options)


_collections = itertools.count()


class TestPostgres(StoreCompliance):
    @pytest.fixture(autouse=True)
    def _server(self, pg_dsn):
        self.dsn = pg_dsn

    def new_store(self, embedding, settings, folder, **options):
        from doclinks.store import PostgresGraphStore, PostgresSettings

        # One collection per store: the tests share one server.
        return PostgresGraphStore(
            self.dsn, embedding, settings, PostgresSettings(collection=f"t{next(_collections)}"), **options
        )
