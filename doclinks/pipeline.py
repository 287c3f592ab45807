"""Ingest as a library: chunks in, a graph store out (any store: SQLite, PostgreSQL, memory).

`ingest_chunks(store, chunks, settings)` is what ``doclinks ingest`` runs after reading and
splitting the files (`doclinks.sources`); it raises `ValueError`/`TypeError` on bad settings and
names no command-line flag. The order matters for "nothing stored twice, nothing lost":

1. chunk ids derive from source, index and text (`doclinks.sources.chunk_id`): chunks already
   stored are skipped *before* entity extraction, so an interrupted run continues where it
   stopped; chunks stored with links of other labels are re-extracted only with ``relabel``;
2. the NER model loads only when there is something new;
3. new chunks go in batches of ``batch_size``: entities and links (`link_documents`: each chunk's
   own tags, not normalised across the batch, so that what a chunk stores does not depend on the
   batch it was read in: its size, or the worker of a distributed ingest, `doclinks.scale`),
   extracted `EXTRACT_STEP` chunks at a time so that progress advances within a batch, then
   ``add_documents`` (embedding and one write transaction per batch). An interrupt loses at most
   the batch in flight;
4. last, tags are normalised across the store, incrementally: only the tags that share a
   match-key word with the batch's tags can change (`doclinks.links.canonical`), so only the
   stored chunks carrying such a tag are read, renormalised and, where they change, written
   again (not re-embedded). The result equals a full pass over the corpus
   (`normalize_store(store)`). The store keeps the merge rule its tags were normalised with
   (setting `TAG_POLICY`): a run with another rule (``merge`` on or off) makes one full pass,
   since it changes tags anywhere.

The full pass is built of per-chunk steps and one corpus-wide step (`prepare_full_pass`,
`TagCounts`, `corpus_tag_changes`, `apply_tag_changes`), so that a distributed ingest
(`doclinks.scale`) runs the same pass over a store too large for one process's memory; they
and `normalize_store` are in `doclinks.normalize_pass` (and imported from here too).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .document import Document
from .links.contrast import DEFAULT_CONTRAST_LABELS
from .links.extractor import DEFAULT_MIN_LINK_SCORE
from .normalize_pass import (  # the corpus normalisation: its names are also imported from here
    NORMALIZE_BATCH,
    NORMALIZED_KINDS,
    TAG_POLICY,
    TagCounts,
    corpus_tag_changes,
    normalize_store,
    normalized_ids,
    prepare_full_pass,
    snapshot,
)

__all__ = [
    "IngestSettings", "IngestReport", "ingest_chunks", "normalize_store", "NORMALIZE_BATCH", "EXTRACT_STEP", "TAG_POLICY",
    "NORMALIZED_KINDS", "build_extractor", "make_transformer", "chunk_documents", "link_documents", "is_stale",
    "count_entities", "TagCounts", "prepare_full_pass", "corpus_tag_changes", "snapshot", "CONTRAST_LABELS",
    "record_contrast_labels", "stored_contrast_labels",
]  # fmt: skip

#: Chunks per NER call within a batch: progress is reported after each. The model batches 8 texts
#: at a time by default (`GLiNERLinkExtractor`'s ``batch_size``), so no speed is lost.
EXTRACT_STEP = 8

#: The store setting that records the contrast labels chunks were extracted with: a JSON list of the
#: distinct sets the ingests used, each a sorted list (``[["nationality"]]``; ``[[], ["nationality"]]``
#: when runs differed).
CONTRAST_LABELS = "contrast_labels"


@dataclass
class IngestSettings:
    """What `ingest_chunks` does.

    Args:
        labels: entity types to find (at least one).
        model: NER model: a checkpoint folder or hub id; None: the shipped default model.
        threshold: least mention score kept as an entity record, in (0, 1) (default 0.5).
        min_link_score: least best-mention score for an entity to link, in (0, 1); None: every
            kept mention links (default `DEFAULT_MIN_LINK_SCORE`, 0.6).
        batch_size: chunks per extraction and write transaction (default 32).
        merge: a short tag may join a longer one (`doclinks.links.MergePolicy`); False undoes
            every merge (case and spelling variants still join). Default True.
        keep_apart: tags that must never join a longer one again (undone merges).
        relabel: extract again the chunks given that are stored with links of other labels
            (default False: they keep their links, and the report counts them).
        contrast_labels: labels asked beside `labels` whose spans are dropped, not linked
            (`doclinks.links.contrast`; default `DEFAULT_CONTRAST_LABELS`; None or []: none).
            Recorded in the store (setting `CONTRAST_LABELS`).
    """

    labels: list[str]
    model: str | None = None
    threshold: float = 0.5
    min_link_score: float | None = DEFAULT_MIN_LINK_SCORE
    batch_size: int = 32
    merge: bool = True
    keep_apart: list[str] = field(default_factory=list)
    relabel: bool = False
    contrast_labels: list[str] | None = field(default_factory=lambda: list(DEFAULT_CONTRAST_LABELS))

    def __post_init__(self) -> None:
        from .links.contrast import check_contrast_labels
        from .ner.validation import check_labels, check_positive_int, check_threshold

        self.contrast_labels = list(check_contrast_labels(self.contrast_labels))
        self.labels = check_labels(self.labels)
        self.threshold = check_threshold(self.threshold, "threshold")
        if self.min_link_score is not None:
            self.min_link_score = check_threshold(self.min_link_score, "min_link_score")
        self.batch_size = check_positive_int(self.batch_size, "batch_size")
        self.keep_apart = list(self.keep_apart)


@dataclass
class IngestReport:
    """What one `ingest_chunks` run did."""

    chunks: int  # distinct chunks given
    new_chunks: int  # extracted and stored by this run (relabelled ones included)
    skipped_chunks: int  # already stored, left as they were
    stale_chunks: int  # stored with links of other labels and not relabelled
    stale_labels: list[str]  # those other labels, one comma-joined string per label set
    entities: int  # entity mentions found in the new chunks
    renormalized_chunks: int  # chunks stored before this run, not extracted again, whose tags it rewrote
    work_seconds: float  # extraction, embedding and writing of the new chunks

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return asdict(self)


# ---------------------------------------------------------------------------------------- extraction
# The steps of one batch, shared by `ingest_chunks` and the distributed ingest (`doclinks.scale`).


def start_extraction(
    extractor: Any, settings: IngestSettings, n: int, on_model: Any = None, on_progress: Any = None
) -> tuple[Any, Any, float]:
    """(the extractor, built now after `on_model()` when None; its transformer; the start time), and
    `on_progress(0, n)` said: the work starts now, so rates count from here (as `work_seconds`)."""
    if extractor is None:
        if on_model is not None:
            on_model()
        extractor = build_extractor(settings)
    transformer = make_transformer(extractor)
    start = time.perf_counter()
    if on_progress is not None:
        on_progress(0, n)
    return extractor, transformer, start


def build_extractor(settings: IngestSettings, *, device: str = "cpu") -> Any:
    """The `GLiNERLinkExtractor` the settings describe; the NER model loads now (once per process),
    on `device` ("cpu", "cuda")."""
    from .links import GLiNERLinkExtractor
    from .links.models import load_model

    model = load_model(settings.model)
    if device != "cpu":
        model = model.to(device)
    return GLiNERLinkExtractor(
        settings.labels, model=model, extract_kwargs={"threshold": settings.threshold},
        min_link_score=settings.min_link_score, contrast_labels=settings.contrast_labels,
    )  # fmt: skip


def stored_contrast_labels(store: Any) -> list[list[str]]:
    """The contrast label sets the store's chunks were extracted with (setting `CONTRAST_LABELS`;
    [] for a store that never recorded one)."""
    import json

    value = store.get_setting(CONTRAST_LABELS)
    return json.loads(value) if value else []


def record_contrast_labels(store: Any, labels: Sequence[str]) -> None:
    """Add the contrast `labels` an extraction asked for to the store's record (call after storing the
    chunks it extracted; a store without chunks records nothing)."""
    import json

    used = sorted(labels)
    sets = stored_contrast_labels(store)
    if used not in sets and len(store):
        store.set_setting(CONTRAST_LABELS, json.dumps(sorted([*sets, used])))


def make_transformer(extractor: Any) -> Any:
    """The transformer of the ingest: links and mention records per chunk. Tags are not normalised
    across the batch: the corpus pass normalises them across the store, so a chunk's result does not
    depend on the other chunks of its batch."""
    from .links import LinkExtractorTransformer

    return LinkExtractorTransformer([extractor], normalize_links=False)


def chunk_documents(chunks: Sequence[Any], labels: list[str]) -> list[Document]:
    """Chunks (``id``, ``text``, ``metadata``) as the Documents the ingest stores, with ``ner_labels``."""
    return [Document(page_content=c.text, metadata={**c.metadata, "ner_labels": labels}, id=c.id) for c in chunks]


def link_documents(transformer: Any, docs: list[Document]) -> list[Document]:
    """Entities and links of a batch of chunk documents (new documents; the input is not changed)."""
    return transformer.transform_documents(docs)


def is_stale(doc: Any, labels: list[str]) -> bool:
    """Whether a stored chunk's links came from other labels than `labels`."""
    stored = doc.metadata.get("ner_labels")
    return stored is not None and stored != labels


def count_entities(docs: Iterable[Any]) -> int:
    """The entity mentions recorded in `docs`."""
    return sum(len(d.metadata.get("entities") or []) for d in docs)


def _original_keys(doc: Any) -> set[tuple[str, str]]:
    """The ``(kind, tag)`` keys of a stored chunk before any merge: its links and merged records."""
    keys = {link.key for link in doc.metadata.get("links", []) or []}
    for r in doc.metadata.get("entities", []) or []:
        if isinstance(r, dict) and isinstance(r.get("kind"), str) and isinstance(r.get("merged_from"), str):
            keys.add((r["kind"], r["merged_from"]))
    return keys


def ingest_chunks(
    store: Any,
    chunks: Sequence[Any],
    settings: IngestSettings,
    *,
    extractor: Any = None,
    on_model: Callable[[], Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Extract the entities of new chunks, link them, store them, and normalise the store's tags.

    Args:
        store: a `doclinks.store.GraphStore` (its embedder embeds the chunks).
        chunks: objects with ``id``, ``text`` and ``metadata`` (`doclinks.sources.Chunk`);
            a repeated id is read once.
        settings: see `IngestSettings`.
        extractor: a ready `GLiNERLinkExtractor` for ``settings.labels``; None: built from
            the settings when there is something new (the model loads then).
        on_model: called (no arguments) just before the model loads, e.g. to show a spinner.
        on_progress: called with (chunks done, chunks to do) once the model is loaded (0 done),
            then after each `EXTRACT_STEP` chunks extracted and after each stored batch.

    Returns:
        An `IngestReport`. A ``KeyboardInterrupt`` carries ``.stored`` and ``.total``.
    """
    unique: dict[str, Any] = {}
    for c in chunks:
        unique.setdefault(c.id, c)
    stored = store.stored_ids(list(unique))
    new = [c for c in unique.values() if c.id not in stored]
    old_docs = store.get_by_ids([i for i in unique if i in stored], missing="skip") if stored else []
    stale_docs = [d for d in old_docs if is_stale(d, settings.labels)]
    touched: set[tuple[str, str]] = set()
    if settings.relabel:
        ids = {d.id for d in stale_docs}
        new += [c for c in unique.values() if c.id in ids]
        for d in stale_docs:
            touched |= _original_keys(d)  # their old tags leave the corpus
    stale_labels = sorted({",".join(d.metadata["ner_labels"]) for d in stale_docs})

    entities = done = 0
    work_seconds = 0.0
    try:
        if new:
            extractor, transformer, start = start_extraction(extractor, settings, len(new), on_model, on_progress)
            for i in range(0, len(new), settings.batch_size):
                batch = new[i : i + settings.batch_size]
                docs = []
                for j in range(0, len(batch), EXTRACT_STEP):  # small steps: progress advances within a batch
                    docs += link_documents(transformer, chunk_documents(batch[j : j + EXTRACT_STEP], settings.labels))
                    if on_progress is not None and j + EXTRACT_STEP < len(batch):
                        on_progress(done + len(docs), len(new))
                store.add_documents(docs)
                for d in docs:
                    touched |= _original_keys(d)
                entities += count_entities(docs)
                done += len(batch)
                if on_progress is not None:
                    on_progress(done, len(new))
            record_contrast_labels(store, getattr(extractor, "contrast_labels", []))
            work_seconds = time.perf_counter() - start
        renormalized = 0
        policy = "merge" if settings.merge else "no-merge"
        if touched or settings.keep_apart or (len(store) and store.get_setting(TAG_POLICY) != policy):
            rewritten = normalized_ids(store, merge=settings.merge, keep_apart=settings.keep_apart, touched=touched)
            extracted = {c.id for c in new}
            renormalized = sum(1 for i in rewritten if i not in extracted)  # stored before; new chunks are not counted
    except KeyboardInterrupt as exc:
        exc.stored = done  # type: ignore[attr-defined]
        exc.total = len(new)  # type: ignore[attr-defined]
        raise
    return IngestReport(
        chunks=len(unique), new_chunks=done, skipped_chunks=len(unique) - len(new),
        stale_chunks=0 if settings.relabel else len(stale_docs), stale_labels=stale_labels, entities=entities,
        renormalized_chunks=renormalized, work_seconds=work_seconds,
    )  # fmt: skip
