"""Query parsing (filled in below)."""
