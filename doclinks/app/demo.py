"""`doclinks demo`: the main job in one command, on the embedded defaults.

Ingests the 2022 State of the Union address (``texts/state_of_the_union.txt`` of the shared
data folder: ``$DOCLINKS_DATA``, else ``../shared/data`` beside the project) when it is
there, else the sample text shipped inside the package (`doclinks/data/sample.txt`), with
the labels Person, Organization and Location; then runs one traversal search and prints the
results. Run again, it finds every chunk already stored and only searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["DemoInput", "demo_input", "DEMO_LABELS", "SAMPLE"]

DEMO_LABELS = ["Person", "Organization", "Location"]

#: The sample text shipped with the package.
SAMPLE = "sample.txt"


@dataclass(frozen=True)
class DemoInput:
    path: Path
    question: str
    what: str


def sample_path() -> Path:
    """The packaged sample text (a few paragraphs, written for doclinks, public domain)."""
    return Path(str(resources.files("doclinks.data") / SAMPLE))


def demo_input() -> DemoInput:
    """The text the demo ingests, and the question it asks about it."""
    from ..ner.data import data_root

    sotu = data_root() / "texts" / "state_of_the_union.txt"
    if sotu.is_file():
        return DemoInput(sotu, "What did the president say about Ketanji Brown Jackson?", "the 2022 State of the Union address")
    return DemoInput(sample_path(), "Who built the lighthouse at Cascais?", "the sample text shipped with doclinks")
