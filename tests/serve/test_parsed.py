"""Search mode "parsed" of `doclinks serve --fields F`, against the real server process on a real SQLite file.

One server (module scope) with a year field, its store filled through the API with records carrying a
`year` in their metadata. A year on a year field is found by the model or, where it misses it, by the
parser's pattern scan (score 1.0), so the assertions do not rest on the small test model's scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli, start_server, stop_server, store_bytes

FIELDS = [{"name": "year", "description": "the year of the record", "type": "integer", "labels": ["year"]}]

RECORDS = [
    {"id": "anna", "text": "Anna Smith lives in Paris .", "metadata": {"year": 1995}},
    {"id": "omar", "text": "Omar Okafor lives in Paris .", "metadata": {"year": 2005}},
    {"id": "elena", "text": "Elena Rossi lives in Paris .", "metadata": {"year": 2012}},
    {"id": "hiroshi", "text": "Hiroshi Tanaka lives in Tokyo .", "metadata": {"year": 1999}},
    {"id": "maria", "text": "Maria Garcia works for Nokia in Tokyo .", "metadata": {"year": 2019}},
    {"id": "pierre", "text": "Pierre Dubois lives in Paris with Anna Smith .", "metadata": {}},
]


@pytest.fixture(scope="module")
def parsed_server(small_ner_checkpoint, tmp_path_factory):
    """`doclinks serve --fields fields.json --allow-ingest` on a store of `RECORDS`."""
    folder = tmp_path_factory.mktemp("serve-parsed")
    fields = folder / "fields.json"
    fields.write_text(json.dumps(FIELDS), encoding="utf-8")
    server = start_server(str(folder / "graph.db"), str(small_ner_checkpoint), folder, allow_ingest=True,
                          extra=("--fields", str(fields)))  # fmt: skip
    with server.client() as c:
        done = c.post("/api/ingest", json={"labels": ["person", "location", "organization"], "documents": RECORDS},
                      headers=server.auth())  # fmt: skip
        assert done.status_code == 200 and done.json()["new_chunks"] == len(RECORDS), done.text
    yield server
    stop_server(server)


def search(server, **body):
    with server.client() as c:
        return c.post("/api/search", json=body)


@pytest.mark.parametrize("search_type", ["similarity", "traversal"])
def test_a_parsed_year_filters_the_results(parsed_server, search_type):
    query = "Who lives in Paris after 2000?"
    response = search(parsed_server, query=query, mode="parsed", search_type=search_type, k=10, depth=1)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["mode"] == "parsed" and data["search_type"] == search_type and data["relaxed"] == []
    [constraint] = data["parsed"]["constraints"]
    assert constraint["field"] == "year" and constraint["operator"] in ("gt", "gte")
    assert query[constraint["start"] : constraint["end"]] == "2000" and isinstance(constraint["value"], int)
    assert "after" in query[constraint["phrase_start"] : constraint["phrase_end"]] and constraint["score"] > 0
    assert data["filter"] == data["parsed"]["filter"] and "2000" not in data["search_text"]
    years = {r["metadata"].get("year") for r in data["results"]}
    assert years == {2005, 2012, 2019}  # every record after 2000, and only those (depth 1 too: neighbours filtered)


def test_the_request_filter_is_anded_with_the_parsed_one(parsed_server):
    data = search(parsed_server, query="Who lives in Paris after 2000?", mode="parsed", search_type="similarity",
                  k=10, filter={"year": 2005}).json()  # fmt: skip
    assert [r["metadata"]["year"] for r in data["results"]] == [2005]


@pytest.mark.parametrize("search_type", ["similarity", "traversal", "entity_seeded", "ppr"])
def test_nothing_to_parse_is_the_plain_search(parsed_server, search_type):
    body = {"query": "Who lives in Paris?", "k": 3, "depth": 1}
    parsed = search(parsed_server, **body, mode="parsed", search_type=search_type).json()
    plain = search(parsed_server, **body, mode=search_type).json()
    assert parsed["parsed"]["constraints"] == [] and parsed["parsed"]["limit"] is None
    assert parsed["search_text"] == body["query"] and parsed["filter"] is None and parsed["relaxed"] == []
    assert parsed["results"] and parsed["results"] == plain["results"]


def test_soft_mode_relaxes_and_says_how(parsed_server):
    body = {"query": "Who lives in Tokyo after 2015?", "mode": "parsed", "search_type": "similarity", "k": 3}
    strict = search(parsed_server, **body).json()
    soft = search(parsed_server, **body, soft=True).json()
    assert [r["metadata"]["year"] for r in strict["results"]] == [2019] and strict["relaxed"] == []
    assert len(soft["results"]) == 3 and soft["relaxed"] and soft["relaxed"][0].startswith("widened year")
    assert soft["parsed"] == strict["parsed"]  # the parse is the same; only the filter was relaxed


def test_today_is_read_and_reported(parsed_server):
    data = search(parsed_server, query="Who lives in Paris?", mode="parsed", today="2026-12-07").json()
    assert data["parsed"]["today"] == "2026-12-07"


BAD = [
    ("a bad today", {"query": "Paris after 2000", "mode": "parsed", "today": "yesterday"}, 422, "today"),
    ("today a number", {"query": "Paris after 2000", "mode": "parsed", "today": 2026}, 422, "today"),
    ("today without parsed", {"query": "Paris", "mode": "traversal", "today": "2026-12-07"}, 422, "today"),
    ("soft without parsed", {"query": "Paris", "mode": "similarity", "soft": True}, 422, "soft"),
    ("an unknown search_type", {"query": "Paris", "mode": "parsed", "search_type": "mmr_traversal"}, 422, "search_type"),
    ("k = 10^9", {"query": "Paris after 2000", "mode": "parsed", "k": 10**9}, 422, "k"),
    ("a long query", {"query": "Paris after 2000 " * 200, "mode": "parsed"}, 413, "query"),
    ("an empty query", {"query": "  ", "mode": "parsed"}, 422, "query"),
    ("a bad filter", {"query": "Paris after 2000", "mode": "parsed", "filter": {"year": {"$gt": 1}}}, 422, "filter.year"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_parsed_searches_get_a_4xx_naming_the_field_and_change_nothing(parsed_server, case):
    _, body, status, field = case
    before = store_bytes(Path(parsed_server.db))
    response = search(parsed_server, **body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field and field in response.json()["message"]
    assert "Traceback" not in response.text and store_bytes(Path(parsed_server.db)) == before


def test_without_fields_parsed_is_a_400_naming_mode(read_server, served_db):
    before = store_bytes(served_db)
    response = search(read_server, query="Who lives in Paris after 2000?", mode="parsed")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == "mode" and "--fields" in body["message"]
    assert store_bytes(served_db) == before
    with read_server.client() as c:
        assert c.get("/api/health").json()["fields"] is None


def test_health_names_the_fields(parsed_server):
    with parsed_server.client() as c:
        assert c.get("/api/health").json()["fields"] == ["year"]


def test_a_bad_fields_file_stops_the_server_at_start_up(served_db, tmp_path):
    bad = tmp_path / "fields.json"
    bad.write_text(
        json.dumps([{"name": "year", "type": "integer", "labels": ["year"], "colour": "red"}]), encoding="utf-8"
    )
    for path, says in ((bad, "unknown keys ['colour']"), (tmp_path / "missing.json", "no such file")):
        done = run_cli("serve", "--db", served_db, "--fields", path, "--port", "1", cwd=tmp_path, timeout=120)
        assert done.returncode == 1 and f"--fields {path}: " in done.stderr and says in done.stderr, done.stderr
