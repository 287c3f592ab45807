"""NER data for training and evaluation: readers, the training pool, label names and negative labels.

Every reader returns a common type: `Example` (words and end-inclusive word spans with labels) for
training, `EvalExample` (the original sentence and character offsets) for evaluation. Formats:

* GLiNER training JSON: `[{"tokenized_text": [...], "ner": [[start, end_inclusive, label], ...]}]`
  (a JSON array, or one object per line in a `.jsonl` file);
* GLiNER eval JSON: `[{"sentence": str, "entities": [{"name", "type", "pos": [start, end_exclusive]}]}]`;
* `token<TAB>BIO` files (CoNLL style; a blank or whitespace-only line ends a sentence);
* `token<TAB>type` IO files (no B-/I- prefixes; "O" outside; equal neighbouring types form one entity).

A malformed entry is a `DataError` that names the file and the line.

The training pool (`build_pool`) reads the sets of `../shared/data/ner/train`, renames their labels to
natural-language names (conll "else" -> "miscellaneous", BC5CDR "Chemical" -> "chemical", Few-TK's
"AI/ML/DL-algorithm/tool" -> "algorithm", ...), and keeps the source of each example. `sample_labels`
draws, per example, the gold labels plus negative labels from the other labels of the pool, paraphrases
them (person / human / person name), shuffles and caps them.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .processing import split_words

DATA_ENV = "DOCLINKS_DATA"


class DataError(ValueError):
    """A data file that cannot be read; the message names the file and the line."""


@dataclass
class Example:
    """A training example: words, and entities as (first word, last word inclusive, label).

    `fallback` holds coarse labels of spans that `spans` types more finely ("person" beside "politician"):
    one is gold only in a label set that offers none of its span's fine labels, as annotators of a set
    offering both pick the specific one (CrossNER: politician, and person for the other people).
    """

    words: list[str]
    spans: list[tuple[int, int, str]]
    source: str = ""
    fallback: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class EvalExample:
    """An evaluation sentence and its entities as (char start, char end exclusive, label)."""

    text: str
    entities: list[tuple[int, int, str]]


# ------------------------------------------------------------------------------------------- locations
def repo_root() -> Path:
    """The project root when running from a checkout (the folder holding pyproject.toml), else the cwd."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def data_root() -> Path:
    """The shared data folder: $DOCLINKS_DATA, else `../shared/data` relative to the project root."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return (repo_root() / ".." / "shared" / "data").resolve()


def cache_dir() -> Path:
    """Where derived data (the silver set) is cached: $DOCLINKS_CACHE, else ~/.cache/doclinks."""
    return Path(os.environ.get("DOCLINKS_CACHE", Path.home() / ".cache" / "doclinks")).expanduser()


# --------------------------------------------------------------------------------------------- readers
def _check_spans(path, line, spans, n_words) -> list[tuple[int, int, str]]:
    out = []
    if not isinstance(spans, list):
        raise DataError(f"{path}:{line}: 'ner' must be a list of [start, end, label]")
    for span in spans:
        if not (isinstance(span, (list, tuple)) and len(span) == 3):
            raise DataError(f"{path}:{line}: entity {span!r} is not [start, end, label]")
        start, end, label = span
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
            raise DataError(f"{path}:{line}: entity {span!r}: start and end must be integers")
        if not isinstance(label, str) or not label.strip():
            raise DataError(f"{path}:{line}: entity {span!r}: the label must be a non-empty string")
        if not 0 <= start <= end < n_words:
            raise DataError(f"{path}:{line}: entity {span!r} is outside the {n_words} words (end is inclusive)")
        out.append((start, end, label))
    return out


def _iter_json_items(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, item) of a JSON array file, or of a JSON-lines file (`.jsonl`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc})") from exc
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        return
    decoder = json.JSONDecoder()
    ws = re.compile(r"\s*")

    def skip(pos: int) -> int:
        return ws.match(text, pos).end()

    def line_at(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    pos = skip(0)
    if not text.startswith("[", pos):
        raise DataError(f"{path}:{line_at(pos)}: expected a JSON array of examples")
    pos = skip(pos + 1)
    line, counted = 1, 0
    if text.startswith("]", pos):
        return
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
        yield line, item
        pos = skip(end)
        if text.startswith(",", pos):
            pos = skip(pos + 1)
        elif text.startswith("]", pos):
            if skip(pos + 1) != len(text):
                raise DataError(f"{path}:{line_at(pos + 1)}: unexpected text after the JSON array")
            return
        else:
            raise DataError(f"{path}:{line_at(pos)}: expected ',' or ']' after an example")


def read_gliner_json(path: str | os.PathLike, source: str = "") -> list[Example]:
    """Read GLiNER training JSON (`tokenized_text` + end-inclusive word spans in `ner`)."""
    path = Path(path)
    out = []
    for line, item in _iter_json_items(path):
        if not isinstance(item, dict) or "tokenized_text" not in item:
            raise DataError(f"{path}:{line}: expected an object with 'tokenized_text' and 'ner'")
        words = item["tokenized_text"]
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise DataError(f"{path}:{line}: 'tokenized_text' must be a list of non-empty strings")
        if not words:
            raise DataError(f"{path}:{line}: 'tokenized_text' is empty")
        spans = _check_spans(path, line, item.get("ner", []), len(words))
        fallback = _check_spans(path, line, item.get("fallback", []), len(words))
        fine = {(s, e) for s, e, _ in spans}
        if any((s, e) not in fine for s, e, _ in fallback):
            raise DataError(f"{path}:{line}: every 'fallback' span needs a label of the same span in 'ner'")
        out.append(Example(list(words), spans, source, fallback))
    return out


def read_eval_json(path: str | os.PathLike) -> list[EvalExample]:
    """Read GLiNER eval JSON (`sentence` + entities with character `pos`, end exclusive)."""
    path = Path(path)
    out = []
    for line, item in _iter_json_items(path):
        if not isinstance(item, dict) or not isinstance(item.get("sentence"), str):
            raise DataError(f"{path}:{line}: expected an object with a 'sentence' string")
        text = item["sentence"]
        entities = item.get("entities", [])
        if not isinstance(entities, list):
            raise DataError(f"{path}:{line}: 'entities' must be a list")
        ents = []
        for ent in entities:
            pos = ent.get("pos") if isinstance(ent, dict) else None
            label = ent.get("type") if isinstance(ent, dict) else None
            if not (isinstance(pos, (list, tuple)) and len(pos) == 2 and all(isinstance(p, int) for p in pos)):
                raise DataError(f"{path}:{line}: entity {ent!r} needs 'pos': [start, end]")
            if not isinstance(label, str) or not label.strip():
                raise DataError(f"{path}:{line}: entity {ent!r} needs a non-empty 'type'")
            start, end = pos
            if not 0 <= start < end <= len(text):
                raise DataError(f"{path}:{line}: entity {ent!r}: pos is outside the sentence ({len(text)} chars)")
            ents.append((start, end, label))
        out.append(EvalExample(text, ents))
    return out


def _iter_token_lines(path: Path) -> Iterator[list[tuple[int, str, str]]]:
    """Sentences of a `token<TAB>tag` file as [(line number, token, tag)]."""
    sentence: list[tuple[int, str, str]] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from exc
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    if sentence:
                        yield sentence
                        sentence = []
                    continue
                if line.startswith("-DOCSTART-"):
                    continue
                parts = line.split("\t")
                if len(parts) != 2 or not parts[0] or not parts[1]:
                    raise DataError(f"{path}:{number}: expected 'token<TAB>tag', got {line!r}")
                sentence.append((number, parts[0], parts[1].strip()))
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc})") from exc
    if sentence:
        yield sentence


BIO_TAG = re.compile(r"^(?:O|([BI])-(\S.*))$")


def read_bio(path: str | os.PathLike, source: str = "") -> list[Example]:
    """Read a `token<TAB>BIO` file. An I- tag that does not continue an entity of its type starts one."""
    path = Path(path)
    out = []
    for sentence in _iter_token_lines(path):
        words, spans = [], []
        current: list | None = None  # [start, end, type]
        for i, (number, token, tag) in enumerate(sentence):
            match = BIO_TAG.match(tag)
            if not match:
                raise DataError(f"{path}:{number}: bad BIO tag {tag!r} (expected O, B-type or I-type)")
            words.append(token)
            prefix, kind = match.groups()
            if prefix == "I" and current is not None and current[2] == kind and current[1] == i - 1:
                current[1] = i
                continue
            if current is not None:
                spans.append(tuple(current))
                current = None
            if prefix is not None:
                current = [i, i, kind]
        if current is not None:
            spans.append(tuple(current))
        out.append(Example(words, spans, source))
    return out


def read_io(path: str | os.PathLike, source: str = "") -> list[Example]:
    """Read a `token<TAB>type` IO file: "O" is outside, neighbouring words of one type form one entity."""
    path = Path(path)
    out = []
    for sentence in _iter_token_lines(path):
        words, spans = [], []
        for i, (number, token, tag) in enumerate(sentence):
            if tag != "O" and re.match(r"^[BI]-", tag):
                raise DataError(f"{path}:{number}: {tag!r} looks like a BIO tag in an IO file")
            words.append(token)
            if tag == "O":
                continue
            if spans and spans[-1][2] == tag and spans[-1][1] == i - 1:
                spans[-1] = (spans[-1][0], i, tag)
            else:
                spans.append((i, i, tag))
        out.append(Example(words, spans, source))
    return out


def read_labels(path: str | os.PathLike) -> list[str]:
    """A `labels.json` (list of names) or a text file with one label a line ("O" skipped)."""
    path = Path(path)
    if path.suffix == ".json":
        try:
            labels = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
            raise DataError(f"{path}:1: expected a JSON list of label names")
        return labels
    return [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and x.strip() != "O"]


def read_label_table(path: str | os.PathLike) -> dict[str, tuple[str, str | None]]:
    """A `labels.tsv` of the wide sets: raw tag -> (natural name, coarse name or None); '#' lines skipped."""
    path = Path(path)
    table: dict[str, tuple[str, str | None]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) not in (2, 3) or not parts[0].strip() or not parts[1].strip():
            raise DataError(f"{path}:{number}: expected 'raw tag<TAB>name<TAB>coarse name', got {raw!r}")
        coarse = parts[2].strip() if len(parts) == 3 and parts[2].strip() else None
        table[parts[0].strip()] = (parts[1].strip(), coarse)
    return table


def read_named_bio(path: str | os.PathLike, table: dict[str, tuple[str, str | None]], source: str = "") -> list[Example]:
    """A BIO file whose raw tags `table` names: each span gets its natural name, and its coarse name (if
    any) as a fallback on the same span. A tag missing from the table is a `DataError`."""
    out = []
    for example in read_bio(path, source):
        spans, fallback = [], []
        for s, e, tag in example.spans:
            if tag not in table:
                raise DataError(f"{path}: tag {tag!r} is not in the set's labels.tsv")
            name, coarse = table[tag]
            spans.append((s, e, name))
            if coarse is not None and coarse != name:
                fallback.append((s, e, coarse))
        out.append(Example(example.words, spans, source, fallback))
    return out


def joined(examples: Sequence[Example]) -> Example:
    """Consecutive examples as one: words concatenated, spans and fallbacks shifted (multi-sentence crops)."""
    words: list[str] = []
    spans: list[tuple[int, int, str]] = []
    fallback: list[tuple[int, int, str]] = []
    for x in examples:
        offset = len(words)
        words.extend(x.words)
        spans.extend((s + offset, e + offset, label) for s, e, label in x.spans)
        fallback.extend((s + offset, e + offset, label) for s, e, label in x.fallback)
    return Example(words, spans, examples[0].source if examples else "", fallback)


# ------------------------------------------------------------------------------------------ conversions
def eval_to_example(example: EvalExample, source: str = "") -> tuple[Example, int]:
    """Words (the model's whitespace splitter) and word spans of an eval example; also the number of
    entities dropped because their edges fall inside a word."""
    words, starts, ends = split_words(example.text)
    start_of = {s: i for i, s in enumerate(starts)}
    end_of = {e: i for i, e in enumerate(ends)}
    spans, dropped = [], 0
    for start, end, label in example.entities:
        if start in start_of and end in end_of and start_of[start] <= end_of[end]:
            spans.append((start_of[start], end_of[end], label))
        else:
            dropped += 1
    return Example(words, spans, source), dropped


def example_to_eval(example: Example) -> EvalExample:
    """The sentence of an example (words joined by single spaces) and character spans of its entities."""
    starts, pos = [], 0
    for word in example.words:
        starts.append(pos)
        pos += len(word) + 1
    text = " ".join(example.words)
    entities = [(starts[s], starts[e] + len(example.words[e]), label) for s, e, label in example.spans]
    return EvalExample(text, entities)


# ------------------------------------------------------------------------------------------ label names
# Few-TK types are "<domain>-<kind>"; the kind decides the name (the domain is too fine to learn here).
FEW_TK_KINDS = {
    "focus": "task",
    "technique": "technique",
    "algorithm/tool": "algorithm",
    "domain": "field",
    "dataset": "dataset",
    "metrics": "metric",
}
FEW_TK_SPECIAL = {"URL-material": "url", "Numerical-result": "numerical result", "Application-domain": "application area"}

# OntoNotes types (spaCy silver labels) -> names.
ONTONOTES = {
    "PERSON": "person",
    "NORP": "nationality or group",
    "FAC": "facility",
    "ORG": "organization",
    "GPE": "city or state",  # countries are told apart by name in the silver builder
    "LOC": "location",
    "PRODUCT": "product",
    "EVENT": "event",
    "WORK_OF_ART": "creative work",
    "LAW": "law",
    "LANGUAGE": "language",
    "DATE": "date",
    "TIME": "time",
    "PERCENT": "percentage",
    "MONEY": "money",
    "QUANTITY": "quantity",
    "ORDINAL": "ordinal number",
    "CARDINAL": "number",
}

SET_LABELS = {
    "conll2003": {"else": "miscellaneous"},
    "wnut17": {"corporation": "company", "creative-work": "creative work"},
    "bc5cdr": {"Chemical": "chemical", "Disease": "disease"},
    "ncbi-disease": {"Disease": "disease"},
}


def normalize_label(label: str, source: str = "") -> str | None:
    """The natural-language name of a data set's label; None drops the label (too vague to learn)."""
    if source in SET_LABELS and label in SET_LABELS[source]:
        return SET_LABELS[source][label]
    if source == "few-tk":
        if label in FEW_TK_SPECIAL:
            return FEW_TK_SPECIAL[label]
        kind = label.split("-", 1)[1] if "-" in label else label
        return FEW_TK_KINDS.get(kind)
    if label in ONTONOTES:
        return ONTONOTES[label]
    name = label.replace("_", " ").strip().lower()
    return name or None


# Paraphrases: the model reads one of these instead of the canonical name, so that it learns the meaning.
PARAPHRASES: dict[str, list[str]] = {
    "person": ["human", "person name", "people name", "individual", "name of a person"],
    "organization": ["organisation", "company or institution", "organization name", "institution"],
    "location": ["place", "geographic location", "place name", "geographical location"],
    "miscellaneous": ["misc", "else", "other entity", "miscellaneous entity"],
    "company": ["corporation", "business", "firm", "company name"],
    "product": ["commercial product", "product name", "brand or product"],
    "creative work": ["work of art", "title of a work", "artwork", "creative work title"],
    "group": ["band or team", "collective", "group name"],
    "chemical": ["chemical compound", "drug", "chemical substance", "medication"],
    "disease": ["illness", "medical condition", "disorder", "disease name"],
    "algorithm": ["method", "machine learning method", "model or algorithm"],
    "task": ["research task", "problem", "research problem"],
    "field": ["research field", "scientific field", "area of study", "research area"],
    "metric": ["metrics", "evaluation metric", "measure", "score metric"],
    "dataset": ["data set", "corpus", "benchmark dataset"],
    "technique": ["model name", "proposed method", "system name"],
    "url": ["web address", "link", "website"],
    "numerical result": ["score", "result value"],
    "application area": ["application domain", "application"],
    "nationality or group": ["nationality", "nationality, religious or political group", "ethnic or political group"],
    "facility": ["building", "infrastructure", "venue or building"],
    "city or state": ["city", "geopolitical entity", "city, state or region", "state or province"],
    "country": ["nation", "country name", "state (country)"],
    "event": ["happening", "named event", "occasion"],
    "law": ["legal document", "act or treaty", "legislation"],
    "language": ["human language", "spoken language"],
    "date": ["day or year", "point in time", "year"],
    "time": ["time of day", "hour"],
    "percentage": ["percent"],
    "money": ["monetary amount", "amount of money", "price"],
    "quantity": ["measurement", "amount"],
    "ordinal number": ["ordinal", "rank"],
    "number": ["cardinal number", "count"],
    # names of the wide sets (Few-NERD, MultiCoNER II, BioNLP13CG, AnatEM)
    "politician": ["political figure", "statesman or politician", "politician name", "elected official"],
    "athlete": ["sportsperson", "sports player", "athlete name"],
    "artist or author": ["artist", "author or artist", "creator of a work"],
    "artist": ["artist name", "performer or artist"],
    "actor": ["actress or actor", "film actor", "performer"],
    "director": ["film director", "director name"],
    "scientist": ["researcher", "scholar", "scientist name"],
    "soldier": ["military person", "military officer"],
    "cleric": ["religious leader", "priest or bishop"],
    "sports manager": ["coach", "team manager"],
    "political party": ["party", "political organization"],
    "sports team": ["team", "club", "sports club"],
    "sports league": ["league", "competition league"],
    "educational institution": ["university or school", "school", "academic institution"],
    "government agency": ["government body", "public agency", "government organization"],
    "media organization": ["newspaper or broadcaster", "news organization", "media company"],
    "musical group": ["band", "music group", "musical ensemble"],
    "public company": ["listed company", "corporation"],
    "private company": ["privately held company", "firm"],
    "car manufacturer": ["automaker", "car maker"],
    "aerospace manufacturer": ["aircraft maker", "aerospace company"],
    "country, city or state": ["country or city", "geopolitical entity", "city, country or region"],
    "city, town or village": ["settlement", "town", "human settlement"],
    "road, railway or transit line": ["road", "railway line", "transport route"],
    "body of water": ["lake, river or sea", "water body", "river or lake"],
    "mountain": ["mountain or peak", "peak"],
    "island": ["island name", "isle"],
    "station": ["railway station", "train station", "transit station"],
    "written work": ["book", "literary work", "written publication"],
    "musical work": ["song or album", "piece of music", "music title"],
    "film": ["movie", "film title", "motion picture"],
    "broadcast program": ["television show", "tv or radio program", "tv series"],
    "visual work": ["film or tv show", "visual media", "movie or television work"],
    "artwork": ["work of visual art", "painting or sculpture"],
    "software": ["computer program", "application software", "software product"],
    "car": ["automobile", "car model", "vehicle model"],
    "aircraft": ["airplane", "aeroplane", "plane model"],
    "ship": ["vessel", "boat", "ship name"],
    "weapon": ["arms", "weapon name", "armament"],
    "vehicle": ["means of transport", "vehicle model"],
    "food": ["dish", "food item", "meal or ingredient"],
    "drink": ["beverage", "drink name"],
    "clothing": ["garment", "apparel", "item of clothing"],
    "sports event": ["sports competition", "tournament", "match or tournament"],
    "military conflict": ["war or battle", "war", "battle"],
    "election": ["elections", "vote", "electoral event"],
    "disaster": ["natural disaster", "catastrophe", "accident or disaster"],
    "protest": ["demonstration", "protest movement"],
    "award": ["prize", "honour", "award name"],
    "educational degree": ["academic degree", "degree"],
    "god": ["deity", "divinity"],
    "living thing": ["animal or plant", "organism name", "species"],
    "biological entity": ["biological thing", "biomolecule"],
    "astronomical object": ["celestial body", "planet or star"],
    "medical term": ["medical concept", "medical entity"],
    "hospital": ["medical centre", "clinic"],
    "theater": ["theatre", "playhouse"],
    "sports facility": ["stadium", "arena", "sports venue"],
    "airport": ["airfield", "airport name"],
    "hotel": ["inn", "hotel name"],
    "restaurant": ["eatery", "restaurant name", "diner"],
    "medication or vaccine": ["medicine", "drug or vaccine", "medication"],
    "medical procedure": ["treatment", "surgery or therapy", "clinical procedure"],
    "symptom": ["clinical sign", "medical symptom"],
    "anatomical structure": ["body part", "anatomy", "part of the body"],
    "gene or gene product": ["gene", "protein", "gene or protein"],
    "cell": ["cell type", "cell line"],
    "cancer": ["tumour", "tumor", "malignancy"],
    "organism": ["species", "living organism"],
    "organ": ["body organ", "internal organ"],
    "tissue": ["body tissue", "biological tissue"],
}

# Canonical names too close to be told apart: never a negative of one another.
RELATED = [
    {"organization", "company", "group", "facility", "nationality or group"},
    {"location", "city or state", "country", "facility"},
    {"creative work", "product", "miscellaneous", "event", "law"},
    {"algorithm", "technique", "task", "field", "application area", "dataset", "metric"},
    {"chemical", "disease"},
    # Across sets these name the same things; fine types of one set (politician, athlete) stay apart.
    {"chemical", "medication or vaccine", "amino acid"},
    {"disease", "cancer", "medical term", "symptom"},
    {"location", "country, city or state", "city, town or village", "city or state", "country"},
    {"company", "public company", "private company"},
    {"date", "time", "number", "quantity", "percentage", "money", "ordinal number", "numerical result"},
]
# Kinds that most sets leave unannotated although their texts are full of them: no negatives of these
# for examples of sets that do not annotate them.
UNANNOTATED_IN_GOLD = {"date", "time", "number", "quantity", "percentage", "money", "ordinal number"}
SILVER_SOURCES = ("silver",)


FUNCTION_WORDS = {"or", "and", "of", "a", "an", "the", "in", "on", "for", "to"}


def content_words(label: str) -> set[str]:
    """The words of a label name that carry meaning ("city, town or village" -> city, town, village)."""
    return {w for w in re.findall(r"\w+", label.lower()) if w not in FUNCTION_WORDS}


def related_labels(label: str) -> set[str]:
    """The label and every label of a `RELATED` group it belongs to."""
    out = {label}
    for group in RELATED:
        if label in group:
            out |= group
    return out


@dataclass
class LabelSampler:
    """Per-example label sets: gold labels, negatives from the pool, paraphrases, shuffled and capped.

    `labels` are the canonical names of the pool. `fine_prob` is the chance that a fine label with a
    coarse fallback is offered, `coarse_negative_prob` that its coarse label is then offered too (see
    `resolve`). `neg_ratio` scales the negatives: an example with `g`
    gold labels gets a uniform number of negatives in [0, round(neg_ratio * (max_types - g))] (at least
    one for an example without entities). `paraphrase_prob` is the chance that a label is read under a
    paraphrase rather than its canonical name.

    `source_labels` (source -> the labels that source annotates) and `parents` (fine label -> its coarse
    label) make negatives per source: a label of another source is a negative only when neither it nor
    its coarse label is related to a label of the example's own source, because that source did not
    annotate it (another set's "politician" is never a negative for a CoNLL "person" span). A source
    missing from `source_labels` draws from every label, as before.
    """

    labels: list[str]
    max_types: int = 25
    neg_ratio: float = 1.0
    paraphrase_prob: float = 0.5
    paraphrases: dict[str, list[str]] = field(default_factory=lambda: PARAPHRASES)
    fine_prob: float = 0.5
    coarse_negative_prob: float = 1.0
    source_labels: dict[str, set[str]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    _allowed: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def family(self, labels: set[str] | Sequence[str]) -> set[str]:
        """The labels, their coarse labels, and every label related to either."""
        out: set[str] = set()
        for label in labels:
            out |= related_labels(label)
            if label in self.parents:
                out |= related_labels(self.parents[label])
        return out

    def allowed_for(self, source: str) -> list[str]:
        """The pool labels a `source` may read as negatives (cached per source)."""
        cache = self._allowed
        if source not in cache:
            own = self.source_labels.get(source)
            if own is None:
                cache[source] = list(self.labels)
            else:
                own_family = self.family(own)
                cache[source] = [x for x in self.labels if x in own or not (self.family([x]) & own_family)]
        return cache[source]

    def surface(self, label: str, rng: random.Random) -> str:
        options = self.paraphrases.get(label)
        if options and rng.random() < self.paraphrase_prob:
            return rng.choice(options)
        return label

    def negatives_for(self, gold: set[str], source: str, withheld: set[str] = frozenset()) -> list[str]:
        blocked = set(withheld)
        for label in gold:
            blocked |= related_labels(label)
        # A label sharing a word with a gold one is too close to be a safe negative (drama film / film).
        gold_words = {w for label in gold for w in content_words(label)}
        silver = source in SILVER_SOURCES
        return [
            x
            for x in self.allowed_for(source)
            if x not in blocked and not gold_words.intersection(content_words(x)) and (silver or x not in UNANNOTATED_IN_GOLD)
        ]

    def resolve(
        self, spans: Sequence[tuple[int, int, str]], fallback: Sequence[tuple[int, int, str]], rng: random.Random
    ) -> tuple[list[tuple[int, int, str]], set[str], set[str]]:
        """(gold spans, withheld labels, hard negatives) of an example with coarse `fallback` labels.

        Each fine label found only on spans with a fallback is offered with probability `fine_prob`; a
        span keeps its fine labels when one is offered, and its fallback label is then offered too, as a
        negative for that span; otherwise the fallback label is the span's gold. Withheld labels are never
        negatives (they would be false ones). The coarse label beside an offered fine one is offered with
        probability `coarse_negative_prob` (else the fine label is also read without its contrast)."""
        if not fallback:
            return list(spans), set(), set()
        at_fallback = {(s, e) for s, e, _ in fallback}
        elsewhere = {label for s, e, label in spans if (s, e) not in at_fallback}
        optional = sorted({label for s, e, label in spans if (s, e) in at_fallback} - elsewhere)
        withheld = {label for label in optional if rng.random() >= self.fine_prob}
        gold = [x for x in spans if x[2] not in withheld]
        typed = {(s, e) for s, e, _ in gold}
        hard = set()
        for s, e, label in fallback:
            if (s, e) in typed:
                if self.coarse_negative_prob >= 1 or rng.random() < self.coarse_negative_prob:
                    hard.add(label)
            else:
                gold.append((s, e, label))
        return gold, withheld, hard - {label for _, _, label in gold}

    def sample(
        self,
        spans: Sequence[tuple[int, int, str]],
        source: str,
        rng: random.Random,
        fallback: Sequence[tuple[int, int, str]] = (),
    ) -> tuple[list[str], list[tuple[int, int, int]]]:
        """(prompts, spans as (start, end, prompt index)) for one example.

        When more gold labels than `max_types` exist, the spans of the labels left out are dropped.
        `fallback`: coarse labels of finely typed spans (see `Example` and `resolve`).
        """
        spans, withheld, hard = self.resolve(spans, fallback, rng)
        gold = list(dict.fromkeys(label for _, _, label in spans))
        rng.shuffle(gold)
        gold = gold[: self.max_types]
        hard_negatives = sorted(hard)[: self.max_types - len(gold)]
        room = self.max_types - len(gold) - len(hard_negatives)
        pool = [x for x in self.negatives_for(set(gold), source, withheld) if x not in hard]
        most = min(len(pool), round(self.neg_ratio * room))
        least = 1 if not gold and most > 0 else 0
        count = rng.randint(least, most) if most >= least else 0
        negatives = rng.sample(pool, count)
        chosen = gold + hard_negatives + negatives
        rng.shuffle(chosen)
        prompts, seen = [], set()
        for label in chosen:
            text = self.surface(label, rng)
            if text in seen:
                text = label
            seen.add(text)
            prompts.append(text)
        index = {label: i for i, label in enumerate(chosen)}
        kept = [(s, e, index[label]) for s, e, label in spans if label in index]
        return prompts, kept


# --------------------------------------------------------------------------------------- training pool
# name -> (relative path, reader)
TRAIN_SETS = {
    "conll2003": ("ner/train/conll2003/train.json", "eval_json"),
    "wnut17": ("ner/train/wnut17/wnut17train.conll", "bio"),
    "bc5cdr": ("ner/train/bc5cdr/train.tsv", "bio"),
    "ncbi-disease": ("ner/train/ncbi-disease/train.tsv", "bio"),
    "few-tk": ("ner/train/few-tk/train.txt", "io"),
    "gliner-sample": ("ner/train/gliner-sample/sample_data.json", "gliner_json"),
    # The wide sets: BIO files whose labels.tsv names each raw tag and its coarse label (the fallback).
    "few-nerd": ("ner/train/few-nerd/train.bio", "named_bio"),
    "multiconer2-en": ("ner/train/multiconer2-en/train.bio", "named_bio"),
    "bionlp13cg": ("ner/train/bionlp13cg/train.bio", "named_bio"),
    "anatem": ("ner/train/anatem/train.bio", "named_bio"),
    "fabner": ("ner/train/fabner/train.bio", "named_bio"),
    "tweetner7": ("ner/train/tweetner7/train.bio", "named_bio"),
}

# Licence of each set (the data README). A model anyone may use is trained only on OPEN_SETS.
SET_LICENCES = {
    "conll2003": "research use only (Reuters)",
    "wnut17": "CC BY 4.0",
    "bc5cdr": "CC BY 4.0",
    "ncbi-disease": "CC BY 4.0",
    "few-tk": "none stated: research use",
    "gliner-sample": "Apache-2.0",
    "few-nerd": "CC BY-SA 4.0",
    "multiconer2-en": "CC BY 4.0",
    "bionlp13cg": "CC BY 4.0",
    "anatem": "CC BY-SA 3.0",
    "fabner": "research use (none stated)",
    "tweetner7": "research use (Twitter terms)",
}
OPEN_SETS = tuple(name for name, licence in SET_LICENCES.items() if not licence.startswith(("research", "none")))


def read_train_set(name: str, root: str | os.PathLike | None = None) -> list[Example]:
    """One set of the training pool, labels renamed (see `normalize_label`), entity-less labels dropped."""
    if name not in TRAIN_SETS:
        raise DataError(f"unknown training set {name!r}; known: {', '.join(TRAIN_SETS)}")
    root = Path(root) if root is not None else data_root()
    rel, kind = TRAIN_SETS[name]
    path = root / rel
    if not path.is_file():
        raise DataError(f"{path}: training set {name!r} not found (set {DATA_ENV} to the shared data folder)")
    if kind == "eval_json":
        examples = [eval_to_example(x, name)[0] for x in read_eval_json(path)]
    elif kind == "bio":
        examples = read_bio(path, name)
    elif kind == "io":
        examples = read_io(path, name)
    elif kind == "named_bio":
        examples = read_named_bio(path, read_label_table(path.parent / "labels.tsv"), name)
    else:
        examples = read_gliner_json(path, name)
    return [renamed(x, name) for x in examples]


def renamed(example: Example, source: str) -> Example:
    def rename(spans):
        return [(s, e, name) for s, e, label in spans if (name := normalize_label(label, source)) is not None]

    return Example(example.words, rename(example.spans), source, rename(example.fallback))


def build_pool(
    sets: Sequence[str] = tuple(TRAIN_SETS),
    root: str | os.PathLike | None = None,
    extra: Sequence[str | os.PathLike] = (),
) -> dict[str, list[Example]]:
    """The training pool by source: the named sets of the shared data, plus GLiNER training JSON(L)
    files in `extra` (e.g. the silver set; source "silver" when the file name contains it)."""
    pool = {name: read_train_set(name, root) for name in sets}
    for path in extra:
        path = Path(path)
        source = "silver" if "silver" in path.name else path.stem  # silver-2wiki(-typed).jsonl
        pool[source] = [renamed(x, source) for x in read_gliner_json(path, source)]
    return pool


def pool_labels(pool: dict[str, list[Example]], min_count: int = 20) -> list[str]:
    """Every canonical label of the pool that names at least `min_count` entities, sorted (rarer ones are
    the one-off labels of small sets, too noisy to serve as negatives)."""
    counts: dict[str, int] = {}
    for examples in pool.values():
        for x in examples:
            for _, _, label in x.spans + x.fallback:
                counts[label] = counts.get(label, 0) + 1
    return sorted(label for label, n in counts.items() if n >= min_count)


def source_label_sets(pool: dict[str, list[Example]]) -> dict[str, set[str]]:
    """The labels each source annotates (its spans' and fallbacks' labels)."""
    return {
        name: {label for x in examples for _, _, label in x.spans + x.fallback} for name, examples in pool.items()
    }


def label_parents(pool: dict[str, list[Example]]) -> dict[str, str]:
    """Fine label -> its coarse label, as the fallbacks of the pool give it (the most frequent one)."""
    counts: dict[str, dict[str, int]] = {}
    for examples in pool.values():
        for x in examples:
            if not x.fallback:
                continue
            coarse_at = {(s, e): label for s, e, label in x.fallback}
            for s, e, label in x.spans:
                coarse = coarse_at.get((s, e))
                if coarse is not None and coarse != label:
                    seen = counts.setdefault(label, {})
                    seen[coarse] = seen.get(coarse, 0) + 1
    return {label: max(sorted(seen), key=seen.get) for label, seen in counts.items()}


def crop(example: Example, max_words: int, rng: random.Random) -> Example:
    """A random window of at most `max_words` words; entities cut by the window are dropped."""
    n = len(example.words)
    if n <= max_words:
        return example
    start = rng.randint(0, n - max_words)
    end = start + max_words
    def window(spans):
        return [(s - start, e - start, label) for s, e, label in spans if s >= start and e < end]

    return Example(example.words[start:end], window(example.spans), example.source, window(example.fallback))


def mix_weights(pool: dict[str, list[Example]], weights: dict[str, float] | None = None, temperature: float = 0.5) -> dict[str, float]:
    """Sampling probability of each source: `weights` where given, else size ** temperature, normalised."""
    raw = {}
    for name, examples in pool.items():
        if not examples:
            continue
        if weights and name in weights:
            raw[name] = float(weights[name])
        else:
            raw[name] = math.pow(len(examples), temperature)
    total = sum(raw.values())
    if total <= 0:
        raise DataError("the training pool is empty")
    return {k: v / total for k, v in raw.items() if v > 0}
