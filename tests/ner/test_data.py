"""Readers of the NER formats, the training pool, label names and negative-label sampling."""

from __future__ import annotations

import json
import random

import pytest

from doclinks.ner import data
from doclinks.ner.data import DataError, EvalExample, Example, LabelSampler


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------- readers
def test_gliner_json_array_and_lines(tmp_path):
    items = [
        {"tokenized_text": ["Anna", "lives", "in", "New", "York", "."], "ner": [[0, 0, "person"], [3, 4, "city"]]},
        {"tokenized_text": ["Nothing", "here"], "ner": []},
    ]
    for path in (write(tmp_path, "a.json", json.dumps(items, indent=1)), write(tmp_path, "a.jsonl", "\n".join(map(json.dumps, items)))):
        examples = data.read_gliner_json(path, source="x")
        assert [x.words for x in examples] == [items[0]["tokenized_text"], items[1]["tokenized_text"]]
        assert examples[0].spans == [(0, 0, "person"), (3, 4, "city")]
        assert examples[1].spans == [] and examples[0].source == "x"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{"tokenized_text": ["a", "b"], "ner": [[0, 2, "x"]]}', "outside the 2 words"),
        ('{"tokenized_text": ["a", "b"], "ner": [[1, 0, "x"]]}', "outside the 2 words"),
        ('{"tokenized_text": ["a", "b"], "ner": [[0, 1]]}', r"is not \[start, end, label\]"),
        ('{"tokenized_text": ["a", "b"], "ner": [[0, 1, ""]]}', "non-empty string"),
        ('{"tokenized_text": ["a", "b"], "ner": [["0", 1, "x"]]}', "must be integers"),
        ('{"tokenized_text": "a b", "ner": []}', "list of non-empty strings"),
        ('{"words": ["a"]}', "expected an object"),
        ('{"tokenized_text": ["a"], "ner": [}', "not valid JSON"),
    ],
)
def test_gliner_json_malformed_entry_names_file_and_line(tmp_path, entry, message):
    good = '{"tokenized_text": ["ok"], "ner": []}'
    path = write(tmp_path, "bad.json", f"[\n{good},\n{good},\n{entry}\n]\n")
    with pytest.raises(DataError, match=message) as info:
        data.read_gliner_json(path)
    assert str(info.value).startswith(f"{path}:4:")
    lines = write(tmp_path, "bad.jsonl", f"{good}\n{entry}\n")
    with pytest.raises(DataError) as info:
        data.read_gliner_json(lines)
    assert str(info.value).startswith(f"{lines}:2:")


def test_gliner_json_not_an_array(tmp_path):
    with pytest.raises(DataError, match=r"bad.json:1: expected a JSON array"):
        data.read_gliner_json(write(tmp_path, "bad.json", '{"tokenized_text": []}'))
    with pytest.raises(DataError, match=r"expected ',' or '\]'"):
        data.read_gliner_json(write(tmp_path, "bad.json", '[{"tokenized_text": ["a"]} {"tokenized_text": ["b"]}]'))


def test_eval_json(tmp_path):
    items = [{"sentence": "EU rejects German call .", "entities": [{"name": "EU", "type": "organization", "pos": [0, 2]}, {"name": "German", "type": "else", "pos": [11, 17]}]}]
    (example,) = data.read_eval_json(write(tmp_path, "dev.json", json.dumps(items)))
    assert example == EvalExample("EU rejects German call .", [(0, 2, "organization"), (11, 17, "else")])
    converted, dropped = data.eval_to_example(example, "conll2003")
    assert converted.words == ["EU", "rejects", "German", "call", "."]
    assert converted.spans == [(0, 0, "organization"), (2, 2, "else")] and dropped == 0


def test_eval_json_malformed(tmp_path):
    bad = [{"sentence": "short", "entities": [{"name": "x", "type": "t", "pos": [0, 9]}]}]
    with pytest.raises(DataError, match=r"dev.json:1: .*outside the sentence"):
        data.read_eval_json(write(tmp_path, "dev.json", json.dumps(bad)))
    with pytest.raises(DataError, match=r"dev.json:2: .*needs 'pos'"):
        data.read_eval_json(write(tmp_path, "dev.json", '[{"sentence": "a", "entities": []},\n{"sentence": "b", "entities": [{"type": "t"}]}]'))


def test_eval_entity_inside_a_word_is_dropped():
    example = EvalExample("German-born Anna", [(0, 6, "else"), (12, 16, "person")])
    converted, dropped = data.eval_to_example(example)
    assert converted.words == ["German-born", "Anna"] and converted.spans == [(1, 1, "person")] and dropped == 1


def test_bio(tmp_path):
    text = "-DOCSTART-\tO\n\nEmpire\tB-location\nState\tI-location\nis\tO\nnice\tO\n\t\nApple\tI-corporation\nand\tO\nIBM\tB-corporation\nMicrosoft\tB-corporation\nCorp\tI-corporation\nx\tI-person\n"
    first, second = data.read_bio(write(tmp_path, "a.conll", text), source="wnut17")
    assert first.words == ["Empire", "State", "is", "nice"] and first.spans == [(0, 1, "location")]
    # An I- tag that continues nothing starts an entity; B- always starts one.
    assert second.spans == [(0, 0, "corporation"), (2, 2, "corporation"), (3, 4, "corporation"), (5, 5, "person")]


@pytest.mark.parametrize(("line", "message"), [("word\tX-person", "bad BIO tag"), ("word B-person", "expected 'token<TAB>tag'"), ("a\tb\tO", "expected 'token<TAB>tag'"), ("word\tB-", "bad BIO tag")])
def test_bio_malformed_line(tmp_path, line, message):
    path = write(tmp_path, "bad.tsv", f"ok\tO\n\nfine\tB-x\n{line}\n")
    with pytest.raises(DataError, match=message) as info:
        data.read_bio(path)
    assert str(info.value).startswith(f"{path}:4:")


def test_io(tmp_path):
    text = "graph\tAI-algorithm\nnetworks\tAI-algorithm\nbeat\tO\nBLEU\tNLP-metrics\nscores\tNLP-term\n\nok\tO\n"
    first, second = data.read_io(write(tmp_path, "a.txt", text))
    assert first.spans == [(0, 1, "AI-algorithm"), (3, 3, "NLP-metrics"), (4, 4, "NLP-term")]
    assert second.words == ["ok"] and second.spans == []


def test_io_malformed(tmp_path):
    with pytest.raises(DataError, match=r"a.txt:2: .*looks like a BIO tag"):
        data.read_io(write(tmp_path, "a.txt", "x\tO\ny\tB-person\n"))
    with pytest.raises(DataError, match=r"a.txt:1: expected 'token<TAB>tag'"):
        data.read_io(write(tmp_path, "a.txt", "x\n"))


def test_example_to_eval_round_trip():
    example = Example(["Anna", "moved", "to", "São", "Paulo", "."], [(0, 0, "person"), (3, 4, "city")])
    ev = data.example_to_eval(example)
    assert ev.text == "Anna moved to São Paulo ."
    assert [ev.text[s:e] for s, e, _ in ev.entities] == ["Anna", "São Paulo"]
    assert data.eval_to_example(ev)[0].spans == example.spans


# ------------------------------------------------------------------------------------------- label names
def test_label_normalisation():
    assert data.normalize_label("else", "conll2003") == "miscellaneous"
    assert data.normalize_label("Chemical", "bc5cdr") == "chemical"
    assert data.normalize_label("creative-work", "wnut17") == "creative work"
    assert data.normalize_label("AI/ML/DL-algorithm/tool", "few-tk") == "algorithm"
    assert data.normalize_label("NLP-focus", "few-tk") == "task"
    assert data.normalize_label("NLP-term", "few-tk") is None  # too vague: dropped
    assert data.normalize_label("GPE") == "city or state"
    assert data.normalize_label("Restaurant_Name") == "restaurant name"
    assert data.renamed(Example(["a", "b"], [(0, 0, "NLP-term"), (1, 1, "NLP-metrics")]), "few-tk").spans == [(1, 1, "metric")]


# ---------------------------------------------------------------------------------------- label sampling
POOL_LABELS = ["person", "organization", "location", "company", "chemical", "disease", "algorithm", "date", "event", "product"]


def test_sampling_keeps_gold_and_blocks_related_negatives():
    sampler = LabelSampler(POOL_LABELS, max_types=25, paraphrase_prob=0.0)
    spans = [(0, 1, "person"), (3, 3, "organization"), (5, 5, "person")]
    for seed in range(50):
        prompts, kept = sampler.sample(spans, "conll2003", random.Random(seed))
        assert "person" in prompts and "organization" in prompts
        assert len(prompts) == len(set(prompts)) <= 25
        # Related labels (company ~ organization) are never negatives; nor are kinds conll leaves unannotated.
        assert "company" not in prompts and "date" not in prompts
        assert [(s, e, prompts[c]) for s, e, c in kept] == spans


def test_sampling_negatives_cap_and_repeatability():
    sampler = LabelSampler(POOL_LABELS, max_types=4, neg_ratio=1.0, paraphrase_prob=0.0)
    sizes = set()
    for seed in range(100):
        prompts, _ = sampler.sample([(0, 0, "chemical")], "bc5cdr", random.Random(seed))
        assert prompts.count("chemical") == 1 and len(prompts) <= 4 and "disease" not in prompts
        sizes.add(len(prompts))
    assert sizes == {1, 2, 3, 4}  # 0 to 3 negatives
    a = sampler.sample([(0, 0, "chemical")], "bc5cdr", random.Random(7))
    assert a == sampler.sample([(0, 0, "chemical")], "bc5cdr", random.Random(7))
    # Silver examples may read the numeric kinds as negatives.
    seen = set()
    for seed in range(200):
        seen |= set(LabelSampler(POOL_LABELS, max_types=10).sample([], "silver", random.Random(seed))[0])
    assert "date" in seen


def test_sampling_caps_gold_and_drops_their_spans():
    sampler = LabelSampler(POOL_LABELS, max_types=2, paraphrase_prob=0.0)
    spans = [(0, 0, "person"), (1, 1, "chemical"), (2, 2, "algorithm")]
    prompts, kept = sampler.sample(spans, "x", random.Random(3))
    assert len(prompts) == 2 and len(kept) == 2 and {prompts[c] for _, _, c in kept} == set(prompts)


def test_sampling_without_entities_reads_at_least_one_negative():
    sampler = LabelSampler(POOL_LABELS, max_types=5)
    for seed in range(30):
        prompts, kept = sampler.sample([], "conll2003", random.Random(seed))
        assert 1 <= len(prompts) <= 5 and kept == []


def test_paraphrases():
    sampler = LabelSampler(["person", "disease"], max_types=2, neg_ratio=0.0, paraphrase_prob=1.0)
    seen = {sampler.sample([(0, 0, "person")], "x", random.Random(s))[0][0] for s in range(200)}
    assert seen == set(data.PARAPHRASES["person"])
    never = LabelSampler(["person"], max_types=2, paraphrase_prob=0.0)
    assert never.sample([(0, 0, "person")], "x", random.Random(1))[0] == ["person"]
    # No two labels of one example read the same text.
    sampler = LabelSampler(["company", "organization"], paraphrases={"company": ["firm"], "organization": ["firm"]}, paraphrase_prob=1.0)
    prompts, _ = sampler.sample([(0, 0, "company"), (1, 1, "organization")], "x", random.Random(0))
    assert sorted(prompts) in (["firm", "organization"], ["company", "firm"])


def test_crop_keeps_whole_entities():
    example = Example([f"w{i}" for i in range(20)], [(0, 1, "a"), (5, 6, "b"), (18, 19, "c")])
    for seed in range(30):
        out = data.crop(example, 8, random.Random(seed))
        assert len(out.words) == 8
        for s, e, label in out.spans:
            assert 0 <= s <= e < 8
            original = {"a": (0, 1), "b": (5, 6), "c": (18, 19)}[label]
            assert out.words[s] == f"w{original[0]}" and out.words[e] == f"w{original[1]}"
    assert data.crop(example, 50, random.Random(0)) is example


def test_mix_weights():
    pool = {"a": [Example(["x"], [])] * 100, "b": [Example(["x"], [])] * 25, "c": []}
    weights = data.mix_weights(pool)
    assert weights == pytest.approx({"a": 10 / 15, "b": 5 / 15})
    assert data.mix_weights(pool, {"b": 3.0, "a": 1.0}) == pytest.approx({"a": 0.25, "b": 0.75})


# ------------------------------------------------------------------------------------- the real pool
def test_pool_from_shared_data():
    root = data.data_root()
    if not (root / "ner" / "train").is_dir():
        pytest.skip(f"shared data not found at {root} (set {data.DATA_ENV})")
    pool = data.build_pool(["conll2003", "wnut17", "bc5cdr", "few-tk"], root)
    assert len(pool["conll2003"]) == 14041 and len(pool["wnut17"]) == 3394 and len(pool["bc5cdr"]) == 4560
    labels = {label for x in pool["conll2003"] for _, _, label in x.spans}
    assert labels == {"person", "organization", "location", "miscellaneous"}
    assert {label for x in pool["bc5cdr"] for _, _, label in x.spans} == {"chemical", "disease"}
    assert "algorithm" in data.pool_labels(pool)
    for examples in pool.values():
        for x in examples[:500]:
            assert all(0 <= s <= e < len(x.words) for s, e, _ in x.spans)


def test_negatives_never_share_a_word_with_a_gold_label():
    sampler = LabelSampler(["comedy film", "film", "film director", "person", "river"], max_types=10)
    assert sampler.negatives_for({"drama film"}, "silver") == ["person", "river"]


# ------------------------------------------------------------------------------ fine labels over coarse
def test_fallback_label_is_gold_only_when_no_fine_label_is_offered():
    sampler = LabelSampler(POOL_LABELS + ["politician"], max_types=25, paraphrase_prob=0.0)
    spans = [(0, 1, "politician"), (4, 4, "person")]  # a politician (0-1) and another person (4)
    fallback = [(0, 1, "person")]
    outcomes = set()
    for seed in range(100):
        prompts, kept = sampler.sample(spans, "silver", random.Random(seed), fallback)
        gold = sorted((s, e, prompts[c]) for s, e, c in kept)
        if "politician" in prompts:
            # Both offered: the specific label is the politician's gold; "person" is a negative for that span.
            assert gold == [(0, 1, "politician"), (4, 4, "person")]
            outcomes.add("fine")
        else:
            # Withheld: never a negative; the politician is a person then.
            assert gold == [(0, 1, "person"), (4, 4, "person")]
            outcomes.add("coarse")
        assert "person" in prompts
    assert outcomes == {"fine", "coarse"}


def test_fallback_label_is_offered_as_a_hard_negative():
    sampler = LabelSampler(POOL_LABELS + ["university"], max_types=25, neg_ratio=0.0, paraphrase_prob=0.0)
    for seed in range(40):
        prompts, kept = sampler.sample([(2, 3, "university")], "silver", random.Random(seed), [(2, 3, "organization")])
        if "university" in prompts:
            assert sorted(prompts) == ["organization", "university"]
            assert [(s, e, prompts[c]) for s, e, c in kept] == [(2, 3, "university")]
        else:
            assert prompts == ["organization"] and [(s, e, prompts[c]) for s, e, c in kept] == [(2, 3, "organization")]
    # A fine label that is also gold on a span without fallback is always offered.
    spans = [(0, 0, "university"), (2, 3, "university")]
    for seed in range(20):
        prompts, kept = sampler.sample(spans, "silver", random.Random(seed), [(2, 3, "organization")])
        assert [(s, e, prompts[c]) for s, e, c in kept] == spans and "organization" in prompts
    # Without fallback the stream of random numbers is what it was (runs resume and repeat).
    assert sampler.sample(spans, "x", random.Random(5)) == sampler.sample(spans, "x", random.Random(5), [])


def test_fallback_read_from_gliner_json_and_kept_by_crop_and_renaming(tmp_path):
    line = {"tokenized_text": ["Ann", "Lee", "met", "Bo"], "ner": [[0, 1, "politician"], [3, 3, "PERSON"]], "fallback": [[0, 1, "PERSON"]]}
    path = write(tmp_path, "silver-x.jsonl", json.dumps(line) + "\n")
    (example,) = data.read_gliner_json(path, "silver")
    assert example.fallback == [(0, 1, "PERSON")]
    renamed = data.renamed(example, "silver")
    assert renamed.spans == [(0, 1, "politician"), (3, 3, "person")] and renamed.fallback == [(0, 1, "person")]
    cropped = data.crop(renamed, 3, random.Random(0))
    assert all((s, e) in {(a, b) for a, b, _ in cropped.spans} for s, e, _ in cropped.fallback)
    bad = dict(line, fallback=[[2, 2, "PERSON"]])  # a fallback needs a fine label on the same span
    path = write(tmp_path, "bad.jsonl", json.dumps(bad) + "\n")
    with pytest.raises(DataError, match=r"bad.jsonl:1: every 'fallback' span"):
        data.read_gliner_json(path)


def test_coarse_negative_beside_a_fine_label_is_sampled():
    sampler = LabelSampler(["person", "politician", "disease"], max_types=5, neg_ratio=0.0, paraphrase_prob=0.0, coarse_negative_prob=0.0)
    for seed in range(30):
        prompts, kept = sampler.sample([(0, 1, "politician")], "silver", random.Random(seed), [(0, 1, "person")])
        gold = [(s, e, prompts[c]) for s, e, c in kept]
        assert (prompts, gold) in ((["politician"], [(0, 1, "politician")]), (["person"], [(0, 1, "person")]))
    sampler.coarse_negative_prob = 0.5
    together = sum(
        sorted(sampler.sample([(0, 1, "politician")], "silver", random.Random(seed), [(0, 1, "person")])[0]) == ["person", "politician"]
        for seed in range(400)
    )
    assert 60 < together < 140  # about 400 * fine_prob 0.5 * 0.5


# --------------------------------------------------------------------------- the wide sets (issue 11)
def test_named_bio_gives_natural_names_and_coarse_fallbacks(tmp_path):
    folder = tmp_path / "wide"
    folder.mkdir()
    (folder / "labels.tsv").write_text(
        "# raw tag\tnatural name\tcoarse name\nperson_politician\tpolitician\tperson\norganization_other\torganization\t\n",
        encoding="utf-8",
    )
    (folder / "train.bio").write_text(
        "Merkel\tB-person_politician\nleads\tO\nthe\tO\nCDU\tB-organization_other\nparty\tI-organization_other\n",
        encoding="utf-8",
    )
    table = data.read_label_table(folder / "labels.tsv")
    assert table == {"person_politician": ("politician", "person"), "organization_other": ("organization", None)}
    (x,) = data.read_named_bio(folder / "train.bio", table, "wide")
    assert x.spans == [(0, 0, "politician"), (3, 4, "organization")]
    assert x.fallback == [(0, 0, "person")] and x.source == "wide"
    (folder / "train.bio").write_text("Merkel\tB-unknown_tag\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="'unknown_tag' is not in the set's labels.tsv"):
        data.read_named_bio(folder / "train.bio", table)
    (folder / "bad.tsv").write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="bad.tsv:1"):
        data.read_label_table(folder / "bad.tsv")


def test_joined_examples_shift_spans_and_fallbacks():
    a = Example(["Anna", "left", "."], [(0, 0, "person")], "s")
    b = Example(["Omar", "Rossi", "came", "."], [(0, 1, "politician")], "s", [(0, 1, "person")])
    j = data.joined([a, b])
    assert j.words == ["Anna", "left", ".", "Omar", "Rossi", "came", "."]
    assert j.spans == [(0, 0, "person"), (3, 4, "politician")] and j.fallback == [(3, 4, "person")]
    assert data.joined([a]) == a


def test_label_parents_and_source_label_sets():
    pool = {
        "wide": [Example(["a", "b"], [(0, 0, "politician"), (1, 1, "film")], "wide", [(0, 0, "person"), (1, 1, "creative work")])],
        "conll": [Example(["c"], [(0, 0, "person")], "conll")],
    }
    assert data.label_parents(pool) == {"politician": "person", "film": "creative work"}
    assert data.source_label_sets(pool) == {"wide": {"politician", "film", "person", "creative work"}, "conll": {"person"}}


def test_negatives_are_drawn_per_source():
    """Another set's fine type of a label this set annotates is never its negative; its own types are."""
    labels = ["person", "politician", "athlete", "disease", "film", "organization", "political party"]
    sampler = LabelSampler(
        labels, max_types=10, paraphrase_prob=0.0,
        source_labels={"conll": {"person", "organization"}, "wide": {"politician", "athlete", "person", "film"}},
        parents={"politician": "person", "athlete": "person", "political party": "organization"},
    )  # fmt: skip
    conll = sampler.negatives_for({"person"}, "conll")
    assert "politician" not in conll and "athlete" not in conll and "political party" not in conll
    assert "disease" in conll and "film" in conll
    wide = sampler.negatives_for({"politician"}, "wide")
    assert "athlete" in wide  # the set's own sibling type: annotated, so a true negative
    assert "political party" in wide and "organization" in wide  # "wide" annotates no organization at all
    # A source without a label set draws from every label (the rule before this change).
    assert "politician" in sampler.negatives_for({"disease"}, "elsewhere")
    for seed in range(40):
        prompts, _ = sampler.sample([(0, 0, "person")], "conll", random.Random(seed))
        assert not {"politician", "athlete", "political party"} & set(prompts)


def test_content_words_ignore_function_words():
    assert data.content_words("city, town or village") == {"city", "town", "village"}
    sampler = LabelSampler(["country, city or state", "nationality or group", "body of water"], max_types=5)
    assert sampler.negatives_for({"city, town or village"}, "silver") == ["nationality or group", "body of water"]


def test_open_sets_exclude_research_only_data():
    assert set(data.OPEN_SETS) == {"wnut17", "bc5cdr", "ncbi-disease", "gliner-sample", "few-nerd", "multiconer2-en",
                                   "bionlp13cg", "anatem"}  # fmt: skip
    assert set(data.SET_LICENCES) == set(data.TRAIN_SETS)


def test_wide_sets_from_shared_data():
    root = data.data_root()
    if not (root / "ner" / "train" / "few-nerd").is_dir():
        pytest.skip(f"shared data not found at {root} (set {data.DATA_ENV})")
    pool = data.build_pool(["few-nerd", "multiconer2-en"], root)
    assert len(pool["few-nerd"]) == 37395 and len(pool["multiconer2-en"]) == 17535
    parents = data.label_parents(pool)
    assert parents["politician"] == "person" and parents["political party"] == "organization"
    for examples in pool.values():
        for x in examples[:300]:
            assert all(0 <= s <= e < len(x.words) for s, e, _ in x.spans + x.fallback)
