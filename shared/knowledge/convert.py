"""Uploaded documents to markdown: text and markdown as written, HTML with markdownify, PDF with pypdf.

``convert(data, filename, content_type)`` picks the kind from the content type, else the file
name's extension, else the bytes (``%PDF-``, a leading ``<``). The result is what ``chunk``
splits: headings (``#``) where the document had them, paragraphs separated by blank lines.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath

KINDS = ("markdown", "text", "html", "pdf")
_BY_EXTENSION = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
_BY_CONTENT_TYPE = {
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
# What a page's chrome holds rather than its content.
_HTML_NOISE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe")
_BLANK_LINES = re.compile(r"\n{3,}")


class UnsupportedDocument(ValueError):
    """The bytes are not a document this module converts (or are damaged)."""


def declared_kind(filename: str = "", content_type: str | None = None) -> str | None:
    """The kind the upload says it is (content type, else extension); None when it names neither."""
    if content_type:
        kind = _BY_CONTENT_TYPE.get(content_type.split(";")[0].strip().lower())
        if kind is not None:
            return kind
    return _BY_EXTENSION.get(PurePath(filename).suffix.lower()) if filename else None


def kind_of(data: bytes, filename: str = "", content_type: str | None = None) -> str:
    """One of KINDS, from the content type, else the extension, else the first bytes."""
    if content_type:
        kind = _BY_CONTENT_TYPE.get(content_type.split(";")[0].strip().lower())
        if kind is not None:
            return kind
    kind = _BY_EXTENSION.get(PurePath(filename).suffix.lower()) if filename else None
    if kind is not None:
        return kind
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[:1] == b"<" and re.search(rb"<(html|body|p|h[1-6]|div)\b", head, re.IGNORECASE):
        return "html"
    if b"\x00" in head:
        raise UnsupportedDocument(f"not a text, markdown, HTML or PDF document: {filename or 'unnamed'}")
    return "text"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def html_to_markdown(html: str) -> str:
    from bs4 import BeautifulSoup  # imported when needed: a service that never converts skips them
    from markdownify import markdownify

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(["head", *_HTML_NOISE]):
        tag.decompose()
    body = soup.body or soup
    markdown = markdownify(str(body), heading_style="ATX", bullets="-", strip=["img"])
    if title and not re.search(r"^# ", markdown, re.MULTILINE):
        markdown = f"# {title}\n\n{markdown}"
    return markdown


def pdf_to_markdown(data: bytes) -> str:
    """The text of every page (pypdf's layout-free extraction), the PDF's title as the ``#`` heading."""
    from pypdf import PdfReader  # ~0.4 s to import: only when a PDF comes
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise UnsupportedDocument(f"unreadable PDF: {exc}") from exc
    # pypdf ends every line with a newline; a blank line (or a page break) ends a paragraph.
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    return f"# {title.strip()}\n\n{text}" if title.strip() else text


def convert(data: bytes, filename: str = "", content_type: str | None = None) -> str:
    """The document as markdown; raises UnsupportedDocument for anything else."""
    kind = kind_of(data, filename, content_type)
    if kind == "pdf":
        markdown = pdf_to_markdown(data)
    elif kind == "html":
        markdown = html_to_markdown(_decode(data))
    else:
        markdown = _decode(data)
    return _tidy(markdown)
