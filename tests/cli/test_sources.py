"""Reading and splitting input files: file discovery, .jsonl fields, stable chunk ids."""

from __future__ import annotations

import json

import pytest

from doclinks.sources import SourceError, Splitter, chunk_id, collect_files, read_chunks, read_documents


def test_folders_are_searched_recursively_hidden_and_other_files_skipped(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for name in ("a/one.txt", "a/b/two.md", "a/b/three.JSONL", ".git/four.txt", "a/.hidden.txt", "a/five.xlsx"):
        (tmp_path / name).write_text("x")
    found = collect_files([tmp_path])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in found) == ["a/b/three.JSONL", "a/b/two.md", "a/one.txt"]
    # The same file named twice (directly and through its folder) is read once.
    assert len(collect_files([tmp_path / "a" / "one.txt", tmp_path / "a"])) == 3


def test_jsonl_fields_become_metadata_and_reserved_names_are_kept_aside(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [
        {"text": "Anna.", "author": "Li", "tags": ["x"], "source": "web", "links": 3},
        {"body": "Omar.", "text": "Omar."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    docs = list(read_documents(path))
    assert [d.text for d in docs] == ["Anna.", "Omar."]
    assert docs[0].metadata == {"author": "Li", "tags": ["x"], "meta_source": "web", "meta_links": 3, "line": 1}
    assert docs[1].metadata == {"body": "Omar.", "line": 2}
    assert docs[0].key.endswith("d.jsonl:1") and docs[1].key.endswith("d.jsonl:2")


def test_jsonl_with_another_text_field(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"body": "Anna Smith.", "id": 7}) + "\n", encoding="utf-8")
    docs = list(read_documents(path, text_field="body"))
    assert docs[0].text == "Anna Smith." and docs[0].metadata == {"id": 7, "line": 1}


@pytest.mark.parametrize("content,needle", [
    (b'{"text": "a"}\n[1, 2]\n', "d.jsonl:2: expected a JSON object"),
    (b'{"text": 5}\n', "d.jsonl:1: a int in the 'text' text field"),
    (b'{"text": "ok"}\n{"text": "\xff"}\n', "d.jsonl:2: not UTF-8"),
])  # fmt: skip
def test_bad_jsonl_lines_are_named(tmp_path, content, needle):
    path = tmp_path / "d.jsonl"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=needle.replace("(", r"\(")):
        list(read_documents(path))


def test_text_files_utf8_with_bom_and_errors(tmp_path):
    good = tmp_path / "a.txt"
    good.write_bytes("\ufeffAnna Smith".encode())
    assert next(read_documents(good)).text == "Anna Smith"
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"caf\xe9")
    with pytest.raises(SourceError, match=r"b\.txt: not UTF-8 text"):
        list(read_documents(bad))


def test_chunk_ids_derive_from_source_index_and_text(tmp_path, monkeypatch):
    text = "Anna Smith moved to Paris. " * 20 + "\n\n" + "Omar Okafor lives in Berlin. " * 20
    (tmp_path / "x").mkdir()
    for name in ("x/a.txt", "b.txt"):
        (tmp_path / name).write_text(text)
    splitter = Splitter(chunk_size=200)
    monkeypatch.chdir(tmp_path)
    n, chunks_a = read_chunks([tmp_path / "x" / "a.txt"], splitter)
    monkeypatch.chdir(tmp_path / "x")
    _, again = read_chunks([tmp_path / "x" / "a.txt"], splitter)
    _, relative = read_chunks(collect_files(["a.txt"]), splitter)
    _, chunks_b = read_chunks([tmp_path / "b.txt"], splitter)
    assert n == 1 and len(chunks_a) > 3
    ids = [c.id for c in chunks_a]
    assert len(set(ids)) == len(ids)  # repeated text in one file: the index keeps ids apart
    assert ids == [c.id for c in again] == [c.id for c in relative]  # same file, any cwd, any spelling
    assert not set(ids) & {c.id for c in chunks_b}  # same text, other file: other ids
    key = str((tmp_path / "x" / "a.txt").resolve())
    assert ids[2] == chunk_id(key, 2, chunks_a[2].text)
    assert [c.metadata["chunk"] for c in chunks_a] == list(range(len(chunks_a)))
    assert all(text[c.metadata["start_index"] :].startswith(c.text) for c in chunks_a)


def test_splitter_sizes_and_markdown(tmp_path):
    with pytest.raises(ValueError, match="chunk_size"):
        Splitter(chunk_size=0)
    with pytest.raises(ValueError, match="chunk_overlap"):
        Splitter(chunk_size=10, chunk_overlap=10)
    md = tmp_path / "n.md"
    md.write_text("# One\n\nAnna Smith lives in Paris.\n\n## Two\n\nOmar Okafor lives in Berlin.\n")
    _, chunks = read_chunks([md], Splitter(chunk_size=40))
    assert [c.text for c in chunks] == ["# One\n\nAnna Smith lives in Paris.", "## Two\n\nOmar Okafor lives in Berlin."]
    assert all(len(c.text) <= 40 for c in chunks)
    empty = tmp_path / "e.txt"
    empty.write_text("  \n")
    assert read_chunks([empty], Splitter()) == (1, [])


def test_a_fifo_is_refused_not_read(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match=r"pipe\.txt: not a regular file"):
        collect_files([fifo])
    (tmp_path / "a.txt").write_text("Anna.", encoding="utf-8")
    assert collect_files([tmp_path]) == [tmp_path / "a.txt"]  # in a folder, it is not a text file


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_warning(tmp_path, capsys):
    import os

    (tmp_path / "good.txt").write_text("Anna.", encoding="utf-8")
    bad = os.fsdecode(b"bad-\xff.txt")
    (tmp_path / bad).write_text("Omar.", encoding="utf-8")
    assert collect_files([tmp_path]) == [tmp_path / "good.txt"]
    err = capsys.readouterr().err
    assert "skipped b'" in err and "bad-\\xff.txt" in err and "not valid UTF-8" in err
    with pytest.raises(SourceError, match="not valid UTF-8"):
        collect_files([tmp_path / bad])


@pytest.mark.parametrize(
    "line, message",
    [('{"text": "Anna \\ud800 Smith"}', "lone surrogate"), ('{"text": "ok", "k": ["a\\u0000b"]}', "NUL"),
     ('{"text": "ok", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply")],
)  # fmt: skip
def test_jsonl_lines_that_cannot_be_stored_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=rf"d.jsonl:2: .*{message}"):
        list(read_documents(path))


def test_labels_in_several_cases_are_one_label_and_wrong_separators_are_flagged(capsys):
    from doclinks.cli.common import parse_labels
    from doclinks.cli.errors import CommandError

    assert parse_labels("Person, person ,PERSON,Location") == ["Person", "Location"]
    err = capsys.readouterr().err
    assert "'person' is 'Person' in another case" in err and "'PERSON'" in err
    with pytest.raises(CommandError, match="separate labels with commas"):  # a list with the wrong separator
        parse_labels("Person;Location")
    assert parse_labels("Person,Location") == ["Person", "Location"] and capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "name, says", [("notes", "cannot read a file without a suffix"), ("notes.xlsx", "cannot read .xlsx files")]
)
def test_unreadable_types_are_named_in_plain_words(tmp_path, name, says):
    (tmp_path / name).write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match=says):
        collect_files([tmp_path / name])


def test_every_unreadable_file_is_named_at_once_and_skip_bad_leaves_them_out(tmp_path):
    from collections import Counter

    from doclinks.sources import read_sources

    (tmp_path / "good.txt").write_text("Anna Smith moved to Paris.", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Café Müller".encode("latin-1"))
    (tmp_path / "broken.jsonl").write_bytes(b'{"text": "ok"}\n[1]\n')
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    (tmp_path / "notes").write_text("no suffix", encoding="utf-8")
    skipped = Counter()
    files = collect_files([tmp_path], skipped=skipped)
    assert skipped == {".xlsx": 1, "": 1}
    with pytest.raises(SourceError) as info:
        read_sources(files, Splitter())
    message = str(info.value)
    assert message.startswith("2 of 4 file(s) cannot be read")
    assert "latin.txt: not UTF-8 text" in message and "broken.jsonl:2: expected a JSON object" in message
    report = read_sources(files, Splitter(), skip_bad=True)
    assert sorted(p.name for p, _ in report.bad_files) == ["broken.jsonl", "latin.txt"]
    assert [p.name for p in report.empty_files] == ["empty.md"] and report.files_read == 2
    assert [c.text for c in report.chunks] == ["Anna Smith moved to Paris."]
    latin = read_sources([tmp_path / "latin.txt"], Splitter(), encoding="latin-1")
    assert [c.text for c in latin.chunks] == ["Café Müller"]
    with pytest.raises(LookupError):
        read_sources(files, Splitter(), encoding="no-such-codec")
