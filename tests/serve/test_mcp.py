"""`doclinks mcp` through the `mcp` client over stdio: read-only tools with output schemas, answers under a
size cap with a cursor for the rest, writes only with --allow-ingest, and two server processes ingesting
into one SQLite file at once keep every write."""

from __future__ import annotations

import asyncio
import shutil
import sys

import pytest

from .conftest import cli_env

pytest.importorskip("mcp", reason="doclinks mcp needs the mcp package: pip install -e '.[test]'")

READ_TOOLS = {"search", "entities", "document", "neighbours"}


def params(db, model, *extra):
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(command="nice", args=["-n", "10", sys.executable, "-m", "doclinks", "mcp", "--db", str(db),
                                                      "--model", str(model), *extra], env=cli_env())  # fmt: skip


def session(db, model, *extra):
    from mcp import Client

    return Client(params(db, model, *extra), read_timeout_seconds=300)


def test_read_only_tools_with_schemas_search_and_a_cursor(served_db, small_ner_checkpoint):
    async def go():
        async with session(served_db, small_ner_checkpoint, "--max-chars", "700") as c:
            tools = {t.name: t for t in (await c.list_tools()).tools}
            pages, cursor = [], None
            while True:
                args = {"query": "Who lives where?", "mode": "similarity", "k": 6}
                answer = await c.call_tool("search", args if cursor is None else {**args, "cursor": cursor})
                assert not answer.is_error, answer.content
                pages.append(answer.structured_content["results"])
                cursor = answer.structured_content["next_cursor"]
                if cursor is None:
                    break
            bad = await c.call_tool("search", {"query": "Paris", "k": 10**9})
            doc = await c.call_tool("document", {"id": pages[0][0]["id"]})
            graph = await c.call_tool("neighbours", {"label": "person", "tag": "Anna Smith", "depth": 1})
            found = await c.call_tool(
                "entities", {"text": "Alan Turing visited Paris .", "labels": ["person", "location"]}
            )
            return tools, pages, bad, doc, graph, found

    tools, pages, bad, doc, graph, found = asyncio.run(go())
    assert set(tools) == READ_TOOLS  # no writes without --allow-ingest
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True and tool.output_schema is not None
    assert len(pages) > 1, "a 700-character cap splits six results"
    results = [r for page in pages for r in page]
    assert [r["rank"] for r in results] == list(range(1, 7))
    assert all(len(r["snippet"]) <= 205 for r in results)
    assert bad.is_error and "k" in bad.content[0].text
    assert doc.structured_content["id"] == results[0]["id"] and doc.structured_content["next_cursor"] is None
    assert doc.structured_content["text"].startswith(results[0]["snippet"][:20])
    assert doc.structured_content["tags"] and all(t.endswith(")") for t in doc.structured_content["tags"])
    assert {n["name"] for n in graph.structured_content["nodes"] if n["type"] == "tag"} == {"person: Anna Smith"}
    assert sum(n["type"] == "chunk" for n in graph.structured_content["nodes"]) == 2
    assert ("Alan Turing", "person") in {(e["text"], e["label"]) for e in found.structured_content["entities"]}


def test_two_mcp_processes_ingesting_into_one_file_keep_every_write(served_db, small_ner_checkpoint, tmp_path):
    from doclinks.store import SQLiteGraphStore, SQLiteSettings

    db = tmp_path / "shared.db"
    shutil.copy(served_db, db)
    people = [("Grace", "Hopper", "Boston"), ("Alan", "Turing", "London"), ("Ada", "Lovelace", "Oslo"),
              ("Kenji", "Sato", "Kyoto"), ("Rosa", "Costa", "Lisbon"), ("Ivan", "Petrov", "Prague")]  # fmt: skip

    async def ingest(c, which):
        texts = [f"{f} {l} lives in {p} . Writer {which} note {i} ." for i, (f, l, p) in enumerate(people)]
        answer = await c.call_tool("ingest", {"texts": texts, "labels": ["person", "location"]})
        assert not answer.is_error, answer.content
        return answer.structured_content["ids"]

    async def go():
        async with session(db, small_ner_checkpoint, "--allow-ingest") as a, \
                session(db, small_ner_checkpoint, "--allow-ingest") as b:  # fmt: skip
            assert {"ingest", "delete"} <= {t.name for t in (await a.list_tools()).tools}
            return await asyncio.gather(ingest(a, "A"), ingest(b, "B"))

    ids_a, ids_b = asyncio.run(go())
    assert len(set(ids_a) | set(ids_b)) == 12
    with SQLiteGraphStore(db, sqlite=SQLiteSettings(read_only=True)) as store:
        assert store.stored_ids(ids_a + ids_b) == set(ids_a) | set(ids_b)
        assert len(store) == 8 + 12
