"""Session fixtures shared by every test package: small real GLiNER checkpoints, built once per session.

The peer checkpoints are built and saved by the `gliner` package (the parity tests compare both
implementations on them, and both read the same weights wherever they came from); the small NER model,
for tests that need a model that finds entities, is trained by doclinks' own trainer once and committed
(`tests/fixtures/small_ner_heads.safetensors`), so that it is the same model on every machine.
"""

import pytest

from tests.ner.peer_models import build_peer_checkpoint
from tests.ner.small_model import build_small_ner_checkpoint


@pytest.fixture(scope="session")
def peer_checkpoint_512(tmp_path_factory):
    """Upstream-built: hidden 512 (projection from MiniLM's 384), BiLSTM, seeded random heads."""
    return build_peer_checkpoint(tmp_path_factory.mktemp("peer512"), hidden_size=512, rnn_layers=1, seed=11)


@pytest.fixture(scope="session")
def peer_checkpoint_384_tuned(tmp_path_factory):
    """Upstream-built: hidden 384 (no projection), no BiLSTM, label vectors off the label's first token,
    heads briefly fine-tuned on synthetic sentences so that scores spread from near 0 to near 1."""
    return build_peer_checkpoint(
        tmp_path_factory.mktemp("peer384"), hidden_size=384, rnn_layers=0, seed=5, fine_tune_steps=40, embed_ent_token=False
    )


@pytest.fixture(scope="session")
def small_ner_checkpoint(tmp_path_factory):
    """The checkpoint folder of `small_ner_model` (loadable by `gliner` too)."""
    return build_small_ner_checkpoint(tmp_path_factory.mktemp("small-ner") / "checkpoint")


@pytest.fixture(scope="session")
def small_ner_model(small_ner_checkpoint):
    """A `doclinks.ner.GLiNER` (CPU, float32) that finds people, places and organisations in simple
    cased English sentences, e.g. "Alan Turing visited Paris with Ada Lovelace." -> Alan Turing and
    Ada Lovelace (person), Paris (location), each scored well above 0.5, with the labels "person",
    "location", "organization" (any case: the encoder is uncased).

    Trained once by doclinks' own trainer (`python -m tests.ner.small_model`, ~40 s on one CPU thread)
    and committed: its heads are `tests/fixtures/small_ner_heads.safetensors`, loaded over the packaged
    all-MiniLM-L6-v2, frozen (the model is the same on every machine). The recipe: GLiNER heads (hidden 384, BiLSTM, label vectors off
    each label's first token), 200 steps of 8 synthetic template sentences ("{person} visited
    {location} with {person} .", "{organization} opened an office in {location} .", ...: 21 templates
    over 69 first names x 56 surnames, 49 places, 35 organisations and 9 dates), labelled person /
    location / organization / date, with up to 8 labels a sentence (the others drawn from those and 16
    labels no sentence has: food, animal, disease, ...). Inference still rounds floats the machine's
    way: assert on clear cases only, never on exact scores.
    """
    from doclinks.ner import GLiNER

    return GLiNER.from_pretrained(small_ner_checkpoint)


@pytest.fixture(scope="session")
def pg_dsn():
    """A private PostgreSQL + pgvector on 127.0.0.1 for the whole session (store and query tests, each in
    collections of their own), stopped at the end."""
    pytest.importorskip("psycopg")
    from doclinks.store.testing.local_postgres import LocalPostgres

    server = LocalPostgres().start()
    try:
        yield server.dsn
    finally:
        server.stop()
