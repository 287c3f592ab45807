"""PDF, HTML and Word files (`doclinks.formats`): read from the committed fixtures
(tests/fixtures/documents, made by tests/fixtures/make_documents.py), their errors named in the read
step before any model loads, and one real ingest of a folder of them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from doclinks.sources import SourceError, Splitter, collect_files, read_documents, read_sources

from .conftest import LABELS, cli_env, run_cli, stored_documents

DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def _text(name: str) -> str:
    (doc,) = read_documents(DOCS / name)
    return doc.text


def test_pdf_pages_are_in_reading_order_and_every_chunk_knows_its_page():
    (doc,) = read_documents(DOCS / "report.pdf")
    assert doc.page_starts == [0, doc.text.index("Alan Turing")]
    chunks = Splitter(60).split(doc)
    assert {c.metadata["page"] for c in chunks} == {1, 2}
    for c in chunks:
        start = c.metadata["start_index"]
        assert doc.text[start : start + len(c.text)] == c.text  # offsets refer to the extracted text
        assert c.metadata["page"] == (1 if start < doc.page_starts[1] else 2)
    whole = Splitter(1000).split(doc)
    assert len(whole) == 1 and (whole[0].metadata["page"], whole[0].metadata["page_end"]) == (1, 2)


def test_a_two_column_page_comes_out_column_by_column():
    words = " ".join(_text("two_columns.pdf").split())
    left = "Marie Curie moved from Warsaw to Paris in 1891. She studied physics at the Sorbonne with Paul Langevin. The left column ends here."
    right = "Pierre Curie taught at the School of Physics in Paris. He met Marie Curie in the spring of 1894. The right column ends here."
    assert words == left + " " + right


def test_non_ascii_text_comes_out_exactly():
    assert _text("unicode.pdf").splitlines() == [
        "Zoë Brontë travelled from Łódź to Kraków with Jürgen Groß.",
        "Στο Ηράκλειο συνάντησαν τον Νίκο Καζαντζάκη.",
    ]
    assert "Bronisława Dłuska" in _text("letter.docx")


def test_html_keeps_the_main_text_and_title_and_leaves_navigation_and_scripts_out():
    (doc,) = read_documents(DOCS / "page.html")
    assert doc.metadata == {"title": "The Analytical Engine"}
    assert "Charles Babbage designed the Analytical Engine in London in 1837." in doc.text
    assert "Zoë Brontë, a historian in Kraków" in doc.text
    for chrome in ("menu", "Sign in", "Privacy policy", "Grace Hopper", "font-family", "Related"):
        assert chrome not in doc.text


def test_word_paragraphs_tables_and_title_in_document_order():
    (doc,) = read_documents(DOCS / "letter.docx")
    assert doc.metadata == {"title": "A letter from Kraków"}
    lines = doc.text.splitlines()
    assert lines[:3] == [
        "A letter from Kraków",
        "Dear Jürgen Groß,",
        "Marie Curie wrote from Paris that she would visit Warsaw in the summer.",
    ]
    assert lines.index("City\tHost") < lines.index("Warsaw\tBronisława Dłuska") < lines.index("Yours, Ada Lovelace")


@pytest.mark.parametrize("name, says", [
    ("scanned.pdf", "scanned.pdf: the PDF has no text layer"),
    ("locked.pdf", "locked.pdf: the PDF is encrypted"),
    ("broken.pdf", "broken.pdf: not a readable PDF"),
    ("broken.docx", "broken.docx: not a readable Word .docx file"),
])  # fmt: skip
def test_unreadable_documents_are_named_with_why(name, says):
    with pytest.raises(SourceError, match=says):
        list(read_documents(DOCS / name))


def test_a_folder_of_documents_reads_with_the_bad_ones_listed_or_skipped(tmp_path):
    files = collect_files([DOCS])
    assert {f.suffix for f in files} == {".pdf", ".html", ".docx"}
    with pytest.raises(SourceError) as info:
        read_sources(files, Splitter(200))
    assert str(info.value).startswith("4 of 9 file(s) cannot be read")
    report = read_sources(files, Splitter(200), skip_bad=True)
    assert sorted(p.name for p, _ in report.bad_files) == ["broken.docx", "broken.pdf", "locked.pdf", "scanned.pdf"]
    assert {Path(c.metadata["source"]).name for c in report.chunks} == {
        "letter.docx", "page.html", "report.pdf", "two_columns.pdf", "unicode.pdf"}  # fmt: skip


def test_a_missing_extra_names_the_pip_command(tmp_path):
    # A real interpreter in which pypdfium2 cannot be imported (a None entry in sys.modules makes the
    # import fail as if the package were absent).
    code = (
        "import sys; sys.modules['pypdfium2'] = None\n"
        "from pathlib import Path\n"
        "from doclinks.sources import SourceError, Splitter, read_sources\n"
        f"try:\n    read_sources([Path({str(DOCS / 'report.pdf')!r})], Splitter())\n"
        "except SourceError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=cli_env(), capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == (
        'reading .pdf files needs pypdfium2: pip install "doclinks[pdf]" (or pip install "doclinks[formats]" for every format)'
    ), out.stderr


def test_ingest_names_a_corrupt_file_before_the_model_loads_and_skip_bad_ingests_the_rest(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("report.pdf", "page.html", "letter.docx", "broken.pdf"):
        shutil.copy(DOCS / name, folder / name)
    db = tmp_path / "g.db"
    done = run_cli("ingest", folder, "--labels", LABELS, "--db", db)
    assert done.returncode == 1 and "broken.pdf: not a readable PDF" in done.stderr and "--skip-bad" in done.stderr
    assert "loading the NER model" not in done.stderr  # the read step refused it, before the model loads
    assert not db.exists()
    done = run_cli("ingest", folder, "--labels", LABELS, "--db", db, "--no-progress", "--skip-bad", "--chunk-size", "200",
                   "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["files"] == 3 and [b["file"] for b in summary["bad_files"]] == [str(folder / "broken.pdf")]
    docs = stored_documents(db)
    pdf = [d for d in docs if d.metadata["source"].endswith("report.pdf")]
    assert {d.metadata["page"] for d in pdf} == {1, 2}
    html = [d for d in docs if d.metadata["source"].endswith("page.html")]
    assert html and all(d.metadata["title"] == "The Analytical Engine" for d in html)
    for d in docs:  # entity offsets refer to the stored (extracted) text
        for e in d.metadata.get("entities") or []:
            assert d.page_content[e["start"] : e["end"]] == e["text"]
