"""`QueryParser`: a question in, a `ParsedQuery` out: GLiNER finds the values, our code types them.

One forward pass of the model per batch of queries reads the spans of every field's labels (and of
the entity labels); for each span, the words around it give the comparison (`values.value_phrase`),
the field's type gives the value (`values.read_value`), string values link to the store's own values
(`linking.ValueLinker`), and what is left of the query is the text for the vector search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from .fields import FieldSpec, check_fields
from .limits import find_limit
from .linking import ValueLinker
from .lists import split_values
from .negation import strip_negation
from .numbers import ValueNotUnderstood
from .parsed import Constraint, ParsedQuery, Span
from .routing import route
from .scan import pattern_spans
from .values import negate, read_value, value_phrase

__all__ = ["QueryParser", "MAX_QUERY_CHARS", "reference_date"]

#: Longest query read (characters): a question, not a document (a longer one is a caller's mistake).
MAX_QUERY_CHARS = 2000


def reference_date(today: date | datetime | str | None, timezone: str | None = None) -> date:
    """The day relative dates are read against: `today` (a date, an ISO string, or a datetime, whose own
    time zone then decides the day), else the clock's day in `timezone` (an IANA name; default UTC)."""
    if today is None:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(timezone or "UTC")).date()
    if isinstance(today, datetime):
        if timezone is not None and today.tzinfo is not None:
            from zoneinfo import ZoneInfo

            today = today.astimezone(ZoneInfo(timezone))
        return today.date()
    if isinstance(today, date):
        return today
    if isinstance(today, str):
        try:
            return date.fromisoformat(today.strip()[:10])
        except ValueError:
            raise ValueError(f"today must be an ISO date (YYYY-MM-DD), got {today!r}") from None
    raise TypeError(f"today must be a date, a datetime or an ISO string, got {type(today).__name__}")


class QueryParser:
    """Parse search queries into constraints on metadata fields.

    Args:
        model: a `doclinks.ner.GLiNER` (or anything with its ``inference(texts, labels, threshold=...,
            batch_size=...)``).
        fields: the fields (`FieldSpec`s, dicts, or LangChain ``AttributeInfo``s).
        linker: the store's values to link string values to (`ValueLinker`); None: values as written.
        entity_labels: labels read as entities (people, places...) for entity-seeded search, not as fields
            (default none); e.g. ``{"person": "entity:Person"}`` maps each to its link kind, a list
            uses ``"entity:" + label.title()``.
        threshold: least span score kept (default 0.5).
        timezone: IANA time zone of "today" when `parse` is given no `today` (default UTC).
        batch_size: queries per forward pass in `parse_batch` (default 32).
        tags: the store's ``(kind, tag)`` pairs (`GraphStore.tags`): the entity spans are matched to them
            (`doclinks.links.match_query_tags`) as `ParsedQuery.entity_tags` (default None: not matched).
        scan_values: with a `linker`, also find what the model missed: the stored values of string fields
            that the query writes out whole ("comedies" for genre "comedy"; label ``"vocabulary"``, fields
            of at most 5,000 values) and values known by their shape (`doclinks.query.scan`: numbers with
            a field's unit, years and decades, boolean fields named; label ``"pattern"``), score 1.0
            (default True).
    """

    def __init__(
        self,
        model: Any,
        fields: Iterable[Any],
        *,
        linker: ValueLinker | None = None,
        entity_labels: Iterable[str] | dict[str, str] = (),
        threshold: float = 0.5,
        timezone: str | None = None,
        batch_size: int = 32,
        scan_values: bool = True,
        tags: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.tags = list(tags) if tags is not None else None
        self.model = model
        self.fields = check_fields(fields, shared_labels=linker is not None)
        self.linker = linker
        self.scan_values = scan_values
        self.entity_kinds = (
            dict(entity_labels)
            if isinstance(entity_labels, dict)
            else {label: "entity:" + label.title() for label in entity_labels}
        )
        self._by_label: dict[str, list[FieldSpec]] = {}
        for f in self.fields:
            for label in f.labels:
                self._by_label.setdefault(label, []).append(f)
        clash = {l for l in self.entity_kinds if l.lower() in {k.lower() for k in self._by_label}}
        if clash:
            raise ValueError(f"labels {sorted(clash)} are both entity labels and field labels")
        self.threshold = float(threshold)
        self.timezone = timezone
        self.batch_size = int(batch_size)

    @property
    def labels(self) -> list[str]:
        """The labels the model is asked for: every field's, then the entity labels."""
        return [*self._by_label, *self.entity_kinds]

    def parse(self, query: str, today: date | datetime | str | None = None) -> ParsedQuery:
        """The parse of one query; `today` is the reference for relative dates (default: the clock's day
        in `timezone`).

        Raises:
            TypeError: `query` is not a str.
            ValueError: `query` is longer than MAX_QUERY_CHARS.
        """
        return self.parse_batch([query], today)[0]

    def parse_batch(self, queries: Sequence[str], today: date | datetime | str | None = None) -> list[ParsedQuery]:
        """The parses of `queries`, in order: one forward pass per `batch_size` queries."""
        day = reference_date(today, self.timezone)
        for i, q in enumerate(queries):
            if not isinstance(q, str):
                raise TypeError(f"query {i}: expected str, got {type(q).__name__}")
            if len(q) > MAX_QUERY_CHARS:
                raise ValueError(f"query {i} is {len(q):,} characters long; a query is at most {MAX_QUERY_CHARS:,}")
        todo = [i for i, q in enumerate(queries) if q.strip()]
        spans: dict[int, list[dict]] = {i: [] for i in range(len(queries))}
        if todo:
            found = self.model.inference([queries[i] for i in todo], self.labels, threshold=self.threshold,
                                         batch_size=self.batch_size)  # fmt: skip
            spans.update(zip(todo, found))
        return [self._assemble(q, spans[i], day) for i, q in enumerate(queries)]

    # ------------------------------------------------------------------ one query
    def _assemble(self, query: str, entities: list[dict], today: date) -> ParsedQuery:
        out = ParsedQuery(query=query, today=today)
        model_spans = []
        for e in sorted(entities, key=lambda e: (e["start"], e["end"])):
            span = Span(int(e["start"]), int(e["end"]), query[e["start"] : e["end"]], e["label"], float(e["score"]))
            if span.label in self.entity_kinds:
                out.entities.append(span)
            elif span.label not in self._by_label:
                out.unused.append(Span(**{**span.__dict__, "reason": "no field has this label"}))
            else:
                out.spans.append(span)
                model_spans.append(span)
        scanned = self._scan(query)
        others = [(s.start, s.end) for s in model_spans] + [(s.start, s.end) for s, _ in scanned]
        for span in model_spans:
            self._add(out, query, span, route(query, span, self._by_label[span.label], self.fields, self.linker),
                      today, others)  # fmt: skip
        # a model span that linked to nothing does not hide a stored value written inside it
        seen = [(c.start, c.end) for c in out.constraints]
        for span, spec in scanned:
            if not any(a < span.end and span.start < b for a, b in seen):
                seen.append((span.start, span.end))
                self._add(out, query, span, spec, today, others)
        if self.tags is not None and out.entities:
            from ..links import match_query_tags

            out.entity_tags = match_query_tags([(self.entity_kinds[e.label], e.text) for e in out.entities], self.tags)
        out.constraints.sort(key=lambda c: (c.start, c.end))
        # an unknown value or unused span that another reading of the same words used is not left over
        covered = lambda x: any(c.start < x.end and x.start < c.end for c in out.constraints)  # noqa: E731
        out.unknown = sorted((u for u in out.unknown if not covered(u)), key=lambda c: (c.start, c.end))
        out.unused = sorted((u for u in out.unused if not covered(u)), key=lambda u: (u.start, u.end))
        out.constraints = _merge_alternatives(query, out.constraints, {f.name: f for f in self.fields})
        taken = [(c.phrase_start, c.phrase_end) for c in out.constraints]
        limit = find_limit(query, taken)
        if limit is not None:
            out.limit, out.limit_span = limit[0], (limit[1], limit[2])
            taken.append(out.limit_span)
        out.residual = residual_text(query, taken)
        return out

    def _scan(self, query: str) -> list[tuple[Span, FieldSpec]]:
        """Spans of values the model may have missed (`scan_values`), in field order."""
        if self.linker is None or not self.scan_values:
            return []
        out = []
        for spec in self.fields:
            if spec.type in ("string", "list[string]"):
                if len(self.linker.vocabulary.get(spec.name, ())) > 5000:
                    continue
                found, label = [(s, e) for s, e, _ in self.linker.find_values(spec.name, query)], "vocabulary"
            else:
                found, label = pattern_spans(query, spec), "pattern"
            out += [(Span(s, e, query[s:e], label, 1.0), spec) for s, e in found]
        return out

    def _add(
        self, out: ParsedQuery, query: str, span: Span, spec: FieldSpec, today: date, others: list[tuple[int, int]]
    ) -> None:
        try:
            made = self._constraints(query, span, spec, today, others)
        except ValueNotUnderstood as exc:
            out.unused.append(Span(**{**span.__dict__, "reason": str(exc)}))
            return
        for c in made:
            (out.unknown if c.link == "unknown" else out.constraints).append(c)

    def _constraints(
        self, query: str, span: Span, spec: FieldSpec, today: date, others: list[tuple[int, int]]
    ) -> list[Constraint]:
        left, right, negated = value_phrase(query, span.start, span.end, others)
        base: dict[str, Any] = dict(field=spec.name, type=spec.type, start=span.start, end=span.end,
                                    phrase_start=left, phrase_end=right, score=span.score, label=span.label)  # fmt: skip
        if spec.type in ("string", "list[string]"):
            _, text = strip_negation(span.text)
            values, joiner = split_values(text)
            if not values:
                raise ValueNotUnderstood(f"no value in {span.text!r}")
            linked = [(v, self.linker.link(spec.name, v) if self.linker else None) for v in values]
            out = []
            known = [
                (v, l.value if l else v, l.how if l else None) for v, l in linked if l is None or l.value is not None
            ]
            for v, l in linked:
                if l is not None and l.value is None:
                    out.append(Constraint(operator="eq", value=v, written=v, link="unknown", **base))
            if not known:
                return out
            if len(known) == 1 or (joiner == "and" and spec.type == "list[string]" and not negated):
                for written, value, how in known:
                    out.append(Constraint(operator="ne" if negated else "eq", value=value, written=written,
                                          link=how, **base))  # fmt: skip
            else:
                out.append(
                    Constraint(
                        operator="nin" if negated else "in",
                        value=[k[1] for k in known],
                        written=[k[0] for k in known],
                        link=_weakest([k[2] for k in known]),
                        **base,
                    )
                )
            return out
        phrase = query[left:right]
        if negated:
            phrase = strip_negation(re.sub(r"^\s*(?:but|and)\s+", "", phrase))[1]
            phrase = re.sub(r"^(?:not|no|without|except|excluding)\s+", "", phrase, flags=re.I)
        op, typed = read_value(spec, phrase, today)
        if negated:
            op, typed = negate(op, typed)
        return [Constraint(operator=op, value=typed, written=query[left:right], **base)]


_LINK_ORDER = ("exact", "folded", "part", "fuzzy")


def _weakest(hows: list[str | None]) -> str | None:
    known = [h for h in hows if h is not None]
    return max(known, key=_LINK_ORDER.index) if known else None


def _merge_alternatives(query: str, constraints: list[Constraint], specs: dict[str, FieldSpec]) -> list[Constraint]:
    """Equalities on one single-valued string field are alternatives ("french or italian" read as two
    spans): a record holds one value, so they merge into one ``in``. On a list field they merge only when
    "or" (or a comma) stands between them."""
    out: list[Constraint] = []
    for c in constraints:
        prev = next((p for p in reversed(out) if p.field == c.field), None)
        if prev is None or not _mergeable(query, prev, c, specs):
            out.append(c)
            continue
        values = (prev.value if prev.operator == "in" else [prev.value]) + (
            c.value if c.operator == "in" else [c.value]
        )
        written = (prev.written if prev.operator == "in" else [prev.written]) + (
            c.written if c.operator == "in" else [c.written]
        )
        out[out.index(prev)] = Constraint(
            field=c.field,
            type=c.type,
            operator="in",
            value=list(dict.fromkeys(values)),
            start=prev.start,
            end=c.end,
            phrase_start=prev.phrase_start,
            phrase_end=max(prev.phrase_end, c.phrase_end),
            score=min(prev.score, c.score),
            label=c.label,
            written=written,
            link=_weakest([prev.link, c.link]),
        )
    return out


def _mergeable(query: str, prev: Constraint, c: Constraint, specs: dict[str, FieldSpec]) -> bool:
    """Whether `c` merges into `prev`, an earlier constraint on its field (see `_merge_alternatives`)."""
    if not (
        prev.operator in ("eq", "in")
        and c.operator in ("eq", "in")
        and prev.type in ("string", "list[string]")
        and prev.end <= c.start
    ):
        return False
    if specs[c.field].type != "list[string]":
        return True
    between = query[prev.end : c.start].lower()
    return bool(re.fullmatch(r"\W*(?:or|,)\W*(?:or\W*)?", between + " ") or re.search(r"\bor\b", between))


_EDGE_WORDS = re.compile(
    r"^(?:(?:and|or|with|from|in|by|of|the|for|but|a|an|that|are|is|,|;)\s+)+|"
    r"(?:\s+(?:and|or|with|from|in|by|of|the|for|but|a|an|that|,|;))+$",
    re.I,
)


def residual_text(query: str, taken: list[tuple[int, int]]) -> str:
    """The query without the `taken` (start, end) ranges, spaces collapsed, joining words left dangling at
    either end trimmed; the whole query when nothing was taken."""
    if not taken:
        return query.strip()
    keep = [True] * len(query)
    for s, e in taken:
        for i in range(s, e):
            keep[i] = False
    text = "".join(ch if k else " " for ch, k in zip(query, keep))
    text = re.sub(r"\s+([,;.?!])", r"\1", re.sub(r"\s+", " ", text))
    text = re.sub(r"([,;.?!])[,;.?!]+", r"\1", text).strip(" ,;.")
    previous = None
    while previous != text:
        previous, text = text, _EDGE_WORDS.sub("", text).strip(" ,;.")
    return text
