"""Labels that look like a list are refused before anything is read or stored (issue 29, item 1).

`--labels "Person;Organization;Location"` used to be stored as one label for good. Now a label holding
";", "|" or "/", or several capitalised words as the only label, stops the command with one line that
names the separator and the fix; `--labels-exact` or labels given as JSON take them as written.
"""

from __future__ import annotations

import hashlib

import pytest

from .conftest import run_cli


@pytest.fixture
def stored(tmp_path):
    """A folder with a text file and a doclinks database holding one chunk (made through the library)."""
    from doclinks.document import Document
    from doclinks.links import Link
    from doclinks.store import SQLiteGraphStore

    (tmp_path / "a.txt").write_text("Anna Smith met Omar Okafor in Berlin.", encoding="utf-8")
    with SQLiteGraphStore(tmp_path / "graph.db") as store:
        links = [Link.bidir("entity:Person", "Elena Rossi")]
        store.add_documents([Document("Elena Rossi visited Paris.", {"source": "old.txt", "links": links}, id="old")])
    return tmp_path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


REFUSED = [
    ("Person;Organization;Location", "';'", '--labels "Person,Organization,Location"'),
    ("Person|Location", "'|'", '--labels "Person,Location"'),
    ("Person/Organization", "'/'", '--labels "Person,Organization"'),
    ("Person Location", "spaces", '--labels "Person,Location"'),
]


@pytest.mark.parametrize("labels,separator,fix", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_label_that_looks_like_a_list_is_refused_and_nothing_changes(stored, labels, separator, fix):
    db = stored / "graph.db"
    before = digest(db)
    done = run_cli("ingest", "a.txt", "--labels", labels, "--db", db, cwd=stored)
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()  # one line, no warning before it
    assert line.startswith("doclinks ingest: error: --labels: ") and repr(labels) in line
    assert separator in line and fix in line and "--labels-exact" in line
    assert digest(db) == before  # the database is byte-identical


def test_labels_exact_and_json_labels_are_taken_as_written(stored):
    """Past the label check: the next check (the --model folder) is what stops these runs, before any
    model loads or anything is stored."""
    db = stored / "graph.db"
    before = digest(db)
    for labels in (["--labels", "Person Location", "--labels-exact"], ["--labels", '["Person", "Sports Team"]'],
                   ["--labels", '["Person, or Organization"]'], ["--labels", "Person,Sports Team"]):  # fmt: skip
        done = run_cli("ingest", "a.txt", *labels, "--db", db, "--model", "./no-such-model", cwd=stored)
        assert done.returncode == 1 and "no-such-model: no such folder" in done.stderr, (labels, done.stderr)
    bad_json = run_cli("ingest", "a.txt", "--labels", '["Person", 3]', "--db", db, cwd=stored)
    assert bad_json.returncode == 1 and "JSON labels must be a list of strings" in bad_json.stderr
    entities = run_cli("entities", "Anna Smith met Omar Okafor.", "--labels", "Person;Location", cwd=stored)
    assert entities.returncode == 1 and "looks like a list separated by ';'" in entities.stderr
    assert digest(db) == before


def test_label_names_unit():
    from doclinks.cli.common import label_names, parse_labels
    from doclinks.cli.errors import CommandError

    assert parse_labels("Person, Organization ,Location") == ["Person", "Organization", "Location"]
    assert parse_labels('["Person", "Sports Team, pro"]') == ["Person", "Sports Team, pro"]
    assert parse_labels("Person;Location", exact=True) == ["Person;Location"]
    assert label_names(["sports team"]) == ["sports team"]  # lower case: one label of two words
    assert label_names(["Person", "Sports Team"]) == ["Person", "Sports Team"]  # commas were used
    for bad in ("Person Location", "Date/Time", "A|B"):
        with pytest.raises(CommandError, match="looks like a list"):
            parse_labels(bad)
