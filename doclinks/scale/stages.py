"""The stages of the distributed ingest, as Ray Data runs them (functions and callable classes).

Each stage runs the single-process ingest's own steps (`doclinks.sources`, `doclinks.pipeline`,
the store's writes) on a batch of rows, so what it stores is what `doclinks ingest` stores:

1. `read_files` (tasks): files -> one row per chunk, and one row per file (what was read, or why not);
2. `mark_stored` (tasks, a connection each): marks each chunk new, stored or stale, as
   `ingest_chunks` sorts them; the text of skipped chunks is dropped;
3. `LinkAndEmbed` (the NER actor pool: models loaded once per actor, CPU or GPU): entities, links and
   the vector of each chunk;
4. `PostgresWriter` (actors, one connection each): one idempotent upsert transaction per batch.

Rows are dicts of columns (Ray Data's ``numpy`` batches). A chunk's metadata and links travel as the
JSON the store writes (`doclinks.store.records`), its vector as float32.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "FILE_ROW", "CHUNK_ROW", "NEW", "STORED", "STALE", "read_files", "mark_stored", "LinkAndEmbed",
    "PostgresWriter", "rows_with_status", "summarize_block",
]  # fmt: skip

# Row kinds of the read stage, and the status `mark_stored` gives a chunk.
FILE_ROW, CHUNK_ROW = "file", "chunk"
NEW, STORED, STALE = "new", "stored", "stale"

_READ_COLUMNS = ("kind", "path", "source", "id", "text", "metadata", "documents", "chunks", "error")

#: Attempts of a write that lost its connection (the write is an upsert: trying again is safe).
WRITE_ATTEMPTS = 3


def _columns(names: tuple[str, ...]) -> dict[str, list]:
    return {name: [] for name in names}


def read_files(batch: dict[str, np.ndarray], *, read: Any) -> dict[str, list]:
    """Read and split the files of `batch` (columns ``path``: absolute, ``source``: as given).

    One row per chunk (``kind`` "chunk": id, text, metadata JSON; the metadata's ``source`` is the
    path as given, as the single-process ingest stores it) and one per file (``kind`` "file":
    documents and chunks read, or ``error``: why it cannot be read).
    """
    from ..sources import SourceError, Splitter, read_documents

    splitter = Splitter(read.chunk_size, read.chunk_overlap)
    out = _columns(_READ_COLUMNS)

    def add(**row: Any) -> None:
        for name in _READ_COLUMNS:
            out[name].append(row.get(name, 0 if name in ("documents", "chunks") else ""))

    for path, source in zip(batch["path"], batch["source"]):
        path, source = str(path), str(source)
        try:
            docs = list(read_documents(Path(path), text_field=read.text_field, encoding=read.encoding))
        except SourceError as exc:
            # The message names the file as the user gave it, as the single-process ingest's does.
            add(kind=FILE_ROW, path=path, source=source, error=str(exc).replace(path, source))
            continue
        chunks = []
        for doc in docs:
            doc.source = source
            chunks += splitter.split(doc)
        add(kind=FILE_ROW, path=path, source=source, documents=len(docs), chunks=len(chunks))
        for c in chunks:
            add(kind=CHUNK_ROW, path=path, source=source, id=c.id, text=c.text,
                metadata=json.dumps(c.metadata, ensure_ascii=False))  # fmt: skip
    return out


def mark_stored(
    batch: dict[str, np.ndarray], *, dsn: str, postgres: Any, labels: list[str], relabel: bool
) -> dict[str, Any]:
    """Stage 2: gives each chunk row a ``status``: new, stored (skipped), or stale (stored with links of
    other labels: ``stale_labels`` names them; extracted again only with `relabel`). The text of a chunk
    that will not be extracted is dropped. One connection per call (a task, not an actor: nothing to
    start but a connection).

    Args:
        dsn, postgres: the store (its `PostgresSettings`).
        labels: the run's labels.
        relabel: stale chunks keep their text, to be extracted again.
    """
    from ..pipeline import is_stale
    from ..store.backends.postgres import PostgresBackend

    kinds = [str(k) for k in batch["kind"]]
    ids = [str(i) for i, k in zip(batch["id"], kinds) if k == CHUNK_ROW]
    backend = PostgresBackend(dsn, postgres)
    try:
        stored = backend.stored_ids(ids) if ids else set()
        docs = backend.get(sorted(stored)) if stored else {}
    finally:
        backend.close()
    status, stale_labels = [], []
    text, metadata = list(batch["text"]), list(batch["metadata"])
    for i, (kind, chunk) in enumerate(zip(kinds, batch["id"])):
        doc = docs.get(str(chunk)) if kind == CHUNK_ROW else None
        if kind != CHUNK_ROW or doc is None:
            status.append(NEW if kind == CHUNK_ROW else "")
            stale_labels.append("")
            continue
        stale = is_stale(doc, labels)
        status.append(STALE if stale else STORED)
        stale_labels.append(",".join(doc.metadata["ner_labels"]) if stale else "")
        if not (stale and relabel):
            text[i] = metadata[i] = ""  # not extracted: the materialised rows need not hold it
    return {**batch, "text": text, "metadata": metadata, "status": status, "stale_labels": stale_labels}


def summarize_block(batch: dict[str, np.ndarray]) -> dict[str, list]:
    """The small rows the driver reads of the materialised chunk table: every file row, and one row
    per block counting its chunks by status (``stale_labels``: a JSON list of the label sets)."""
    kinds = [str(k) for k in batch["kind"]]
    statuses = [str(s) for s in batch["status"]]
    files = [i for i, k in enumerate(kinds) if k == FILE_ROW]
    labels = sorted({str(batch["stale_labels"][i]) for i, s in enumerate(statuses) if s == STALE})
    out: dict[str, list] = {name: [] for name in ("kind", "source", "documents", "chunks", "error",
                                                  NEW, STORED, STALE, "stale_labels")}  # fmt: skip
    for i in files:
        for name in ("kind", "source", "error"):
            out[name].append(str(batch[name][i]))
        for name in ("documents", "chunks"):
            out[name].append(int(batch[name][i]))
        for name in (NEW, STORED, STALE):
            out[name].append(0)
        out["stale_labels"].append("[]")
    out["kind"].append("count")
    out["source"].append("")
    out["error"].append("")
    out["documents"].append(0)
    out["chunks"].append(0)
    for name in (NEW, STORED, STALE):
        out[name].append(statuses.count(name))
    out["stale_labels"].append(json.dumps(labels))
    return out


def rows_with_status(batch: dict[str, np.ndarray], *, statuses: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The chunk rows of `batch` whose status is one of `statuses` (id, text, metadata)."""
    keep = np.array([str(s) in statuses for s in batch["status"]], dtype=bool)
    return {name: np.asarray(batch[name])[keep] for name in ("id", "text", "metadata")}


class LinkAndEmbed:
    """Stage 3, the NER actor: entities, links and vectors of a batch of chunks. The NER model and the
    embedder load once, when the actor starts.

    Args:
        settings: the run's `IngestSettings` (labels, model, thresholds).
        device: "cpu" or "cuda" (GPU actors).
        threads: torch threads (the actor's CPU cores).
        embedding: a picklable callable returning the embedder; None: the default embedder
            (all-MiniLM-L6-v2, on `device`).
    """

    def __init__(self, settings: Any, device: str = "cpu", threads: int = 1, embedding: Any = None) -> None:
        import torch

        from ..pipeline import build_extractor, make_transformer

        torch.set_num_threads(threads)
        self.settings = settings
        self.transformer = make_transformer(build_extractor(settings, device=device))
        if embedding is None:
            from ..embeddings import MiniLMEmbeddings

            self.embedder = MiniLMEmbeddings(device=device)
        else:
            self.embedder = embedding()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        from ..pipeline import chunk_documents, count_entities, link_documents
        from ..sources import Chunk
        from ..store.records import build_record

        chunks = [Chunk(id=str(i), text=str(t), metadata=json.loads(str(m)))
                  for i, t, m in zip(batch["id"], batch["text"], batch["metadata"])]  # fmt: skip
        docs = link_documents(self.transformer, chunk_documents(chunks, self.settings.labels))
        records = [build_record(d, None, n) for n, d in enumerate(docs)]
        vectors = np.asarray(self.embedder.embed_documents([d.page_content for d in docs]), dtype=np.float32)
        return {
            "id": [r.id for r in records],
            "text": [r.content for r in records],
            "metadata": [r.metadata_json for r in records],
            "links": [r.links_json for r in records],
            "entities": [count_entities([d]) for d in docs],
            "vector": vectors.reshape(len(docs), -1),
        }


class PostgresWriter:
    """Stage 4: writes a batch of linked, embedded chunks in one transaction (an upsert by chunk id:
    a batch written twice, by a retried task, changes nothing the second time).

    Args:
        dsn: the PostgreSQL connection string.
        postgres: the store's `PostgresSettings`.
    """

    def __init__(self, dsn: str, postgres: Any) -> None:
        from ..store import PostgresGraphStore

        self.store = PostgresGraphStore(dsn, postgres=postgres)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        from ..store import StoreConnectionError
        from ..store.records import decode_document

        docs = [decode_document(str(i), str(t), str(m), str(l))
                for i, t, m, l in zip(batch["id"], batch["text"], batch["metadata"], batch["links"])]  # fmt: skip
        for attempt in range(WRITE_ATTEMPTS):
            try:
                self.store.add_embedded_documents(docs, list(batch["vector"]))
                break
            except StoreConnectionError:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(2**attempt)  # the store reconnects on the next call
        return {"chunks": [len(docs)], "entities": [int(np.sum(batch["entities"]))]}
