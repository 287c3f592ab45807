"""Word splitting, label groups and row assembly, checked against the peer where it has the same piece."""

from __future__ import annotations

import pytest

from doclinks.ner import inputs
from doclinks.ner.validation import check_label_set
from doclinks.paths import packaged_minilm

from .parity_texts import parity_cases


def test_split_words_equals_upstream_splitter():
    tokenizer_module = pytest.importorskip("gliner.data_processing.tokenizer")
    splitter = tokenizer_module.WhitespaceTokenSplitter()
    texts, _ = parity_cases()
    for text in texts:
        words, starts, ends = inputs.split_words(text)
        assert list(zip(words, starts, ends)) == list(splitter(text))
        assert all(text[s:e] == w for w, s, e in zip(words, starts, ends))


def test_per_text_label_sets():
    assert inputs.is_per_text_labels([["a"], {"b": "c"}])
    assert not inputs.is_per_text_labels(["a", "b"])


def test_plan_label_groups():
    assert inputs.plan_label_groups([3, 3, 3], 6) == [[0, 1], [2]]
    assert inputs.plan_label_groups([10, 2], 5) == [[0], [1]]  # an overlong label gets its own group


def test_rows_equal_upstream_tokenization():
    """A row assembled from per-word ids equals the tokenizer's encoding of prompt + words."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(packaged_minilm())
    tokenizer.add_tokens(["[FLERT]", "<<ENT>>", "<<SEP>>"], special_tokens=True)
    special = inputs.special_ids(tokenizer, "<<ENT>>")
    texts, label_sets = parity_cases(40)
    for text, labels in zip(texts, label_sets):
        words = inputs.split_words(text)[0]
        if not words:
            continue
        prompts, _ = check_label_set(labels)
        prompt = inputs.tokenize_prompt(tokenizer, prompts, "<<ENT>>", "<<SEP>>")
        pieces = inputs.tokenize_words(tokenizer, [words], tokenizer.unk_token_id)[0]
        ids, word_positions, label_positions = inputs.build_row(special, prompt, pieces, 10_000)
        prompt_words = [w for p in prompts for w in ("<<ENT>>", p)] + ["<<SEP>>"]
        expected = tokenizer(prompt_words + words, is_split_into_words=True)
        assert ids == expected["input_ids"]
        word_ids = expected.word_ids()
        firsts = [word_ids.index(len(prompt_words) + w) for w in range(len(words))]
        assert word_positions == firsts
        assert [ids[p] for p in label_positions] == [special.ent] * len(prompts)


def test_word_without_subtokens_gets_unknown_token():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(packaged_minilm())
    pieces = inputs.tokenize_words(tokenizer, [["a", "\u200b", "b"]], tokenizer.unk_token_id)[0]
    assert pieces[1] == [tokenizer.unk_token_id] and len(pieces) == 3


def test_nfc_offsets_map_every_character_back():
    text = "e\u0301a\u0308 x\u0323\u0307!"  # é, ä, a dotted x with two marks, "!"
    composed, starts, ends = inputs.nfc_with_offsets(text)
    assert composed == "éä \u1e8b\u0323!" or composed == unicodedata_nfc(text)
    assert len(starts) == len(ends) == len(composed)
    assert starts[0] == 0 and ends[0] == 2 and starts[1] == 2 and ends[1] == 4 and ends[-1] == len(text)
    assert inputs.nfc_with_offsets("plain") == ("plain", [0, 1, 2, 3, 4], [1, 2, 3, 4, 5])


def unicodedata_nfc(text):
    import unicodedata

    return unicodedata.normalize("NFC", text)
