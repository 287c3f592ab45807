"""What a `doclinks serve` (or `doclinks mcp`) process is: its store, model, writes, and request limits."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Limits", "ServeSettings", "LOCAL_HOSTS"]

#: Host names a server bound to the loopback answers to (the Host header, port stripped).
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Limits:
    """Hard caps on one request: a request over one is refused with a 4xx naming the field.

    Args:
        max_body_bytes: largest request body (default 4 MB).
        max_k: most results of a search, or chunks of a page (default 100).
        max_depth: most hops of a traversal (default 4); a neighbourhood may go twice as deep (its
            depth counts chunk-tag edges, two per hop).
        max_nodes: most nodes of a neighbourhood (default 500).
        max_query_chars: longest search query (default 2,000 characters).
        max_text_chars: longest text read for entities, or ingested as one document (default 100,000).
        max_labels: most entity labels in one request (default 32), each of at most
            ``max_label_chars`` characters (default 100).
        max_documents: most documents in one ingest or delete request (default 1,000).
    """

    max_body_bytes: int = 4_000_000
    max_k: int = 100
    max_depth: int = 4
    max_nodes: int = 500
    max_query_chars: int = 2_000
    max_text_chars: int = 100_000
    max_labels: int = 32
    max_label_chars: int = 100
    max_documents: int = 1_000


@dataclass
class ServeSettings:
    """How `doclinks serve` runs.

    Args:
        db: an SQLite file or a ``postgresql://`` URL.
        model: the NER model (checkpoint folder or hub id) for entities, entity-seeded and PPR searches,
            and ingest; None: the shipped default model.
        allow_ingest: accept ingest and delete requests (default False: the store is only read).
        token: the bearer token HTTP writes must carry (the HTTP API refuses `allow_ingest` without one;
            the MCP server, on stdio, answers only the process that started it and needs none).
        host, port: where to listen (default 127.0.0.1:8000).
        allowed_hosts: Host header values answered besides the loopback names and `host` (DNS rebinding:
            a page on another site that resolves its name to 127.0.0.1 sends its own name).
        fields: a fields file (JSON, as `doclinks parse --fields` reads) for search mode "parsed"; None
            (default): no parsed mode.
        timezone: IANA time zone of "today" for parsed searches that give none (default None: UTC).
        workers: threads that run model and store work (default 2: this machine's cores).
        queue: requests waiting for a worker before new ones get 503 (default 64); writes have their own
            worker and a queue of 4.
        limits: request caps (`Limits`).
    """

    db: str
    model: str | None = None
    allow_ingest: bool = False
    token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ()
    fields: str | None = None
    timezone: str | None = None
    workers: int = 2
    queue: int = 64
    write_queue: int = 4
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        if self.workers < 1 or self.queue < 1 or self.write_queue < 1:
            raise ValueError("workers, queue and write_queue must be >= 1")

    def host_names(self) -> frozenset[str]:
        """The Host header names (lower case, without port) this server answers."""
        names = {*LOCAL_HOSTS, *(h.lower() for h in self.allowed_hosts)}
        if self.host not in ("0.0.0.0", "::"):
            names.add(self.host.lower())
        return frozenset(names)
