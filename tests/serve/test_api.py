"""The JSON API of `doclinks serve`, against the real server process on a real SQLite file.

Reads on the read-only server; every bad request answers its 4xx naming the field and leaves the file
byte-identical; writes only with --allow-ingest and the token; searches keep answering while an ingest writes.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from .conftest import XSS_TEXT, store_bytes

MODES = ["similarity", "traversal", "mmr_traversal", "entity_seeded", "ppr"]


def post(client, path, body, **kwargs):
    return client.post(path, json=body, **kwargs)


def test_health_and_openapi(read_server):
    with read_server.client() as c:
        health = c.get("/api/health").json()
        assert health["status"] == "ok" and health["chunks"] == 8 and health["ingest"] is False
        schema = c.get("/openapi.json").json()
    for path in ("/api/search", "/api/entities", "/api/documents/{doc_id}", "/api/neighbours", "/api/tags",
                 "/api/tags/chunks", "/api/ingest", "/api/delete"):  # fmt: skip
        assert path in schema["paths"], path
    assert {"SearchRequest", "SearchResponse", "Neighbourhood", "DocumentResponse"} <= set(
        schema["components"]["schemas"]
    )


@pytest.mark.parametrize("mode", MODES)
def test_every_search_mode_answers_with_ids_scores_and_reasons(read_server, mode):
    body = {"query": "Where does Anna Smith live?", "mode": mode, "k": 3, "depth": 1}
    with read_server.client() as c:
        first = post(c, "/api/search", body).json()
        again = post(c, "/api/search", body).json()
    assert first == again  # deterministic order and scores
    results = first["results"]
    assert results and first["mode"] == mode
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    for r in results:
        assert {"id", "score", "similarity", "depth", "via", "query_tags", "mentions", "text"} <= set(r)
        for m in r["mentions"]:
            assert r["text"][m["start"] : m["end"]] == m["text"]  # character offsets into the chunk's text
            assert m["label"] in first["colors"]
    if mode in ("similarity", "traversal", "entity_seeded"):
        assert "Anna Smith" in results[0]["text"]


def test_traversal_results_say_which_tags_brought_them(read_server):
    with read_server.client() as c:
        data = post(
            c, "/api/search", {"query": "Anna Smith lives in Paris", "mode": "traversal", "k": 1, "depth": 2}
        ).json()
    deeper = [r for r in data["results"] if r["depth"] > 0]
    assert deeper, data
    for r in deeper:
        assert r["via"] and all({"kind", "label", "tag", "degree"} <= set(v) for v in r["via"])
    assert any(v["tag"] == "Anna Smith" for r in deeper for v in r["via"])


def test_entities_of_a_text(read_server):
    text = "Alan Turing visited Paris with Ada Lovelace ."
    with read_server.client() as c:
        data = post(c, "/api/entities", {"text": text, "labels": ["person", "location"]}).json()
    found = {(e["text"], e["label"]) for e in data["entities"]}
    assert ("Alan Turing", "person") in found and ("Paris", "location") in found
    for e in data["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]


def chunk_id(client, kind, tag, text_part):
    page = client.get("/api/tags/chunks", params={"kind": kind, "tag": tag}).json()
    return next(c["id"] for c in page["chunks"] if text_part in c["text"])


def test_a_document_with_its_tags(read_server):
    with read_server.client() as c:
        doc_id = chunk_id(c, "entity:person", "Anna Smith", "Berlin")
        doc = c.get(f"/api/documents/{doc_id}").json()
        missing = c.get("/api/documents/no-such-id")
    assert doc["id"] == doc_id and doc["text"] == "Anna Smith visited Berlin with Omar Okafor ."
    tags = {(t["label"], t["tag"]): t["degree"] for t in doc["tags"]}
    assert tags[("person", "Anna Smith")] == 2 and tags[("location", "Berlin")] == 2
    assert missing.status_code == 404 and missing.json()["field"] == "id"


def test_neighbourhood_grows_with_depth_and_says_what_the_cap_cut(read_server):
    with read_server.client() as c:
        doc_id = chunk_id(c, "entity:person", "Anna Smith", "Berlin")
        one = c.get("/api/neighbours", params={"id": doc_id, "depth": 1}).json()
        two = c.get("/api/neighbours", params={"id": doc_id, "depth": 2}).json()
        capped = c.get("/api/neighbours", params={"id": doc_id, "depth": 2, "max_nodes": 3}).json()
        from_tag = c.get("/api/neighbours", params={"kind": "entity:location", "tag": "Berlin", "depth": 1}).json()
    assert {n["type"] for n in one["nodes"][1:]} == {"tag"} and one["truncated"] == 0
    assert len(two["nodes"]) > len(one["nodes"])
    assert {"Anna Smith lives in Paris .", "Siemens opened an office in Berlin ."} <= {
        n["snippet"] for n in two["nodes"] if n["type"] == "chunk"
    }
    assert len(capped["nodes"]) == 3 and capped["truncated"] >= 1 and capped["complete"] is False
    assert two["complete"] is True and two["truncated"] == 0
    ids = {n["id"] for n in two["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in two["edges"])
    assert sum(n["type"] == "chunk" for n in from_tag["nodes"]) == 2


def test_tag_statistics_and_the_chunks_of_a_tag(read_server):
    with read_server.client() as c:
        stats = c.get("/api/tags", params={"top": 5}).json()
        page = c.get("/api/tags/chunks", params={"kind": "entity:person", "tag": "Hiroshi Tanaka", "limit": 1}).json()
        rest = c.get("/api/tags/chunks", params={"kind": "entity:person", "tag": "Hiroshi Tanaka", "offset": 1}).json()
    assert stats["chunks"] == 8 and stats["linking_tags"] >= 4
    assert ("person", "Anna Smith", 2) in {(t["label"], t["tag"], t["degree"]) for t in stats["most_linked"]}
    assert page["total"] == 2 and len(page["chunks"]) == 1 and page["next_offset"] == 1
    assert len(rest["chunks"]) == 1 and rest["next_offset"] is None


BIG = b'{"query": "' + b"a" * 10_000_000 + b'"}'

BAD_READS = [
    ("missing query", "post", "/api/search", {"json": {"k": 3}}, 422, "query"),
    ("k = 10^9", "post", "/api/search", {"json": {"query": "Paris", "k": 10**9}}, 422, "k"),
    ("depth = 10^6", "post", "/api/search", {"json": {"query": "Paris", "depth": 10**6}}, 422, "depth"),
    ("neighbourhood depth = 10^6", "get", "/api/neighbours", {"params": {"id": "x", "depth": 10**6}}, 422, "depth"),
    ("max_nodes = 10^9", "get", "/api/neighbours", {"params": {"id": "x", "max_nodes": 10**9}}, 422, "max_nodes"),
    ("unknown mode", "post", "/api/search", {"json": {"query": "Paris", "mode": "magic"}}, 422, "mode"),
    ("k a string", "post", "/api/search", {"json": {"query": "Paris", "k": "4"}}, 422, "k"),
    ("a 10 MB body", "post", "/api/search", {"content": BIG, "headers": {"Content-Type": "application/json"}}, 413, "body"),
    ("NUL in a label", "post", "/api/entities", {"json": {"text": "Anna Smith", "labels": ["per\x00son"]}}, 422, "labels[0]"),
    ("too many labels", "post", "/api/entities", {"json": {"text": "Anna", "labels": [f"l{i}" for i in range(99)]}}, 422, "labels"),
    ("a long query", "post", "/api/search", {"json": {"query": "Paris " * 1000}}, 413, "query"),
    ("a nested filter", "post", "/api/search", {"json": {"query": "Paris", "filter": {"a": {"b": 1}}}}, 422, "filter.a"),
    ("not JSON", "post", "/api/search", {"content": b"{query", "headers": {"Content-Type": "application/json"}}, 422, "body"),
    ("a form post", "post", "/api/search", {"data": {"query": "Paris"}}, 415, "content-type"),
    ("a wrong Host header", "get", "/api/health", {"headers": {"Host": "attacker.example"}}, 400, "host"),
    ("another site's page", "post", "/api/search", {"json": {"query": "Paris"}, "headers": {"Origin": "http://attacker.example"}}, 403, "origin"),
    ("ingest on a read-only server", "post", "/api/ingest", {"json": {"labels": ["person"], "texts": ["Anna"]}}, 403, "authorization"),
    ("unknown tag field", "get", "/api/tags/chunks", {"params": {"kind": "entity:person"}}, 422, "tag"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_READS, ids=[c[0] for c in BAD_READS])
def test_bad_requests_get_a_4xx_naming_the_field_and_change_nothing(read_server, served_db, case):
    _, method, path, kwargs, status, field = case
    before = store_bytes(served_db)
    with read_server.client() as c:
        response = getattr(c, method)(path, **kwargs)
        assert c.get("/api/health").status_code == 200  # still answering
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field and field in body["message"] and "Traceback" not in response.text
    assert store_bytes(served_db) == before


def test_no_cors_headers_for_other_sites(read_server):
    with read_server.client() as c:
        response = c.get("/api/health", headers={"Origin": "http://attacker.example"})
        preflight = c.options("/api/search", headers={"Origin": "http://attacker.example",
                                                      "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in preflight.headers and preflight.status_code >= 400


def test_writes_need_the_token(write_server):
    db = write_server.db
    body = {"labels": ["person", "location"], "texts": ["Grace Hopper lives in Boston ."]}
    before = store_bytes(Path(db))
    with write_server.client() as c:
        none = post(c, "/api/ingest", body)
        wrong = post(c, "/api/ingest", body, headers={"Authorization": "Bearer " + "0" * 32})
        delete = post(c, "/api/delete", {"ids": ["x"]}, headers={"Authorization": "Basic abc"})
    for response in (none, wrong, delete):
        assert response.status_code == 401 and response.json()["field"] == "authorization"
    assert store_bytes(Path(db)) == before


def test_ingest_search_and_delete_with_the_token(write_server):
    texts = ["Grace Hopper lives in Boston .", "Grace Hopper works for IBM ."]
    with write_server.client() as c:
        done = post(c, "/api/ingest", {"labels": ["person", "location", "organization"], "texts": texts},
                    headers=write_server.auth()).json()  # fmt: skip
        assert done["new_chunks"] == 2 and len(done["ids"]) == 2
        again = post(c, "/api/ingest", {"labels": ["person", "location", "organization"], "texts": texts},
                     headers=write_server.auth()).json()  # fmt: skip
        assert again["new_chunks"] == 0  # idempotent
        jsonl = b'{"text": "Ada Lovelace lives in London .", "id": "ada", "year": 1843}\n'
        by_line = c.post("/api/ingest", params={"labels": "person,location"}, content=jsonl,
                         headers={**write_server.auth(), "Content-Type": "application/x-ndjson"}).json()  # fmt: skip
        assert by_line["new_chunks"] == 1
        found = post(c, "/api/search", {"query": "Who lives in Boston?", "mode": "similarity", "k": 1}).json()
        assert found["results"][0]["id"] in done["ids"]
        tags = c.get("/api/tags/chunks", params={"kind": "entity:person", "tag": "Grace Hopper"}).json()
        assert tags["total"] == 2
        ada = c.get(f"/api/documents/{by_line['ids'][0]}").json()
        assert ada["metadata"]["year"] == 1843 and ada["source"] == "ada"
        unknown = post(c, "/api/delete", {"ids": [done["ids"][0], "no-such-id"]}, headers=write_server.auth())
        assert unknown.status_code == 404  # all or nothing
        assert c.get(f"/api/documents/{done['ids'][0]}").status_code == 200
        gone = post(c, "/api/delete", {"ids": done["ids"]}, headers=write_server.auth()).json()
        assert gone == {"deleted": 2}
        assert c.get(f"/api/documents/{done['ids'][0]}").status_code == 404


def test_searches_keep_answering_while_an_ingest_writes(write_server):
    texts = [
        f"{first} {last} lives in {place} ."
        for first, last, place in zip(
            ["Anna", "John", "Maria", "Omar", "Li", "Elena", "Pierre", "Aiko"] * 8,
            ["Smith", "Garcia", "Wang", "Okafor", "Rossi", "Tanaka", "Hopper", "Mendes"] * 8,
            ["Paris", "Tokyo", "Berlin", "Lagos", "Lima", "Oslo", "London", "Nairobi"] * 8,
        )
    ]
    texts = [f"{t} Note {i} ." for i, t in enumerate(texts)]  # 64 new chunks
    result = {}

    def ingest():
        with write_server.client() as c:
            result["response"] = post(c, "/api/ingest", {"labels": ["person", "location"], "texts": texts},
                                      headers=write_server.auth())  # fmt: skip
            result["done_at"] = time.monotonic()

    writer = threading.Thread(target=ingest)
    writer.start()
    answered = []
    with write_server.client() as c:
        while writer.is_alive() and len(answered) < 200:
            response = post(c, "/api/search", {"query": "Who lives in Paris?", "k": 2})
            assert response.status_code == 200, response.text
            answered.append(time.monotonic())
    writer.join()
    assert result["response"].status_code == 200 and result["response"].json()["new_chunks"] == 64
    during = [t for t in answered if t < result["done_at"]]
    assert len(during) >= 3, f"only {len(during)} searches answered while the ingest ran"


def test_xss_document_is_returned_as_data(read_server):
    with read_server.client() as c:
        data = post(c, "/api/search", {"query": "Maria Garcia lives in Lima", "mode": "similarity", "k": 1}).json()
    assert data["results"][0]["text"] == XSS_TEXT  # the API returns text; the page escapes it (test_page.py)
