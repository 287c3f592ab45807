"""Connecting to PostgreSQL: the store's settings, psycopg (with the message naming what to install when
it is missing) and the adapters that send and read pgvector's ``vector`` in its binary format."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import numpy as np

from ...errors import StoreConnectionError

try:
    import psycopg
    from psycopg import sql
    from psycopg.adapt import Dumper, Loader
    from psycopg.pq import Format
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "PostgresGraphStore needs psycopg 3: pip install 'psycopg[binary]' (or doclinks[postgres])"
    ) from exc

__all__ = ["PostgresSettings", "Vector", "connect", "redacted", "psycopg", "sql"]

_COLLECTION = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class PostgresSettings:
    """Settings of `PostgresGraphStore`.

    Args:
        collection: prefix of the store's tables, so that several stores share a
            database; lowercase letters, digits, underscores (default ``"doclinks"``).
        hnsw_m: HNSW graph degree (default 16, pgvector's default).
        hnsw_ef_construction: HNSW build beam width (default 64, pgvector's default).
        ef_search: HNSW search beam width (default 100); raised to the number of
            results asked for, up to pgvector's maximum of 1000.
        exact: scan every vector instead of using the index (default False).
        connect_timeout_s: seconds to wait for the server (default 10).
    """

    collection: str = "doclinks"
    hnsw_m: int = 16
    hnsw_ef_construction: int = 64
    ef_search: int = 100
    exact: bool = False
    connect_timeout_s: int = 10

    def __post_init__(self) -> None:
        if not isinstance(self.collection, str) or not _COLLECTION.match(self.collection):
            raise ValueError(
                "collection must be 1-40 characters of a-z, 0-9 and _, not starting with a digit, "
                f"got {self.collection!r}"
            )
        for name in ("hnsw_m", "hnsw_ef_construction", "ef_search", "connect_timeout_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")


class Vector:
    """A float32 array to be sent as a pgvector ``vector`` (binary format)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _adapters(oid: int):
    class VectorDumper(Dumper):
        format = Format.BINARY

        def dump(self, obj: Vector) -> bytes:
            # pgvector's binary format: dim (uint16), unused (uint16), float32 big-endian.
            a = obj.array
            return struct.pack(">HH", a.shape[0], 0) + a.astype(">f4").tobytes()

    VectorDumper.oid = oid

    class VectorLoader(Loader):
        format = Format.BINARY

        def load(self, data) -> np.ndarray:
            return np.frombuffer(bytes(data), dtype=">f4", offset=4).astype(np.float32)

    return VectorDumper, VectorLoader


def redacted(dsn: str) -> str:
    """`dsn` without its password, for messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        return "<unparsable dsn>"
    params.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in params.items())


def connect(dsn: str, settings: PostgresSettings, where: str):
    """A new autocommit connection to `dsn`, with pgvector's types registered (the extension is created
    when missing); `where` names the server in errors (`redacted`)."""
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=settings.connect_timeout_s)
    except psycopg.Error as exc:
        raise StoreConnectionError(f"cannot connect to PostgreSQL at {where}: {exc}") from exc
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        info = psycopg.types.TypeInfo.fetch(conn, "vector")
    except psycopg.Error as exc:
        conn.close()
        raise StoreConnectionError(f"PostgreSQL at {where} has no usable pgvector extension: {exc}") from exc
    if info is None:  # the CREATE EXTENSION above succeeded, so only a concurrent DROP EXTENSION gets here
        conn.close()
        raise StoreConnectionError(f"PostgreSQL at {where} has no usable pgvector extension: no type 'vector'")
    dumper, loader = _adapters(info.oid)
    conn.adapters.register_dumper(Vector, dumper)
    conn.adapters.register_loader(info.oid, loader)
    return conn
