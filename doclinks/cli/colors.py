"""One colour per entity label, the same on every HTML page: `doclinks.html_assets` (shared with the
web page of `doclinks serve`)."""

from ..html_assets import PALETTE, label_color, label_colors

__all__ = ["PALETTE", "label_color", "label_colors"]
