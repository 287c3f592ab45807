"""Links between documents (LangChain-compatible `Link`, `add_links`, `get_links`)."""

from .link import Link, add_links, get_links

__all__ = ["Link", "add_links", "get_links"]
