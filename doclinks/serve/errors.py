"""`RequestError`: what the service refuses, naming the field (its own module, so that the service's parts,
e.g. `ingest`, raise it without importing the service back)."""

from __future__ import annotations

__all__ = ["RequestError"]


class RequestError(ValueError):
    """A request the service refuses: `field` names what is wrong; `status` is the HTTP status."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status = field, message, status
