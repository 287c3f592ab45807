"""`doclinks stats` and `graph` read an SQLite file through its backend: no LangChain import at start-up,
and the same figures as through the store."""

from __future__ import annotations

import subprocess
import sys

from doclinks.cli.common import open_reader, open_store
from doclinks.links import Link
from doclinks.store import SQLiteGraphStore
from doclinks.store.testing.kit import VectorTextEmbeddings, doc, unit


def _db(tmp_path):
    path = tmp_path / "graph.db"
    with SQLiteGraphStore(path, VectorTextEmbeddings()) as store:
        store.add_documents([
            doc("a", unit(5), Link.bidir("entity:person", "Anna Smith")),
            doc("b", unit(50), Link.bidir("entity:person", "Anna Smith"), Link.bidir("entity:location", "Oslo")),
            doc("c", unit(90)),
        ])  # fmt: skip
    return path


def test_the_reader_sees_what_the_store_sees(tmp_path):
    path = _db(tmp_path)
    with open_store(path) as store, open_reader(path) as reader:
        assert list(reader.iter_documents()) == list(store.iter_documents())
        assert reader.degree_limit() == store.degree_limit()


def test_stats_imports_no_langchain(tmp_path):
    path = _db(tmp_path)
    code = (
        "import sys; from doclinks.cli.stats import collect_stats; "
        f"s = collect_stats({str(path)!r}); print(s['chunks'] if 'chunks' in s else s); "
        "print('langchain_core' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "False"
