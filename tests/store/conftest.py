"""Fixtures of the store tests (the PostgreSQL server, `pg_dsn`, is the session's: tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def default_models():
    """(NER model, embedder): doclinks' shipped model (`doclinks.default_model()`) and default embedder
    (all-MiniLM-L6-v2), each loaded once per process; torch on one thread while the module runs (two
    threads fight over a small shared machine's cores and are slower; the results do not change)."""
    import torch

    from doclinks import default_model
    from doclinks.embeddings import default_embeddings

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield default_model(), default_embeddings()
    torch.set_num_threads(threads)
