"""`Service`: what the HTTP API and the MCP server answer, as plain synchronous calls on JSON-ready dicts.

One process loads the NER model and the embedder once. Reads go through one store per worker thread
(its own SQLite connection, or PostgreSQL connection: a pool of them), so searches run side by side and
an ingest never holds their lock; writes go through one writer store, in the writer's own thread. SQLite
runs in WAL mode: readers see the last committed write and never wait for the writer.

Every method checks what `Limits` caps and raises `RequestError` naming the field; the store's own
ValueError/TypeError on a bad argument is answered the same way by the callers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from ..html_assets import label_colors
from .errors import RequestError
from .results import chunk_json, label_of, mention_json, search_json
from .settings import Limits, ServeSettings

__all__ = ["Service", "RequestError", "MODES", "open_db"]

#: Search modes and what each runs (`GraphStore` methods); "parsed" only with fields (`ServeSettings.fields`).
MODES = ("similarity", "traversal", "mmr_traversal", "entity_seeded", "ppr", "parsed")


def open_db(db: str, embedding: Any, *, writable: bool) -> Any:
    """The store `db` names (an SQLite file or a ``postgresql://`` URL) with `embedding`.

    Read-only SQLite stores are opened with `SQLiteSettings(read_only=True)`: the file must exist and hold a
    doclinks store. Raises `doclinks.store.StoreError` (or a subclass) when it cannot be opened.
    """
    from ..store import StoreConnectionError

    if db.lower().startswith(("postgresql://", "postgres://")):
        from ..store import PostgresGraphStore

        return PostgresGraphStore(db, embedding)
    from ..store import SQLiteGraphStore, SQLiteSettings

    if not writable and not os.path.isfile(db):
        raise StoreConnectionError(f"{db}: no such database (start with --allow-ingest to create it, or ingest first)")
    return SQLiteGraphStore(db, embedding, sqlite=SQLiteSettings(read_only=not writable))


class Service:
    """The store, model and embedder of one `doclinks serve` / `doclinks mcp` process.

    Args:
        settings: `ServeSettings`.
        embedding: the embedder (default None: the default MiniLM embedder).
        ner_model: a loaded NER model (default None: ``settings.model`` loaded now, once).
    """

    def __init__(self, settings: ServeSettings, embedding: Any = None, ner_model: Any = None) -> None:
        from ..embeddings import default_embeddings
        from ..links.models import load_model

        self.settings = settings
        self.limits: Limits = settings.limits
        self.embedding = embedding or default_embeddings()
        self.embedding.embed_query("warm up")  # loads the encoder now, not in the first request
        self.ner_model = ner_model if ner_model is not None else load_model(settings.model)
        self._extractors: dict[tuple, Any] = {}
        self._extractors_lock = threading.Lock()
        from .batching import GivenQueries

        self._local = threading.local()
        self.queries = GivenQueries(self.embedding)  # the read stores' embedder: takes vectors embedded in batches
        self._stores: list[Any] = []
        self._stores_lock = threading.Lock()
        self.writer = open_db(settings.db, self.embedding, writable=True) if settings.allow_ingest else None
        self._open_reader()  # fails now, at start-up, on a missing or foreign database
        self.parsing = None
        if settings.fields is not None:
            from .parsed import QueryParsing

            self.parsing = QueryParsing(settings.fields, self.ner_model, settings.timezone)

    # ------------------------------------------------------------------ stores and models
    def _open_reader(self) -> Any:
        store = open_db(self.settings.db, self.queries, writable=False)
        with self._stores_lock:
            self._stores.append(store)
        return store

    def reader(self) -> Any:
        """This thread's read-only store (opened on first use)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self._open_reader()
        return store

    def extractor(self, labels: Sequence[str], threshold: float = 0.5, min_link_score: float | None = None) -> Any:
        """A `GLiNERLinkExtractor` on the loaded model for these labels (built once per label set)."""
        key = (tuple(labels), threshold, min_link_score)
        with self._extractors_lock:
            if key not in self._extractors:
                from ..links import GLiNERLinkExtractor

                self._extractors[key] = GLiNERLinkExtractor(
                    list(labels), model=self.ner_model, extract_kwargs={"threshold": threshold},
                    min_link_score=min_link_score)  # fmt: skip
            return self._extractors[key]

    def close(self) -> None:
        """Close every store this service opened."""
        with self._stores_lock:
            stores, self._stores = self._stores, []
        for store in [*stores, *([self.writer] if self.writer is not None else [])]:
            store.close()

    # ------------------------------------------------------------------ checks
    def check_query(self, query: Any, field: str = "query") -> str:
        limit = self.limits.max_query_chars
        return self.check_text(query, field, limit)

    def check_text(self, text: Any, field: str, limit: int | None = None) -> str:
        from ..store.records import bad_text

        limit = self.limits.max_text_chars if limit is None else limit
        if not isinstance(text, str):
            raise RequestError(field, f"expected a string, got {type(text).__name__}")
        if not text.strip():
            raise RequestError(field, "is empty")
        if len(text) > limit:
            raise RequestError(field, f"is {len(text):,} characters long; the limit is {limit:,}", 413)
        why = bad_text(text)
        if why:
            raise RequestError(field, why)
        return text

    def check_int(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RequestError(field, f"expected an integer, got {value!r}")
        if not low <= value <= high:
            raise RequestError(field, f"must lie in [{low}, {high}], got {value}")
        return value

    def check_labels(self, labels: Any, field: str = "labels") -> list[str]:
        if not isinstance(labels, list) or not labels:
            raise RequestError(field, "expected a non-empty list of entity labels")
        if len(labels) > self.limits.max_labels:
            raise RequestError(field, f"{len(labels)} labels; the limit is {self.limits.max_labels}")
        out: list[str] = []
        for i, label in enumerate(labels):
            label = self.check_text(label, f"{field}[{i}]", self.limits.max_label_chars)
            if any(ord(c) < 32 for c in label):
                raise RequestError(f"{field}[{i}]", "holds a control character")
            if label.strip() not in out:
                out.append(label.strip())
        return out

    # ------------------------------------------------------------------ reads
    def health(self) -> dict[str, Any]:
        """Whether the store answers, and what this server is."""
        import doclinks

        store = self.reader()
        return {"status": "ok", "chunks": len(store), "store": type(store).__name__, "version": doclinks.__version__,
                "model": self.settings.model or "default", "ingest": self.settings.allow_ingest,
                "limits": vars(self.limits).copy(),
                "fields": [f.name for f in self.parsing.fields] if self.parsing is not None else None}  # fmt: skip

    def check_search(self, query: Any, *, mode: Any = "traversal", k: Any = 4, depth: Any = 1, adjacent_k: Any = 10,
                     fetch_k: Any = 100, lambda_mult: Any = 0.5, entity_k: Any = 2, filter: Any = None,
                     search_type: Any = None, soft: Any = None, today: Any = None) -> None:  # fmt: skip
        """Raise `RequestError` for the first search argument outside the limits (before any work)."""
        lim = self.limits
        self.check_query(query)
        if mode not in MODES:
            raise RequestError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
        self._check_parsed(mode, search_type, soft, today)
        self.check_int(k, "k", 1, lim.max_k)
        self.check_int(depth, "depth", 0, lim.max_depth)
        self.check_int(adjacent_k, "adjacent_k", 1, lim.max_k)
        self.check_int(fetch_k, "fetch_k", 1, 10 * lim.max_k)
        self.check_int(entity_k, "entity_k", 0, lim.max_k)
        if isinstance(lambda_mult, bool) or not isinstance(lambda_mult, (int, float)) or not 0 <= lambda_mult <= 1:
            raise RequestError("lambda_mult", f"must lie in [0, 1], got {lambda_mult!r}")
        if filter is not None and not isinstance(filter, dict):
            raise RequestError("filter", f"expected an object of metadata key: value, got {type(filter).__name__}")

    def _check_parsed(self, mode: Any, search_type: Any, soft: Any, today: Any) -> None:
        """The parsed mode's own arguments: only with mode "parsed", and that only with --fields."""
        from .parsed import SEARCH_TYPES

        if mode != "parsed":
            for name, value in (("search_type", search_type), ("soft", soft), ("today", today)):
                if value is not None:
                    raise RequestError(name, f'is an argument of mode "parsed" only (mode is {mode!r})')
            return
        if self.parsing is None:
            raise RequestError("mode", 'mode "parsed" needs fields: start the server with --fields FILE '
                               "(the fields file of `doclinks parse`)", 400)  # fmt: skip
        if search_type is not None and search_type not in SEARCH_TYPES:
            raise RequestError("search_type", f"must be one of {', '.join(SEARCH_TYPES)}, got {search_type!r}")
        if soft is not None and not isinstance(soft, bool):
            raise RequestError("soft", f"expected true or false, got {soft!r}")
        try:
            self.parsing.check_today(today)
        except (ValueError, TypeError) as exc:
            raise RequestError("today", str(exc)) from None

    def parse_query(self, query: str, today: str | None = None) -> Any:
        """The question's `ParsedQuery` on this server's fields (mode "parsed"; model work: run it in a worker)."""
        if self.parsing is None:
            raise RequestError("mode", 'mode "parsed" needs fields: start the server with --fields FILE', 400)
        query = self.check_query(query)
        self.parsing.check_today(today)
        try:
            return self.parsing.parser(self.reader()).parse(query, today=today)
        except (ValueError, TypeError) as exc:
            raise RequestError("query", str(exc)) from None

    def search(self, query: str, *, mode: str = "traversal", k: int = 4, depth: int = 1, adjacent_k: int = 10,
               fetch_k: int = 100, lambda_mult: float = 0.5, entity_k: int = 2,
               filter: dict[str, Any] | None = None, search_type: str | None = None, soft: bool | None = None,
               today: str | None = None, parsed: Any = None, query_vector: Any = None) -> dict[str, Any]:  # fmt: skip
        """One search (the module's `MODES`); results in the store's order, each with its reasons.
        `query_vector`: the text searched already embedded (`QueryBatcher`; in mode "parsed", of the parse's
        `search_text`); None: embedded here. `parsed`: mode "parsed", the question already parsed
        (`parse_query`); None: parsed here."""
        self.check_search(query, mode=mode, k=k, depth=depth, adjacent_k=adjacent_k, fetch_k=fetch_k,
                          lambda_mult=lambda_mult, entity_k=entity_k, filter=filter, search_type=search_type,
                          soft=soft, today=today)  # fmt: skip
        store = self.reader()
        if mode == "parsed" and parsed is None:
            parsed = self.parse_query(query, today)
        if query_vector is not None:
            self.queries.given(query if parsed is None else parsed.search_text, query_vector)
        try:
            if mode == "parsed":
                from .parsed import parsed_search

                return parsed_search(self, store, query, parsed, search_type=search_type, k=k, depth=depth,
                                     adjacent_k=adjacent_k, entity_k=entity_k, filter=filter, soft=bool(soft),
                                     today=today)  # fmt: skip
            if mode == "similarity":
                docs = store.similarity_search(query, k=k, filter=filter)
            elif mode == "traversal":
                docs = store.traversal_search(query, k=k, depth=depth, adjacent_k=adjacent_k, filter=filter)
            elif mode == "mmr_traversal":
                docs = store.mmr_traversal_search(query, k=k, depth=depth, fetch_k=fetch_k, adjacent_k=adjacent_k,
                                                  lambda_mult=lambda_mult, filter=filter)  # fmt: skip
            else:
                self._read_queries_with_model(store)
                if mode == "ppr":
                    docs = store.ppr_search(query, k=k, filter=filter)
                else:
                    docs = store.traversal_search(query, k=k, depth=depth, adjacent_k=adjacent_k, filter=filter,
                                                  entity_k=max(entity_k, 1))  # fmt: skip
        except (ValueError, TypeError) as exc:
            raise RequestError("filter" if "filter" in str(exc) else "body", str(exc)) from None
        return search_json(query, mode, k, docs)

    def _read_queries_with_model(self, store: Any) -> None:
        """Entity-seeded and PPR searches read the query with this server's model, on the store's labels."""
        from ..store.entity_search import entity_labels

        labels = entity_labels(kind for kind, _ in store.tags()) or ["Person"]
        store.query_extractor = self.extractor(labels)

    def entities(self, text: str, labels: Any, threshold: float = 0.5) -> dict[str, Any]:
        """The entity mentions of `text` for `labels` (character offsets, end exclusive)."""
        text = self.check_text(text, "text")
        labels = self.check_labels(labels)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
            raise RequestError("threshold", f"must lie in (0, 1), got {threshold!r}")
        records = next(iter(self.extractor(labels, float(threshold)).extract_entities([text])))
        return {"text": text, "labels": labels, "colors": label_colors(labels),
                "entities": [mention_json(r) for r in records]}  # fmt: skip

    def document(self, doc_id: str) -> dict[str, Any]:
        """One stored chunk: text, metadata, tags (with their degrees) and mentions."""
        from ..store import UnknownIdError

        doc_id = self.check_text(doc_id, "id", 10_000)
        store = self.reader()
        try:
            [doc] = store.get_by_ids([doc_id])
        except UnknownIdError:
            raise RequestError("id", f"no document {doc_id!r}", 404) from None
        pairs = list(dict.fromkeys((link.kind, link.tag) for link in doc.metadata.get("links", []) or []))
        degrees = store.tag_degrees(pairs) if pairs else {}
        out = chunk_json(doc)
        out["tags"] = [{"kind": link.kind, "label": label_of(link.kind), "direction": link.direction, "tag": link.tag,
                        "degree": degrees.get((link.kind, link.tag), 0)}
                       for link in doc.metadata.get("links", []) or []]  # fmt: skip
        out["degree_limit"] = store.degree_limit()
        return out

    def neighbours(self, *, doc_id: str | None = None, kind: str | None = None, tag: str | None = None,
                   depth: int = 2, max_nodes: int = 50) -> dict[str, Any]:  # fmt: skip
        """The graph around a chunk or a tag (`doclinks.store.neighbourhood`), chunk nodes as `chunk_json`."""
        from ..store import UnknownIdError
        from ..store.neighbourhood import neighbourhood

        depth = self.check_int(depth, "depth", 0, 2 * self.limits.max_depth)
        max_nodes = self.check_int(max_nodes, "max_nodes", 1, self.limits.max_nodes)
        pair = self._pair(kind, tag) if doc_id is None else None
        if doc_id is not None:
            if kind is not None or tag is not None:
                raise RequestError("id", "give either id, or kind and tag, not both")
            doc_id = self.check_text(doc_id, "id", 10_000)
        try:
            graph = neighbourhood(self.reader(), doc_id=doc_id, tag=pair, depth=depth, max_nodes=max_nodes)
        except UnknownIdError:
            raise RequestError("id", f"no document {doc_id!r}", 404) from None
        for node in graph["nodes"]:
            if node["type"] == "chunk":
                fields = chunk_json(node.pop("document"), snippet_only=True)
                del fields["id"]  # the node's id is "chunk:<id>"; the chunk's own id is "doc_id"
                node.update(fields)
            else:
                node["label"] = label_of(node["kind"])
        labels = {label_of(k) for k, _ in self.reader().tags()} if graph["nodes"] else set()
        graph["colors"] = label_colors(labels)
        return graph

    def _pair(self, kind: Any, tag: Any) -> tuple[str, str]:
        if kind is None or tag is None:
            raise RequestError("kind" if kind is None else "tag", "give a document id, or a tag's kind and tag")
        return self.check_text(kind, "kind", 1_000), self.check_text(tag, "tag", 10_000)

    def tag_chunks(self, kind: str, tag: str, *, offset: int = 0, limit: int = 20) -> dict[str, Any]:
        """The chunks carrying a tag (its incoming side), a page at a time in insertion order."""
        from ..store.neighbourhood import tag_members

        pair = self._pair(kind, tag)
        offset = self.check_int(offset, "offset", 0, 2**31)
        limit = self.check_int(limit, "limit", 1, self.limits.max_k)
        total, docs = tag_members(self.reader(), pair, offset=offset, limit=limit)
        nxt = offset + len(docs)
        return {"kind": pair[0], "label": label_of(pair[0]), "tag": pair[1], "total": total, "offset": offset,
                "next_offset": nxt if nxt < total else None, "chunks": [chunk_json(d) for d in docs]}  # fmt: skip

    def tag_stats(self, top: int = 20) -> dict[str, Any]:
        """Tag counts, the most linked tags and the hubs (`doclinks.store.neighbourhood.tag_statistics`)."""
        from ..store.neighbourhood import tag_statistics

        top = self.check_int(top, "top", 1, self.limits.max_k)
        stats = tag_statistics(self.reader(), top=top)
        for row in stats["most_linked"] + stats["hubs"]:
            row["label"] = label_of(row["kind"])
        return stats

    # ------------------------------------------------------------------ writes
    def ingest(self, documents: list[dict[str, Any]], labels: Any, *, chunk_size: int = 1000,
               threshold: float = 0.5) -> dict[str, Any]:  # fmt: skip
        """Split, link and store `documents` (``{"text", "id"?, "metadata"?}``), as ``doclinks ingest`` does."""
        from .ingest import ingest_documents

        if self.writer is None:
            raise RequestError("ingest", "this server was started without --allow-ingest", 403)
        try:
            return ingest_documents(self, documents, labels, chunk_size=chunk_size, threshold=threshold)
        finally:
            self._written()

    def _written(self) -> None:
        """After a write: the parsed mode links values to the store's values again."""
        if self.parsing is not None:
            self.parsing.changed()

    def delete(self, ids: Any) -> dict[str, Any]:
        """Delete chunks by id, all or none: an unknown id deletes nothing (404 naming it)."""
        from ..store import UnknownIdError

        if self.writer is None:
            raise RequestError("delete", "this server was started without --allow-ingest", 403)
        if not isinstance(ids, list) or not ids:
            raise RequestError("ids", "expected a non-empty list of document ids")
        if len(ids) > self.limits.max_documents:
            raise RequestError("ids", f"{len(ids)} ids; the limit is {self.limits.max_documents}", 413)
        ids = [self.check_text(i, f"ids[{n}]", 10_000) for n, i in enumerate(ids)]
        try:
            deleted = self.writer.delete(ids, missing="raise")
        except UnknownIdError as exc:
            raise RequestError("ids", str(exc), 404) from None
        self._written()
        return {"deleted": deleted}
