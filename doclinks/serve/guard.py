"""`Guard`: the checks every request passes before a route sees it (a plain ASGI middleware).

- The Host header must name this server (`ServeSettings.host_names`): a page on another site whose name
  resolves to 127.0.0.1 (DNS rebinding) sends its own name and is refused (400).
- A request that may change something (any method but GET, HEAD, OPTIONS) coming from a page (an Origin
  header) must come from this server's own origin (403); no CORS header is ever sent, so other sites'
  pages cannot read answers either.
- A request body is at most ``Limits.max_body_bytes`` (413), whether it says its length or streams.
- A body must be JSON (``application/json``) or, for ingest, JSONL (``application/x-ndjson``) (415): the
  content types an HTML form cannot send without the CORS preflight that the missing CORS headers fail.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Guard", "BODY_TYPES"]

#: The request body types the API reads.
BODY_TYPES = ("application/json", "application/x-ndjson", "application/jsonl")

_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _host_name(value: str) -> str:
    """The host of a Host header value, lower case, without its port (``[::1]:8000`` -> ``[::1]``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """The ASGI middleware of the module docstring.

    Args:
        app: the application it guards.
        hosts: the allowed Host names (lower case, no port).
        max_body_bytes: the largest request body.
    """

    def __init__(self, app: Any, hosts: frozenset[str], max_body_bytes: int) -> None:
        self.app, self.hosts, self.max_body_bytes = app, hosts, max_body_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = _host_name(headers.get("host", ""))
        if host not in self.hosts:
            await _refuse(send, 400, "host", f"Host header {headers.get('host', '')!r} is not allowed "
                          "(this server answers only its own names; see --allow-host)")  # fmt: skip
            return
        method = scope["method"]
        origin = headers.get("origin")
        if method not in _SAFE_METHODS and origin is not None and _host_name(urlsplit(origin).netloc) not in self.hosts:
            await _refuse(send, 403, "origin", f"requests from the page {origin!r} are not allowed")
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await _refuse(send, 413, "body", f"the body is {length} bytes; the limit is {self.max_body_bytes:,}")
            return
        if method not in _SAFE_METHODS and (length not in (None, "0") or "transfer-encoding" in headers):
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in BODY_TYPES:
                await _refuse(send, 415, "content-type", f"expected application/json (or application/x-ndjson for "
                              f"ingest), got {kind or 'none'!r}")  # fmt: skip
                return
        await self._call_counting(scope, receive, send)

    async def _call_counting(self, scope: dict, receive: Any, send: Any) -> None:
        """Read the whole body first (at most the limit: a streamed body is refused once it passes it),
        then run the app on it."""
        if scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_body_bytes:
                await _refuse(send, 413, "body", f"the body is over the limit of {self.max_body_bytes:,} bytes")
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Any, status: int, field: str, message: str) -> None:
    """Answer a JSON error ``{"message", "field"}`` with `status`."""
    body = json.dumps({"message": f"{field}: {message}", "field": field}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
