"""Errors raised by the graph stores (bad input raises ValueError/TypeError instead)."""

from __future__ import annotations

__all__ = ["StoreError", "StoreClosedError", "StoreConnectionError", "UnknownIdError"]


class StoreError(Exception):
    """Base class of the errors a store raises about itself (not about its input)."""


class StoreClosedError(StoreError):
    """The store was closed with `close()`; open a new one to go on."""


class StoreConnectionError(StoreError):
    """The database cannot be reached, opened, or it failed mid-operation."""


class UnknownIdError(KeyError):
    """Ids that are not in the store (``.ids`` lists them)."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = list(ids)
        shown = ", ".join(repr(i) for i in self.ids[:10])
        more = f" and {len(self.ids) - 10} more" if len(self.ids) > 10 else ""
        super().__init__(f"unknown document id(s): {shown}{more}")

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.args[0]
