"""Readers of the NER file formats; each returns `Example`s (training) or `EvalExample`s (evaluation).

* GLiNER training JSON: `[{"tokenized_text": [...], "ner": [[start, end_inclusive, label], ...]}]`
  (a JSON array, or one object per line in a `.jsonl` file), optionally with coarse `fallback` spans;
* GLiNER eval JSON: `[{"sentence": str, "entities": [{"name", "type", "pos": [start, end_exclusive]}]}]`;
* `token<TAB>BIO` files (CoNLL style; a blank or whitespace-only line ends a sentence);
* `token<TAB>type` IO files (no B-/I- prefixes; "O" outside; equal neighbouring types form one entity);
* the wide sets' BIO files with a `labels.tsv` naming each raw tag (and its coarse label);
* label lists: `labels.json` or one label a line.

A malformed entry is a `DataError` that names the file and the line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from .examples import DataError, EvalExample, Example


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
        for number, row in enumerate(text.splitlines(), start=1):
            if not row.strip():
                continue
            try:
                yield number, json.loads(row)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        return
    decoder = json.JSONDecoder()
    ws = re.compile(r"\s*")

    def skip(pos: int) -> int:
        spaces = ws.match(text, pos)
        assert spaces is not None  # `\s*` matches at every position
        return spaces.end()

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
        words: list[str] = []
        spans: list[tuple[int, int, str]] = []
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


def read_named_bio(
    path: str | os.PathLike, table: dict[str, tuple[str, str | None]], source: str = "", by_service: bool = False
) -> list[Example]:
    """A BIO file whose raw tags `table` names: each span gets its natural name, and its coarse name (if
    any) as a fallback on the same span. A tag missing from the table is a `DataError`. With `by_service`
    (the query sets, raw tags `Service.slot`), an example's source is `<source>/<Service>` of its first
    span, so that its negatives can be drawn per service; an example without spans keeps `source`."""
    out = []
    for example in read_bio(path, source):
        if by_service and example.spans:
            example.source = f"{source}/{example.spans[0][2].split('.', 1)[0]}"
        spans, fallback = [], []
        for s, e, tag in example.spans:
            if tag not in table:
                raise DataError(f"{path}: tag {tag!r} is not in the set's labels.tsv")
            name, coarse = table[tag]
            spans.append((s, e, name))
            if coarse is not None and coarse != name:
                fallback.append((s, e, coarse))
        out.append(Example(example.words, spans, example.source, fallback))
    return out
