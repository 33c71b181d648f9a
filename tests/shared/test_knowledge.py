"""shared.knowledge: documents to markdown, markdown to passages, passages to a BM25 index."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from shared.knowledge import KnowledgeBase, UnsupportedDocument, chunk, convert, knowledge_base, retrieve
from shared.knowledge.chunk import windows
from shared.knowledge.convert import kind_of
from shared.knowledge.index import Document
from tests.shared.pdf_bytes import minimal_pdf

HTML = b"""<!doctype html><html><head><title>Bike rentals</title><style>p { color: red }</style>
<script>var tracking = "secret";</script></head><body>
<nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<h2>Prices</h2><p>City bikes cost <b>$25 a day</b>.</p><p>E-bikes cost $45 a day.</p>
<h2>What is included</h2><ul><li>A helmet</li><li>A lock</li></ul>
<footer>Copyright Acme</footer></body></html>"""

SPANISH_SHIPPING = """# Envíos

## Plazos de entrega
Los pedidos se envían desde nuestro almacén de Valencia en un plazo de 24 horas. La entrega
estándar tarda entre tres y cinco días laborables en la península.

## Gastos de envío
El envío estándar cuesta 4,95 euros y es gratuito en pedidos superiores a 60 euros. El envío
urgente cuesta 9,95 euros y llega al día siguiente.
"""
SPANISH_RETURNS = """# Devoluciones

## Plazo de devolución
Puedes devolver cualquier artículo sin usar en un plazo de 30 días desde la entrega. El reembolso
se hace en el mismo método de pago en cinco días hábiles.
"""
ENGLISH_WARRANTY = """# Warranty

## Coverage
Every tent and backpack has a two-year warranty against defects in materials and workmanship.
Wear and tear and damage from misuse are not covered.
"""


def test_kind_from_content_type_then_extension_then_bytes() -> None:
    assert kind_of(b"x", "notes.txt", "text/html; charset=utf-8") == "html"
    assert kind_of(b"x", "guide.PDF") == "pdf"
    assert kind_of(b"%PDF-1.4 ...", "upload") == "pdf"
    assert kind_of(b"<html><body><p>hi</p></body></html>", "") == "html"
    assert kind_of(b"# Title\n\nText", "readme") == "text"


def test_markdown_and_text_pass_through() -> None:
    assert convert("# Café\r\n\r\n\r\n\r\nOpen daily.  \n".encode(), "cafe.md") == "# Café\n\nOpen daily.\n"
    assert convert(b"\xef\xbb\xbfPlain words\n", "a.txt") == "Plain words\n"
    assert convert("Prix: 12 €".encode("cp1252"), "a.txt") == "Prix: 12 €\n"


def test_html_keeps_headings_lists_and_text_not_the_page_chrome() -> None:
    markdown = convert(HTML, "bikes.html")
    assert markdown.startswith("# Bike rentals\n")
    assert "## Prices" in markdown
    assert "$25 a day" in markdown
    assert "- A helmet" in markdown
    for noise in ("tracking", "color: red", "Home", "Copyright"):
        assert noise not in markdown
    passages = chunk(markdown, "bikes")
    assert [p.id for p in passages] == ["bikes#prices", "bikes#what-is-included"]
    assert passages[0].title == "Bike rentals: Prices"


def test_pdf_text_and_title_are_extracted() -> None:
    pdf = minimal_pdf(["Kayak rentals cost $40 a day.", "Life jackets are included."], title="Rentals")
    markdown = convert(pdf, "rentals.pdf", "application/pdf")
    assert markdown.startswith("# Rentals\n")
    assert "Kayak rentals cost $40 a day." in markdown
    assert "Life jackets are included." in markdown


def test_damaged_or_binary_uploads_are_refused() -> None:
    with pytest.raises(UnsupportedDocument):
        convert(b"%PDF-1.4\nnot really a pdf", "broken.pdf")
    with pytest.raises(UnsupportedDocument):
        convert(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.bin")


def test_chunk_by_headings_with_nested_titles_and_unique_ids() -> None:
    markdown = "# Guide\n\nWelcome text.\n\n## Setup\nStep one.\n\n### Linux\nUse apt.\n\n## Setup\nAgain.\n"
    passages = chunk(markdown, "guide")
    assert [(p.id, p.title, p.text) for p in passages] == [
        ("guide", "Guide", "Welcome text."),
        ("guide#setup", "Guide: Setup", "Step one."),
        ("guide#linux", "Guide: Setup / Linux", "Use apt."),
        ("guide#setup-x", "Guide: Setup", "Again."),
    ]


def test_chunk_keeps_list_items_on_their_own_lines() -> None:
    [passage] = chunk("## Included\nYou get:\n- a helmet\n- a lock\n", "bikes")
    assert passage.text == "You get:\n- a helmet\n- a lock"


def test_long_sections_become_bounded_overlapping_windows() -> None:
    sentences = [f"Fact number {i} is about topic {i} only." for i in range(60)]  # 8 words each
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, 60, 5)]  # 40 words each
    texts = windows(paragraphs, max_words=100, overlap=20)
    assert len(texts) > 4
    assert all(len(t.split()) <= 100 for t in texts)
    for before, after in itertools.pairwise(texts):
        # The next window starts with the last sentences of the one before.
        assert after.split(". ")[0] in before
    for sentence in sentences:
        assert any(sentence in t for t in texts), sentence
    # Cuts fall between paragraphs when a whole paragraph fits: no window starts mid-paragraph
    # except with the carried-over sentences.
    assert texts[0] == "\n\n".join(paragraphs[:2])


def test_a_sentence_longer_than_a_window_is_cut_by_words() -> None:
    texts = windows([" ".join(f"w{i}" for i in range(250))], max_words=100, overlap=0)
    assert [len(t.split()) for t in texts] == [100, 100, 50]


def test_spanish_documents_are_searched_with_spanish_lemmas(tmp_path: Path) -> None:
    (tmp_path / "envios.md").write_text(SPANISH_SHIPPING)
    (tmp_path / "devoluciones.md").write_text(SPANISH_RETURNS)
    kb = knowledge_base(tmp_path)
    assert set(kb.langs) == {"es"}
    # "cuesta" / "cuestan" and "envíos" / "envío" meet at their lemmas.
    assert kb.search("¿Cuánto cuestan los envíos urgentes?")[0].id == "envios#gastos-de-envio"
    assert kb.search("¿Puedo devolver un artículo?")[0].id == "devoluciones#plazo-de-devolucion"
    assert kb.search("¿Venden bicicletas eléctricas?") == []


def test_a_mixed_language_base_reads_each_question_in_its_language() -> None:
    kb = KnowledgeBase.from_documents(
        [Document.of("envios", SPANISH_SHIPPING), Document.of("warranty", ENGLISH_WARRANTY)]
    )
    assert sorted(set(kb.langs)) == ["en", "es"]
    assert kb.query_language("¿Cuánto cuesta el envío urgente?") == "es"
    assert kb.search("¿Cuánto cuesta el envío urgente?")[0].id == "envios#gastos-de-envio"
    assert kb.search("Is my backpack covered by the warranty?")[0].id == "warranty#coverage"


def test_a_directory_of_html_pdf_and_text_documents_is_indexed(tmp_path: Path) -> None:
    (tmp_path / "bikes.html").write_bytes(HTML)
    (tmp_path / "kayaks.pdf").write_bytes(
        minimal_pdf(["Kayak rentals cost $40 a day.", "Life jackets are included."], title="Kayaks")
    )
    (tmp_path / "hours.txt").write_text("The rental desk opens at 8 am every day from April to October.\n")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")  # skipped, not fatal
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")  # not a document: ignored
    assert retrieve(tmp_path, "How much does a kayak rental cost?")[0].id == "kayaks"
    assert retrieve(tmp_path, "Are helmets included with a bike?")[0].id == "bikes#what-is-included"
    assert retrieve(tmp_path, "When does the rental desk open?")[0].id == "hours"


def test_prebuild_indexes_each_directory_once(tmp_path: Path) -> None:
    from shared.knowledge.index import _CACHE, prebuild

    (tmp_path / "a.md").write_text("# A\n\n## Kayaks\nWe rent kayaks.\n")
    prebuild([tmp_path, None])
    built = _CACHE[tmp_path][1]
    assert [p.id for p in built.passages] == ["a#kayaks"]
    assert knowledge_base(tmp_path) is built  # the first question reuses it
