"""Fixtures of the link tests: real models. `ner` is the small test model (logic tests: a new default
model changes none of them); `shipped_ner` the shipped default model (the ``shipped_model`` group, end
to end); `minilm` the default embedder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """One intra-op thread: on a small shared box (CI, a training run beside) two threads fight for
    the cores and the real-model tests run 5x slower; the results do not change."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def ner(one_torch_thread, small_ner_model):
    """The small test model (`small_ner_model`: people, places, organisations in simple sentences)."""
    return small_ner_model


@pytest.fixture(scope="module")
def shipped_ner(one_torch_thread):
    """The shipped default model (`doclinks.default_model()`: fixed weights, loaded once per process)."""
    from doclinks.ner.default import default_model

    return default_model()


@pytest.fixture(scope="module")
def minilm(one_torch_thread):
    """The real sentence embedder doclinks uses by default (all-MiniLM-L6-v2, offline)."""
    from doclinks.embeddings import default_embeddings

    return default_embeddings()
