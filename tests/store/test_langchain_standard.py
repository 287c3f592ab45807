"""LangChain's own standard vector-store suite (``langchain-tests``) on each store, sync and async.

Each store runs with ``semantics="langchain"`` (`doclinks.store.langchain`): the suite checks
LangChain's contract, which differs from doclinks' defaults on purpose (unknown ids are ignored,
similarity results carry the stored metadata only). PostgreSQL is the real server of the session
(`pg_dsn`), one fresh collection per test.
"""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests import VectorStoreIntegrationTests

from doclinks.store import InMemoryGraphStore, SQLiteGraphStore


class TestInMemoryStandard(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self):
        """An empty in-memory store with LangChain semantics, closed after the test."""
        store = InMemoryGraphStore(self.get_embeddings(), semantics="langchain")
        yield store
        store.close()


class TestSQLiteStandard(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, tmp_path):
        """An empty SQLite store (a new file) with LangChain semantics, closed after the test."""
        store = SQLiteGraphStore(tmp_path / "store.db", self.get_embeddings(), semantics="langchain")
        yield store
        store.close()


_collections = itertools.count()


class TestPostgresStandard(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, pg_dsn):
        """An empty PostgreSQL store (a new collection on the session's server), LangChain semantics."""
        from doclinks.store import PostgresGraphStore, PostgresSettings

        store = PostgresGraphStore(pg_dsn, self.get_embeddings(), postgres=PostgresSettings(collection=f"std{next(_collections)}"),
                                   semantics="langchain")  # fmt: skip
        yield store
        store.close()
