"""The optional word-shape feature: shape classes, per-token ids, config on disk, exact no-op at zero,
capitalisation reaching the scores, and `gliner` refusing such a checkpoint loudly."""

from __future__ import annotations

import copy
import json

import pytest
import torch

from doclinks.ner import GLiNER, inputs
from doclinks.ner.config import WORD_SHAPE_SPAN_MODE, GLiNERConfig
from doclinks.ner.network import GLiNERNetwork

from .train.helpers import fresh_model


@pytest.mark.parametrize(
    ("word", "shape"),
    [
        ("apple", inputs.SHAPE_LOWER), ("Apple", inputs.SHAPE_TITLE), ("A", inputs.SHAPE_TITLE),
        ("IBM", inputs.SHAPE_UPPER), ("iPhone", inputs.SHAPE_MIXED), ("McDonald", inputs.SHAPE_MIXED),
        ("1999", inputs.SHAPE_NO_CASE), (",", inputs.SHAPE_NO_CASE), ("東京", inputs.SHAPE_NO_CASE),
        ("Élodie", inputs.SHAPE_TITLE), ("ÖBB", inputs.SHAPE_UPPER), ("co-op", inputs.SHAPE_LOWER),
        ("Jean-Luc", inputs.SHAPE_MIXED), ("F-16", inputs.SHAPE_TITLE),
    ],
)  # fmt: skip
def test_word_shape_classes(word, shape):
    assert inputs.word_shape(word) == shape


def test_row_shape_ids_cover_each_words_sub_tokens_only():
    # row: [CLS] ENT l ENT l SEP | w0 (2 pieces) w1 (1) w2 (3, cut by the row end) | [SEP]
    ids = [101, 1, 5, 1, 6, 2, 10, 11, 12, 13, 14, 102]
    got = inputs.row_shape_ids(len(ids), [6, 8, 9], [[10, 11], [12], [13, 14, 15]], [2, 1, 3], text_end=11)
    assert got == [0, 0, 0, 0, 0, 0, 2, 2, 1, 3, 3, 0]


def test_config_writes_a_span_mode_gliner_refuses_and_reads_it_back():
    config = GLiNERConfig(word_shape=True)
    data = config.to_dict()
    assert data["span_mode"] == WORD_SHAPE_SPAN_MODE and "word_shape" not in data
    back = GLiNERConfig.from_dict(json.loads(json.dumps(data)))
    assert back.word_shape is True and back.span_mode == "markerV0"
    plain = GLiNERConfig().to_dict()
    assert plain["span_mode"] == "markerV0" and GLiNERConfig.from_dict(plain).word_shape is False


def _with_shape(config, network):
    """The same network with the (zero) word-shape vectors added."""
    shaped_config = copy.deepcopy(config)
    shaped_config.word_shape = True
    shaped = GLiNERNetwork(shaped_config, copy.deepcopy(network.token_rep_layer.bert_layer.model))
    missing = shaped.load_state_dict(network.state_dict(), strict=False).missing_keys
    assert missing == ["token_rep_layer.word_shape.weight"]
    assert torch.count_nonzero(shaped.token_rep_layer.word_shape.weight) == 0
    return shaped_config, shaped.eval()


TEXT = "Anna Smith met the apple growers of Apple in Paris."
LABELS = ["person", "organization", "location"]


def test_zero_shape_vectors_change_nothing_and_trained_ones_see_case():
    config, tokenizer, network = fresh_model()
    plain = GLiNER(config, tokenizer, network.eval())
    shaped_config, shaped_network = _with_shape(config, network)
    shaped = GLiNER(shaped_config, tokenizer, shaped_network)
    lowered = TEXT.lower()

    def scores(model, text):
        return [
            (e["start"], e["end"], e["label"], round(e["score"], 5))
            for e in model.predict_entities(text, LABELS, threshold=0.01)
        ]

    assert scores(shaped, TEXT) == scores(plain, TEXT)
    # The encoder is uncased: without the feature, case changes nothing at all.
    assert scores(plain, lowered) == scores(plain, TEXT)
    torch.manual_seed(0)
    with torch.no_grad():
        shaped_network.token_rep_layer.word_shape.weight.normal_(0, 0.5)
    assert scores(shaped, lowered) != scores(shaped, TEXT)


def test_a_word_shape_checkpoint_round_trips_and_gliner_refuses_it(tmp_path):
    gliner = pytest.importorskip("gliner")
    config, tokenizer, network = fresh_model()
    shaped_config, shaped_network = _with_shape(config, network)
    with torch.no_grad():
        shaped_network.token_rep_layer.word_shape.weight.normal_(0, 0.5)
    model = GLiNER(shaped_config, tokenizer, shaped_network)
    model.save_pretrained(tmp_path / "ckpt")
    again = GLiNER.from_pretrained(str(tmp_path / "ckpt"))
    assert again.config.word_shape is True
    assert again.predict_entities(TEXT, LABELS, threshold=0.01) == model.predict_entities(TEXT, LABELS, threshold=0.01)
    with pytest.raises(ValueError, match="markerV0\\+word_shape"):
        gliner.GLiNER.from_pretrained(str(tmp_path / "ckpt"), local_files_only=True)


def test_network_refuses_missing_or_unexpected_shape_ids():
    config, _, network = fresh_model()
    ids = torch.tensor([[101, 2000, 102]])
    mask = torch.ones_like(ids)
    with pytest.raises(ValueError, match="without the word-shape feature"):
        network.token_rep_layer(ids, mask, torch.zeros_like(ids))
    _, shaped = _with_shape(config, network)
    with pytest.raises(ValueError, match="shape_ids"):
        shaped.token_rep_layer(ids, mask)
