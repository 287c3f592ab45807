"""A search reads one state of an SQLite file even when another connection commits while it runs.

`refresh` loads the vector matrix when an operation begins; the link tables are read by later
statements, each at the newest commit. A chunk committed in between (a `doclinks serve` ingest while a
search runs) must not reach the strategies without its vector: it waits for the next operation.
"""

from __future__ import annotations

import numpy as np

from doclinks.links import Link
from doclinks.store import SQLiteGraphStore
from doclinks.store.testing.kit import VectorTextEmbeddings, doc, unit, vec_text


def test_a_chunk_committed_during_a_search_waits_for_the_next_one(tmp_path):
    path = tmp_path / "s.db"
    tag = Link.bidir("entity:Person", "Ada")
    writer = SQLiteGraphStore(path, VectorTextEmbeddings())
    writer.add_documents([doc("a", unit(0), tag), doc("b", unit(10))])
    reader = SQLiteGraphStore(path, VectorTextEmbeddings())
    assert [d.id for d in reader.traversal_search(vec_text(unit(0)), k=1)] == ["a"]  # the matrix is loaded
    writer.add_documents([doc("new", unit(5), tag)])  # committed after the reader's refresh ...
    backend = reader.backend  # ... and read by the reader's next statements without a refresh:
    [key_a] = [h.key for h in backend.search(np.array(unit(0), dtype=np.float32), 1, None)]
    assert len(backend.expand([key_a], np.array(unit(0), dtype=np.float32), None, 100, {key_a})) == 0
    assert {row[0] for row in backend.tag_chunks([("entity:Person", "Ada")], 100)} == {key_a}
    found = reader.traversal_search(vec_text(unit(0)), k=1)  # the next operation refreshes and sees it whole
    assert [d.id for d in found] == ["a", "new"]
    writer.close()
    reader.close()
