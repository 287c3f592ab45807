"""Session fixtures shared by every test package: small real GLiNER checkpoints built by the peer."""

import pytest

from tests.ner.peer_models import build_peer_checkpoint


@pytest.fixture(scope="session")
def peer_checkpoint_512(tmp_path_factory):
    """Upstream-built: hidden 512 (projection from MiniLM's 384), BiLSTM, seeded random heads."""
    return build_peer_checkpoint(tmp_path_factory.mktemp("peer512"), hidden_size=512, rnn_layers=1, seed=11)


@pytest.fixture(scope="session")
def peer_checkpoint_384_tuned(tmp_path_factory):
    """Upstream-built: hidden 384 (no projection), no BiLSTM, heads briefly fine-tuned on synthetic sentences."""
    return build_peer_checkpoint(
        tmp_path_factory.mktemp("peer384"), hidden_size=384, rnn_layers=0, seed=5, fine_tune_steps=300
    )
