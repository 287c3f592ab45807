"""Word splitting, label sets and row assembly, checked against the peer where it has the same piece."""

from __future__ import annotations

import pytest

from doclinks.ner import processing

from .parity_texts import parity_cases


def test_split_words_equals_upstream_splitter():
    tokenizer_module = pytest.importorskip("gliner.data_processing.tokenizer")
    splitter = tokenizer_module.WhitespaceTokenSplitter()
    texts, _ = parity_cases()
    for text in texts:
        words, starts, ends = processing.split_words(text)
        assert list(zip(words, starts, ends)) == list(splitter(text))
        assert all(text[s:e] == w for w, s, e in zip(words, starts, ends))


def test_label_sets():
    assert processing.normalize_label_set(["a", "b", "a"]) == (["a", "b"], ["a", "b"])
    assert processing.normalize_label_set({"person": "a human", "city": "a town"}) == (
        ["a human", "a town"],
        ["person", "city"],
    )
    assert processing.normalize_label_set("person") == (["person"], ["person"])
    assert processing.is_per_text_labels([["a"], {"b": "c"}])
    assert not processing.is_per_text_labels(["a", "b"])


def test_plan_label_groups():
    assert processing.plan_label_groups([3, 3, 3], 6) == [[0, 1], [2]]
    assert processing.plan_label_groups([10, 2], 5) == [[0], [1]]  # an overlong label gets its own group


def test_rows_equal_upstream_tokenization():
    """A row assembled from per-word ids equals the tokenizer's encoding of prompt + words."""
    from transformers import AutoTokenizer

    from .peer_models import minilm_path

    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    tokenizer.add_tokens(["[FLERT]", "<<ENT>>", "<<SEP>>"], special_tokens=True)
    special = processing.special_ids(tokenizer, "<<ENT>>")
    texts, label_sets = parity_cases(40)
    for text, labels in zip(texts, label_sets):
        words = processing.split_words(text)[0]
        if not words:
            continue
        prompts, _ = processing.normalize_label_set(labels)
        prompt = processing.tokenize_prompt(tokenizer, prompts, "<<ENT>>", "<<SEP>>")
        pieces = processing.tokenize_words(tokenizer, [words], tokenizer.unk_token_id)[0]
        ids, word_positions, label_positions = processing.build_row(special, prompt, pieces, 10_000)
        prompt_words = [w for p in prompts for w in ("<<ENT>>", p)] + ["<<SEP>>"]
        expected = tokenizer(prompt_words + words, is_split_into_words=True)
        assert ids == expected["input_ids"]
        word_ids = expected.word_ids()
        firsts = [word_ids.index(len(prompt_words) + w) for w in range(len(words))]
        assert word_positions == firsts
        assert [ids[p] for p in label_positions] == [special.ent] * len(prompts)


def test_word_without_subtokens_gets_unknown_token():
    from transformers import AutoTokenizer

    from .peer_models import minilm_path

    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    pieces = processing.tokenize_words(tokenizer, [["a", "\u200b", "b"]], tokenizer.unk_token_id)[0]
    assert pieces[1] == [tokenizer.unk_token_id] and len(pieces) == 3
