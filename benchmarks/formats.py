"""Which library reads each file format: a quick comparison of quality and speed on real files.

    python benchmarks/formats.py [--html-dir DIR] [--pdf FILE ...]

PDF: pypdf against pypdfium2 on real PDFs (by default the two manuals Debian ships in /usr/share/doc,
when present) and on the fixtures: seconds per page, characters out, and whether the two-column page
comes out column by column and the non-ASCII page exactly. HTML: trafilatura (main-text extraction)
against selectolax (a fast parser; navigation, header, footer, aside, script and style removed by tag)
on real pages (by default the first 40 pages of the Rust book's HTML under ~/.rustup, when present) and
on the fixture: seconds per page, and how much navigation text is left. Word: python-docx against
mammoth on the fixture repeated into a long document: seconds, and whether the table's text is there.
Needs the three pairs: ``pip install pypdf pypdfium2 trafilatura lxml_html_clean selectolax python-docx
mammoth``. Prints one table per format; the choice and the figures are in docs/cli.md ("Formats").
"""

from __future__ import annotations

import argparse
import glob
import io
import os
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "documents"
DEFAULT_PDFS = ["/usr/share/doc/libtasn1-doc/libtasn1.pdf", "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"]
DEFAULT_HTML = os.path.expanduser("~/.rustup/toolchains/*/share/doc/rust/html/book/*.html")


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def pypdf_pages(path):
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def pdfium_pages(path):
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf))]
    finally:
        pdf.close()


def _squash(text: str) -> str:
    return " ".join(text.split())


def compare_pdf(paths: list[str]) -> None:
    print("PDF                         reader     pages   s/page   chars  two-column  unicode")
    two = FIXTURES / "two_columns.pdf"
    uni = FIXTURES / "unicode.pdf"
    for name, read in (("pypdf", pypdf_pages), ("pypdfium2", pdfium_pages)):
        text = _squash(" ".join(read(str(two))))
        order_ok = text.find("Marie Curie moved") < text.find("The left column ends") < text.find("Pierre Curie taught")
        uni_ok = "Łódź to Kraków with Jürgen Groß" in _squash(" ".join(read(str(uni))))
        for path in paths:
            read(path)  # warm
            pages, seconds = _timed(read, path)
            chars = sum(len(p) for p in pages)
            print(f"{Path(path).name[:27]:27} {name:10} {len(pages):5} {seconds / len(pages):8.4f} {chars:7,}  "
                  f"{'yes' if order_ok else 'NO':10}  {'yes' if uni_ok else 'NO'}")  # fmt: skip


NAV_WORDS = ("menu", "Sign in", "Privacy policy", "Grace Hopper")


def trafilatura_text(html: str):
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html)
    return (meta.title if meta else None), text


def selectolax_text(html: str):
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    title = tree.css_first("title")
    tree.strip_tags(["script", "style", "nav", "header", "footer", "aside", "noscript", "form"])
    body = tree.body
    return (title.text() if title else None), (body.text(separator="\n") if body else "")


def compare_html(pattern: str) -> None:
    pages = sorted(glob.glob(pattern))[:40]
    texts = [Path(p).read_text(encoding="utf-8", errors="replace") for p in pages]
    fixture = (FIXTURES / "page.html").read_text(encoding="utf-8")
    print(
        f"HTML ({len(pages)} real pages + the fixture)  reader       s/page   chars/page  nav words left (fixture)  main text kept"
    )
    for name, read in (("trafilatura", trafilatura_text), ("selectolax", selectolax_text)):
        start = time.perf_counter()
        chars = sum(len(read(t)[1]) for t in texts)
        seconds = (time.perf_counter() - start) / max(len(texts), 1)
        title, text = read(fixture)
        left = sum(text.count(w) for w in NAV_WORDS)
        kept = all(
            s in _squash(text) for s in ("Charles Babbage designed", "the first published program", "Zoë Brontë")
        )
        print(f"{'':37}{name:12} {seconds:8.4f} {chars / max(len(texts), 1):11,.0f}  {left:24}  {'yes' if kept else 'NO'}"
              f"  title={title!r}")  # fmt: skip


def long_docx(copies: int = 50) -> bytes:
    import docx

    source = docx.Document(str(FIXTURES / "letter.docx"))
    body = source.element.body
    items = [el for el in body if not el.tag.endswith("sectPr")]
    import copy

    for _ in range(copies - 1):
        for el in items:
            body.insert(len(body) - 1, copy.deepcopy(el))
    out = io.BytesIO()
    source.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            parts += ["\t".join(c.text for c in row.cells) for row in block.rows]
        else:
            parts.append(block.text)
    return "\n".join(parts)


def mammoth_text(data: bytes) -> str:
    import mammoth

    return mammoth.extract_raw_text(io.BytesIO(data)).value


def compare_docx() -> None:
    data = long_docx()
    print("Word (the fixture x50)   reader        seconds   chars  table text")
    for name, read in (("python-docx", docx_text), ("mammoth", mammoth_text)):
        read(data)
        text, seconds = _timed(read, data)
        print(f"{'':25}{name:12} {seconds:8.4f} {len(text):7,}  {'yes' if 'Bronisława Dłuska' in text else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdf", nargs="*", default=[p for p in DEFAULT_PDFS if Path(p).exists()])
    parser.add_argument("--html", default=DEFAULT_HTML, help="a glob of HTML pages")
    args = parser.parse_args()
    compare_pdf(args.pdf + [str(FIXTURES / "report.pdf")])
    print()
    compare_html(args.html)
    print()
    compare_docx()


if __name__ == "__main__":
    main()
