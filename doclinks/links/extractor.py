"""Link extractors: turn each chunk's named entities into links (LangChain-compatible names).

`GLiNERLinkExtractor` has the constructor, methods and output of LangChain's
``langchain_community.graph_vectorstores.extractors.GLiNERLinkExtractor``; moving to doclinks
is a change of imports. On top: streaming batches in input order, per-label thresholds,
a cap on links per document, tag normalisation, and the mentions behind each link.

The checks of the arguments and inputs are in `extractor_inputs`.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from ..boundaries import BreakIndex
from ..ner.validation import check_threshold
from .contrast import (
    DEFAULT_CONTRAST_LABELS,
    DEFAULT_CONTRAST_MODE,
    check_contrast_labels,
    check_contrast_mode,
    contrast_for,
)
from .extractor_inputs import (
    EXTRACT_KWARGS,
    INFERENCE_DEFAULTS,
    check_extract_kwargs,
    check_labels,
    length,
    progress_bar,
    text_of,
)
from .link import Link, LinkExtractor, add_links
from .models import load_model, reads_descriptions
from .normalize import DEFAULT_HONORIFICS, best_form, normalize_tag, prepare_honorifics

__all__ = [
    "LinkExtractor",
    "GLiNERLinkExtractor",
    "EXTRACT_KWARGS",
    "DEFAULT_MIN_LINK_SCORE",
]


#: Input of `GLiNERLinkExtractor`: a string, or a document (anything with ``page_content``).
GLiNERInput = str | Any

#: The least best-mention score for an entity to link, chosen on `benchmarks/link_quality.py`.
DEFAULT_MIN_LINK_SCORE = 0.7


# ------------------------------------------------------------------------------------- extractor
class GLiNERLinkExtractor(LinkExtractor[GLiNERInput]):
    """Link documents that mention the same named entities, found by a GLiNER model.

    Each entity becomes ``Link.bidir(kind=f"{kind}:{label}", tag=<entity>)``, so two chunks
    that mention the same entity with the same label are neighbours.

    Example::

        from doclinks.links import GLiNERLinkExtractor, add_links

        extractor = GLiNERLinkExtractor(["Person", "Topic"])
        for document in documents:
            add_links(document, extractor.extract_one(document))

    Args:
        labels: entity labels: a list of names, or a dict ``{name: description}`` (the
            model reads the description; links use the name).
        kind: prefix of the link kinds (default ``"entity"``).
        model: None for doclinks' default model; a loaded `doclinks.GLiNER`; or a
            checkpoint folder or hub id (loaded once per process, see `load_model`).
        extract_kwargs: passed to the model: ``threshold`` (0.5), ``flat_ner`` (True),
            ``multi_label`` (False), ``batch_size`` (8), ``max_batch_tokens`` (8192),
            ``chunk_size`` (256 texts read at a time by `extract_many`).
        thresholds: per-label thresholds ``{label: threshold}``; labels not listed use
            ``extract_kwargs["threshold"]``. The model runs at the lowest threshold and
            each label's entities are then filtered (see docs/links.md for what that
            means with flat decoding).
        max_links: at most this many links per input and extractor, the best-scored
            entities first (an entity's score is that of its best mention). None: no cap.
        normalize: normalise tags (default; see `doclinks.links.normalize_tag`): mentions
            with the same match key in one input give one link. False: the tag is the
            mention as written, as in LangChain.
        honorifics, fold_accents: options of `normalize_tag`.
        respect_boundaries: no entity crosses a line break or a sentence end (default
            True): the model drops such spans before choosing among overlapping ones, so
            the best span inside one sentence wins (`doclinks.boundaries`). With a
            model that cannot (the `gliner` package), crossing entities are dropped after
            decoding. False: the model's spans as they are, as in LangChain.
        min_link_score: an entity links only when one of its mentions in the input scored
            at least this (default `DEFAULT_MIN_LINK_SCORE`, chosen on
            `benchmarks/link_quality.py`); weaker mentions are kept as records with
            ``linked`` False. Labels given in `thresholds` link at their own threshold
            instead (the caller chose it). None: every mention above the threshold links.
        contrast_labels: labels asked of the model beside `labels` whose spans are dropped, not
            linked: a span that fits one better than the user's labels is no entity of theirs
            (default `DEFAULT_CONTRAST_LABELS`: "nationality", so "French" is not a location;
            `doclinks.links.contrast`). A contrast label named like one of `labels` is the user's.
            None or []: the model reads the user's labels only, as in LangChain.
        contrast_mode: "separate" (default): the user's labels are scored alone, as without
            contrast labels, and a second call with the contrast labels added decides which spans
            are dropped (twice the model work); "joint": one call with all the labels (the
            user's scores then shift: a uni-encoder reads every label beside the text).

    Raises:
        TypeError, ValueError: bad labels, an unknown `extract_kwargs` key or bad value,
            a threshold for a label not in `labels`, a bad `max_links`.
        doclinks.ner.default.NoDefaultModelError: `model` is None and no default model is
            shipped.
    """

    def __init__(
        self,
        labels: Sequence[str] | Mapping[str, str],
        *,
        kind: str = "entity",
        model: Any = None,
        extract_kwargs: Mapping[str, Any] | None = None,
        thresholds: Mapping[str, float] | None = None,
        max_links: int | None = None,
        normalize: bool = True,
        honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
        fold_accents: bool = True,
        respect_boundaries: bool = True,
        min_link_score: float | None = DEFAULT_MIN_LINK_SCORE,
        contrast_labels: Sequence[str] | None = DEFAULT_CONTRAST_LABELS,
        contrast_mode: str = DEFAULT_CONTRAST_MODE,
    ):
        self._labels, self._model_labels = check_labels(labels)
        self._contrast = contrast_for(self._labels, check_contrast_labels(contrast_labels))
        self._contrast_mode = check_contrast_mode(contrast_mode)
        extra = list(self._contrast)  # asked after the user's labels
        if isinstance(self._model_labels, dict):
            self._joint_labels: Any = {**self._model_labels, **dict(zip(extra, extra))}
        else:
            self._joint_labels = [*self._model_labels, *extra]
        if not isinstance(kind, str) or not kind:
            raise TypeError(f"kind: expected a non-empty str, got {kind!r}")
        self._kind = kind
        self._extract_kwargs = check_extract_kwargs(extract_kwargs)
        base = self._extract_kwargs.get("threshold", INFERENCE_DEFAULTS["threshold"])
        thresholds = {} if thresholds is None else thresholds
        if not isinstance(thresholds, Mapping):
            raise TypeError(f"thresholds: expected a dict {{label: threshold}}, got {type(thresholds).__name__}")
        for label, value in thresholds.items():
            if label not in self._labels:
                raise ValueError(f"thresholds: {label!r} is not one of the labels {self._labels}")
            check_threshold(value, f"thresholds[{label!r}]")
        self._thresholds = {label: float(thresholds.get(label, base)) for label in self._labels}
        self._explicit = frozenset(thresholds)
        self._run_threshold = min(self._thresholds.values())
        if max_links is not None and (isinstance(max_links, bool) or not isinstance(max_links, int) or max_links < 1):
            raise ValueError(f"max_links: expected None or an integer >= 1, got {max_links!r}")
        self._max_links = max_links
        if not isinstance(normalize, bool):
            raise TypeError(f"normalize: expected a bool, got {type(normalize).__name__}")
        self._normalize = normalize
        prepare_honorifics(honorifics)  # validate now
        self._honorifics = tuple(honorifics) if honorifics is not None else ()
        self._fold_accents = bool(fold_accents)
        if not isinstance(respect_boundaries, bool):
            raise TypeError(f"respect_boundaries: expected a bool, got {type(respect_boundaries).__name__}")
        self._respect_boundaries = respect_boundaries
        self._min_link_score = None if min_link_score is None else check_threshold(min_link_score, "min_link_score")
        self._model = load_model(model)
        if isinstance(self._model_labels, dict) and not reads_descriptions(self._model):
            warnings.warn(
                "labels: this model was not trained with label descriptions, and reads "
                f"{list(self._model_labels.values())!r} in place of the names {self._labels!r}; "
                "it usually finds fewer and worse entities that way. Pass a list of names instead.",
                UserWarning,
                stacklevel=2,
            )

    # ---------------------------------------------------------------------------------- properties
    @property
    def labels(self) -> list[str]:
        """The label names."""
        return list(self._labels)

    @property
    def kind(self) -> str:
        """The prefix of the link kinds."""
        return self._kind

    @property
    def kinds(self) -> list[str]:
        """The link kinds this extractor produces, one per label: ``f"{kind}:{label}"``."""
        return [f"{self._kind}:{label}" for label in self._labels]

    @property
    def model(self) -> Any:
        """The GLiNER model."""
        return self._model

    @property
    def thresholds(self) -> dict[str, float]:
        """The threshold of each label."""
        return dict(self._thresholds)

    @property
    def contrast_labels(self) -> list[str]:
        """The contrast labels asked beside `labels` (their spans are dropped); [] when none."""
        return list(self._contrast)

    @property
    def min_link_score(self) -> float | None:
        """The least best-mention score for an entity to link (None: every mention links)."""
        return self._min_link_score

    @property
    def respect_boundaries(self) -> bool:
        """Whether entities may not cross line breaks and sentence ends."""
        return self._respect_boundaries

    @property
    def normalize(self) -> bool:
        """Whether tags are normalised (`normalize_tag`)."""
        return self._normalize

    @property
    def honorifics(self) -> tuple[str, ...]:
        """The honorifics stripped from tags."""
        return self._honorifics

    @property
    def fold_accents(self) -> bool:
        """Whether match keys fold accents."""
        return self._fold_accents

    def __repr__(self) -> str:
        return f"GLiNERLinkExtractor(labels={self._labels!r}, kind={self._kind!r}, thresholds={self._thresholds!r})"

    # ------------------------------------------------------------------------------------ extraction
    def extract_one(self, input: GLiNERInput) -> set[Link]:
        """The links of one input (a str, or a document's ``page_content``)."""
        text = text_of(input, None)
        return next(self._details([text], progress=False))[0]

    def extract_many(self, inputs: Iterable[GLiNERInput], *, progress: bool = False) -> Iterator[set[Link]]:
        """The links of each input, in input order, streamed.

        Inputs are read `chunk_size` at a time and batched by the model (length-sorted
        batches); results come out in input order as each chunk is done, so an
        unbounded iterable works. A bad input raises TypeError when it is reached.

        Args:
            inputs: strs or documents.
            progress: show a progress bar (tqdm).
        """
        for links, _ in self._details(inputs, progress=progress):
            yield links

    def extract_entities(
        self, inputs: Iterable[GLiNERInput], *, progress: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """The mentions behind the links of each input, in input order, streamed.

        One record per mention kept by the thresholds: ``{"text", "label", "score",
        "start", "end", "kind", "tag", "linked"}``; ``start``/``end`` are character
        offsets into the input (end exclusive); ``tag`` is the tag of its link (None
        when nothing is left after normalisation); ``linked`` is False for mentions
        without a link (no tag, or over `max_links`).
        """
        for _, records in self._details(inputs, progress=progress):
            yield records

    def annotate(
        self, documents: Iterable[Any], *, progress: bool = False, entities_key: str | None = "entities"
    ) -> Iterator[Any]:
        """Add links and mention records to each document, in place, and yield it (streamed).

        Links go to ``metadata["links"]`` (`add_links`), records to
        ``metadata[entities_key]`` (appended; None: not written).
        """
        if isinstance(documents, (str, bytes)) or not isinstance(documents, Iterable):
            raise TypeError(f"documents: expected an iterable of documents, got {type(documents).__name__}")
        pending: deque[Any] = deque()  # read by the model, not yet yielded

        def read() -> Iterator[Any]:
            for i, doc in enumerate(documents):
                if not isinstance(getattr(doc, "metadata", None), dict):
                    raise TypeError(
                        f"documents[{i}]: expected a document with a metadata dict, got {type(doc).__name__}"
                    )
                pending.append(doc)
                yield doc

        for links, records in self._details(read(), progress=progress, total=length(documents)):
            doc = pending.popleft()
            add_links(doc, links)
            if entities_key is not None:
                existing = doc.metadata.setdefault(entities_key, [])
                if not isinstance(existing, list):
                    raise TypeError(f"metadata[{entities_key!r}] must be a list, got {type(existing).__name__}")
                existing.extend(records)
            yield doc

    # ------------------------------------------------------------------------------------- internals
    def _predict(self, texts: Iterable[str]) -> Iterator[list[dict[str, Any]]]:
        if not self._contrast:
            yield from self._run(texts, self._model_labels)
        elif self._contrast_mode == "joint":  # one call; `_links_of` drops the contrast labels' spans
            yield from self._run(texts, self._joint_labels)
        else:  # the user's labels scored alone; a second call with the contrast labels decides what is dropped
            contrast = set(self._contrast)
            iterator = iter(texts)
            size = self._extract_kwargs.get("chunk_size", INFERENCE_DEFAULTS["chunk_size"])
            while chunk := list(islice(iterator, size)):
                for found, judged in zip(self._run(chunk, self._model_labels), self._run(chunk, self._joint_labels)):
                    won = [(e["start"], e["end"]) for e in judged if e["label"] in contrast]
                    yield [e for e in found if not any(s < e["end"] and e["start"] < t for s, t in won)]

    def _run(self, texts: Iterable[str], labels: Any) -> Iterator[list[dict[str, Any]]]:
        kw = {**INFERENCE_DEFAULTS, **self._extract_kwargs, "threshold": self._run_threshold}
        model = self._model
        if callable(getattr(model, "iter_inference", None)):
            yield from model.iter_inference(
                texts, labels, threshold=kw["threshold"], flat_ner=kw["flat_ner"],
                multi_label=kw["multi_label"], batch_size=kw["batch_size"],
                max_batch_tokens=kw["max_batch_tokens"], chunk_size=kw["chunk_size"],
                respect_boundaries=self._respect_boundaries,
            )  # fmt: skip
            return
        # A model with only `batch_predict_entities` (e.g. the `gliner` package): chunks by hand,
        # passing the keys the user set.
        extra = {k: v for k, v in self._extract_kwargs.items() if k != "chunk_size"}
        extra["threshold"] = self._run_threshold
        iterator = iter(texts)
        while chunk := list(islice(iterator, kw["chunk_size"])):
            results = model.batch_predict_entities(chunk, labels, **extra)
            for text, entities in zip(chunk, results):
                if self._respect_boundaries and entities:
                    index = BreakIndex(text)
                    entities = [e for e in entities if not index.crosses(e["start"], e["end"])]
                yield entities

    def _details(
        self, inputs: Iterable[Any], *, progress: bool, total: int | None = None
    ) -> Iterator[tuple[set[Link], list[dict[str, Any]]]]:
        if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
            raise TypeError(f"inputs: expected an iterable of strs or documents, got {type(inputs).__name__}")
        total = length(inputs) if total is None else total
        texts = (text_of(item, i) for i, item in enumerate(inputs))
        results = self._predict(texts)
        yield from progress_bar((self._links_of(entities) for entities in results), total, progress, "entities")

    def _links_of(self, entities: list[dict[str, Any]]) -> tuple[set[Link], list[dict[str, Any]]]:
        records: list[dict[str, Any]] = []
        groups: dict[tuple[str, str], dict[str, Any]] = {}  # (kind, key) -> forms, best score, first position
        for e in entities:
            label = e["label"]
            score = float(e["score"])
            if label not in self._thresholds or score <= self._thresholds[label]:
                continue  # a contrast label's span (or below its label's threshold)
            kind = f"{self._kind}:{label}"
            if self._normalize:
                key, readable = normalize_tag(e["text"], honorifics=self._honorifics, fold_accents=self._fold_accents)
            else:
                key = readable = e["text"] if e["text"].strip() else ""
            record = {
                "text": e["text"], "label": label, "score": score, "start": e["start"], "end": e["end"],
                "kind": kind, "tag": readable if key else None, "linked": False,
            }  # fmt: skip
            records.append(record)
            if not key:
                continue
            group = groups.setdefault((kind, key), {"forms": {}, "score": score, "records": [], "label": label})
            group["forms"][readable] = group["forms"].get(readable, 0) + 1
            group["score"] = max(group["score"], score)
            group["records"].append(record)
        floor = self._min_link_score
        ranked = [g for g in groups.values() if floor is None or g["label"] in self._explicit or g["score"] >= floor]
        if self._max_links is not None and len(ranked) > self._max_links:
            order = sorted(range(len(ranked)), key=lambda i: (-ranked[i]["score"], i))
            ranked = [ranked[i] for i in sorted(order[: self._max_links])]
        kept = {id(g) for g in ranked}
        links: set[Link] = set()
        for (kind, _), group in groups.items():
            tag = best_form(group["forms"])
            for record in group["records"]:
                record["tag"] = tag
            if id(group) in kept:
                links.add(Link.bidir(kind=kind, tag=tag))
                for record in group["records"]:
                    record["linked"] = True
        return links, records
