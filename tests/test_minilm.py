"""`doclinks.minilm`: the plain-torch BERT forward of the default embedder equals `transformers`' BertModel
and AutoTokenizer on varied texts (truncation, padding, accents, CJK, empty), within 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

TEXTS = [
    "Angela Merkel met Emmanuel Macron in Berlin.",
    "",
    "Café Müller — naïve façade; 東京 and Zürich. ÉCOLE normale",
    "word " * 400,  # truncated to max_length
    "Short.",
    "Dr. J. K. Rowling's 2nd book (1998) sold 11,000,000 copies!",
]


@pytest.fixture(scope="module")
def reference():
    """Embeddings the sentence-transformers way, through `transformers` (the peer)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from doclinks.paths import packaged_minilm

    folder = packaged_minilm()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    with torch.inference_mode():
        batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=256, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=1)
    return batch, hidden, pooled.numpy()


def test_tokens_are_the_same(reference):
    from doclinks.minilm import load_tokenizer
    from doclinks.paths import packaged_minilm

    batch, _, _ = reference
    encoded = load_tokenizer(packaged_minilm(), 256).encode_batch(TEXTS)
    assert [e.ids for e in encoded] == batch["input_ids"].tolist()
    assert [e.attention_mask for e in encoded] == batch["attention_mask"].tolist()


def test_hidden_states_and_embeddings_match_transformers(reference):
    import torch

    from doclinks.embeddings import MiniLMEmbeddings
    from doclinks.minilm import BertEncoder
    from doclinks.paths import packaged_minilm

    batch, hidden, pooled = reference
    with torch.inference_mode():
        ours = BertEncoder(packaged_minilm())(batch["input_ids"], batch["attention_mask"])
    real = batch["attention_mask"].bool()
    assert torch.allclose(ours[real], hidden[real], atol=1e-5)
    vectors = np.array(MiniLMEmbeddings(batch_size=2).embed_documents(TEXTS))
    assert np.abs(vectors - pooled).max() < 1e-5


def test_other_architectures_are_refused(tmp_path):
    from doclinks.minilm import BertEncoder

    (tmp_path / "config.json").write_text('{"model_type": "deberta-v2"}')
    with pytest.raises(ValueError, match="not a BERT model"):
        BertEncoder(tmp_path)
