"""doclinks: link documents on the named entities they share, and retrieve along those links."""

__version__ = "0.1.0"
