"""Errors of the command-line jobs."""

from __future__ import annotations


class AppError(Exception):
    """A problem the user can fix (missing file, empty folder, not a doclinks database, ...).

    The command line prints its message as one line on stderr and exits with status 1.
    """
