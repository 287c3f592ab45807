"""The ASGI application of `doclinks serve`: the JSON API (OpenAPI at ``/openapi.json``) and the web page.

Every route that embeds, extracts or reads the store awaits the read pool (`WorkerPool`); ingest and
delete await the writer's own pool, so searches keep answering while an ingest runs. Errors are JSON
``{"message", "field"}`` with a 4xx status (5xx only for the server's own failures: a full queue is 503
with Retry-After), never a traceback. Writes exist only with ``allow_ingest`` and a bearer token.
"""

from __future__ import annotations

import hmac
import json
import logging
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from .batching import QueryBatcher
from .guard import Guard
from .pool import Busy, WorkerPool
from .schemas import (
    DeleteRequest,
    DeleteResponse,
    DocumentResponse,
    EntitiesRequest,
    EntitiesResponse,
    Health,
    IngestRequest,
    IngestResponse,
    Neighbourhood,
    SearchRequest,
    SearchResponse,
    TagChunks,
    TagStats,
)
from .service import RequestError, Service

__all__ = ["create_app", "build_api"]

log = logging.getLogger("doclinks.serve")

#: The page's Content-Security-Policy: its own scripts only, nothing inline, no other site.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")  # fmt: skip

_STATIC = {"app.js": "text/javascript", "app.css": "text/css"}


def _error(status: int, field: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": f"{field}: {message}" if field else message, "field": field}, status, headers)


def _threads_init() -> None:
    """Each worker thread runs torch on one thread: the workers together use the cores."""
    import torch

    torch.set_num_threads(1)


def _writer_init() -> None:
    """The writer thread also yields the CPU to searches: on Linux a thread has its own nice value, and
    the writer's is 10 above the process's (elsewhere nothing changes)."""
    import os
    import threading

    _threads_init()
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + 10))
    except (AttributeError, OSError):
        pass


def build_api(service: Service, reads: WorkerPool, writes: WorkerPool, batcher: QueryBatcher) -> FastAPI:
    """The FastAPI application on a ready `service` (no Guard: see `create_app`)."""
    settings = service.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        batcher.close()
        reads.shutdown()
        writes.shutdown()
        service.close()

    app = FastAPI(title="doclinks", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Search documents linked by the entities they share. See docs/serve.md.")  # fmt: skip

    @app.exception_handler(RequestError)
    async def request_error(_: Request, exc: RequestError) -> JSONResponse:
        return _error(exc.status, exc.field, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
        field = _field_of(first.get("loc", ()))
        detail = [
            {"field": ".".join(str(x) for x in e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()
        ]
        return JSONResponse(
            {"message": f"{field}: {first.get('msg', 'invalid')}", "field": field, "detail": detail}, 422
        )

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> JSONResponse:
        return _error(503, "", str(exc), {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Exception)
    async def failure(_: Request, exc: Exception) -> JSONResponse:
        from ..store import StoreConnectionError

        log.error("request failed: %s: %s", type(exc).__name__, exc)
        if isinstance(exc, StoreConnectionError):
            return _error(503, "", "the store cannot be reached now", {"Retry-After": "5"})
        return _error(500, "", "internal error (see the server's log)")

    def authorise(request: Request) -> None:
        """Writes need --allow-ingest and the bearer token (compared in constant time)."""
        if not settings.allow_ingest:
            raise RequestError("authorization", "this server was started without --allow-ingest: it only reads", 403)
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        expected = (settings.token or "").encode("utf-8")
        if (
            scheme.lower() != "bearer"
            or not expected
            or not hmac.compare_digest(given.strip().encode("utf-8"), expected)
        ):
            raise RequestError("authorization", "a valid bearer token is required (Authorization: Bearer <token>)", 401)

    @app.get("/api/health", summary="Whether the server and its store answer", response_model=Health)
    async def health() -> Any:
        return await reads.run(service.health)

    @app.post(
        "/api/search",
        summary="Search: results with ids, scores, depths, mention offsets, via tags",
        response_model=SearchResponse,
    )
    async def search(body: SearchRequest) -> Any:
        request = body.model_dump()
        service.check_search(**request)  # before any work
        if body.mode == "parsed":  # the model reads the question in a worker; the words left are embedded
            parsed = await reads.run(service.parse_query, body.query, body.today)
            vector = await batcher.embed(parsed.search_text)
            return await reads.run(service.search, **request, parsed=parsed, query_vector=vector)
        vector = await batcher.embed(body.query)
        return await reads.run(service.search, **request, query_vector=vector)

    @app.post(
        "/api/entities", summary="The entity mentions of a text (character offsets)", response_model=EntitiesResponse
    )
    async def entities(body: EntitiesRequest) -> Any:
        return await reads.run(service.entities, body.text, body.labels, body.threshold)

    @app.get(
        "/api/documents/{doc_id:path}",
        summary="One stored chunk with its tags and mentions",
        response_model=DocumentResponse,
    )
    async def document(doc_id: str) -> Any:
        return await reads.run(service.document, doc_id)

    @app.get(
        "/api/neighbours", summary="The graph around a chunk (id) or a tag (kind, tag)", response_model=Neighbourhood
    )
    async def neighbours(id: str | None = None, kind: str | None = None, tag: str | None = None, depth: int = 2,
                         max_nodes: int = 50) -> Any:  # fmt: skip
        return await reads.run(service.neighbours, doc_id=id, kind=kind, tag=tag, depth=depth, max_nodes=max_nodes)

    @app.get("/api/tags/chunks", summary="The chunks carrying a tag, a page at a time", response_model=TagChunks)
    async def tag_chunks(kind: str, tag: str, offset: int = 0, limit: int = 20) -> Any:
        return await reads.run(service.tag_chunks, kind, tag, offset=offset, limit=limit)

    @app.get("/api/tags", summary="Tag statistics: counts, the most linked tags, the hubs", response_model=TagStats)
    async def tags(top: int = 20) -> Any:
        return await reads.run(service.tag_stats, top)

    @app.post("/api/ingest", summary="Split, link and store texts (JSON, or JSONL with ?labels=)", response_model=IngestResponse,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": IngestRequest.model_json_schema()},
                  "application/x-ndjson": {"schema": {"type": "string"}}}}})  # fmt: skip
    async def ingest(request: Request, labels: str | None = None, chunk_size: int = 1000) -> Any:
        from .ingest import parse_jsonl

        authorise(request)
        raw = await request.body()
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                body = IngestRequest.model_validate_json(raw)
            except ValueError as exc:
                raise _from_pydantic(exc) from None
            documents = [d.model_dump() for d in body.documents] + [{"text": t} for t in body.texts]
            return await writes.run(service.ingest, documents, body.labels, chunk_size=body.chunk_size,
                                    threshold=body.threshold)  # fmt: skip
        if labels is None:
            raise RequestError("labels", "JSONL ingest needs ?labels=Person,Location")
        documents = parse_jsonl(raw)
        label_list = [x.strip() for x in labels.split(",") if x.strip()]
        return await writes.run(service.ingest, documents, label_list, chunk_size=chunk_size)

    @app.post("/api/delete", summary="Delete chunks by id (all or none)", response_model=DeleteResponse)
    async def delete(request: Request, body: DeleteRequest) -> Any:
        authorise(request)
        return await writes.run(service.delete, body.ids)

    @app.delete("/api/documents/{doc_id:path}", summary="Delete one chunk", response_model=DeleteResponse)
    async def delete_one(request: Request, doc_id: str) -> Any:
        authorise(request)
        return await writes.run(service.delete, [doc_id])

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return Response(_static("index.html"), media_type="text/html", headers={"Content-Security-Policy": CSP})

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name == "vis-network.min.js":
            from ..html_assets import vis_network_file

            return Response(vis_network_file().read_bytes(), media_type="text/javascript")
        if name not in _STATIC:
            return _error(404, "name", f"no file {name!r}")
        return Response(_static(name), media_type=_STATIC[name])

    return app


def _static(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


#: pydantic's names of union members in an error's location: not part of the request's field path.
_TYPE_NAMES = ("str", "int", "float", "bool", "none", "list", "dict", "nullable", "union", "literal")


def _field_of(loc: Any) -> str:
    """The request field an error's location names: ``("body", "filter", "a", "str")`` -> ``filter.a``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    if parts and isinstance(parts[0], int):  # a position in a body that is not valid JSON
        return "body"
    out = []
    for part in parts:
        if isinstance(part, str) and (part.split("[")[0] in _TYPE_NAMES or "[" in part):
            break
        out.append(f"[{part}]" if isinstance(part, int) else part)
    return ".".join(out).replace(".[", "[") or "body"


def _from_pydantic(exc: ValueError) -> RequestError:
    """A pydantic ValidationError as a `RequestError` naming the first field."""
    errors: list[Any] = getattr(exc, "errors", list)()
    if not errors:
        return RequestError("body", str(exc).splitlines()[0])
    first = errors[0]
    return RequestError(_field_of(first.get("loc", ())), first.get("msg", "invalid"))


def create_app(service: Service) -> Any:
    """The whole ASGI application: the API behind the `Guard` (hosts, origins, body size, content types)."""
    settings = service.settings
    if settings.allow_ingest and not settings.token:
        raise ValueError("allow_ingest needs a token (--token-file): no token, no write")
    reads = WorkerPool("read", settings.workers, settings.queue, initializer=_threads_init)
    writes = WorkerPool("write", 1, settings.write_queue, initializer=_writer_init)
    batcher = QueryBatcher(service.embedding, max_pending=settings.queue * 4, initializer=_threads_init)
    api = build_api(service, reads, writes, batcher)
    guarded = Guard(api, settings.host_names(), settings.limits.max_body_bytes)
    guarded.api = api  # type: ignore[attr-defined]  # for tests and the OpenAPI export
    return guarded


def openapi_json(service: Service) -> str:
    """The OpenAPI schema of the API, as JSON."""
    return json.dumps(create_app(service).api.openapi(), indent=2)
