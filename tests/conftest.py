"""Session fixtures shared by every test package: small real GLiNER checkpoints.

The peer checkpoints are built and saved by the `gliner` package (the parity tests compare both
implementations on them); the small NER model is trained by doclinks' own trainer, for tests that need
a model that finds entities. Each is built once per session, or reused from an earlier session on the
same machine with the same package versions and source (tests/ner/model_cache.py; DOCLINKS_TEST_MODELS=off
builds them every time). Never write into these folders: tests that change a checkpoint copy it first.
"""

import pytest

from tests.ner.model_cache import cached_checkpoint
from tests.ner.peer_models import build_peer_checkpoint
from tests.ner.small_model import build_small_ner_checkpoint


def _checkpoint(tmp_path_factory, name: str, build, **settings):
    """Build once per session, or take from the cache of earlier sessions (tests/ner/model_cache.py)."""
    return cached_checkpoint(name, lambda folder: build(folder, **settings), settings, tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def peer_checkpoint_512(tmp_path_factory):
    """Upstream-built: hidden 512 (projection from MiniLM's 384), BiLSTM, seeded random heads."""
    return _checkpoint(tmp_path_factory, "peer512", build_peer_checkpoint, hidden_size=512, rnn_layers=1, seed=11)


@pytest.fixture(scope="session")
def peer_checkpoint_384_tuned(tmp_path_factory):
    """Upstream-built: hidden 384 (no projection), no BiLSTM, label vectors off the label's first token,
    heads briefly fine-tuned on synthetic sentences so that scores spread from near 0 to near 1."""
    return _checkpoint(
        tmp_path_factory, "peer384", build_peer_checkpoint,
        hidden_size=384, rnn_layers=0, seed=5, fine_tune_steps=60, embed_ent_token=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def small_ner_checkpoint(tmp_path_factory):
    """The checkpoint folder of `small_ner_model` (loadable by `gliner` too). Read it, never write it:
    it may be the cached copy that later sessions use."""
    return _checkpoint(tmp_path_factory, "small-ner", build_small_ner_checkpoint)


@pytest.fixture(scope="session")
def small_ner_model(small_ner_checkpoint):
    """A `doclinks.ner.GLiNER` (CPU, float32) that finds people, places and organisations in simple
    cased English sentences, e.g. "Alan Turing visited Paris with Ada Lovelace." -> Alan Turing and
    Ada Lovelace (person), Paris (location), each scored well above 0.5, with the labels "person",
    "location", "organization" (any case: the encoder is uncased).

    Trained by doclinks' own trainer (`tests/ner/small_model.py`; 50-60 s on one CPU thread of a small
    shared machine, once per machine with the cache): all-MiniLM-L6-v2, frozen, under fresh GLiNER
    heads (hidden 384, BiLSTM, label vectors off each label's first token), 300 steps of 8 sentences
    drawn from 2,000 synthetic template sentences ("{person} visited {location} with {person} .",
    "{organization} opened an office in {location} .", ...: 26 templates over 69 first names x 56
    surnames, 63 places, 50 organisations and 9 dates), labelled person / location / organization /
    date, with up to 6 labels a sentence (the others drawn from those and 16 labels no sentence has:
    food, animal, disease, ...). Its weights depend on the machine's float rounding: assert on clear
    cases only, never on exact scores.
    """
    from doclinks.ner import GLiNER

    return GLiNER.from_pretrained(small_ner_checkpoint)
