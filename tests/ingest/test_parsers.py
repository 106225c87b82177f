import codecs
from collections.abc import Callable

import pytest

from core.errors import ParseError, UnsupportedMediaType
from ingest.parsers import parse_bytes
from ingest.parsers.detect import decode_text, detect_format
from tests.conftest import CORPUS, require_shared
from tests.factories import make_docx, make_pdf, make_zip_bomb_docx

pytestmark = pytest.mark.unit


def blocks_of(document):  # type: ignore[no-untyped-def]
    return [(b.kind, document.block_text(b), b.page, b.heading_path) for b in document.blocks]


def test_pdf_blocks_carry_page_numbers_and_exact_offsets() -> None:
    data = make_pdf([["Alpha page one first sentence."], ["Bravo page two text."], ["Charlie page three."]])
    document = parse_bytes(data, "three.pdf")
    assert document.format == "pdf" and document.pages == 3
    assert [(text, page) for _, text, page, _ in blocks_of(document)] == [
        ("Alpha page one first sentence.", 1),
        ("Bravo page two text.", 2),
        ("Charlie page three.", 3),
    ]
    for block in document.blocks:
        assert document.text[block.start : block.end] == document.block_text(block)


def test_docx_keeps_heading_path_lists_and_table_rows() -> None:
    def build(d):  # type: ignore[no-untyped-def]
        d.add_heading("Handbook", level=1)
        d.add_heading("Leave", level=2)
        d.add_paragraph("Employees get fifteen days.")
        d.add_paragraph("Ask your manager first", style="List Bullet")
        table = d.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Type", "Days"
        table.cell(1, 0).text, table.cell(1, 1).text = "Annual", "15"
        d.add_heading("Travel", level=2)
        d.add_paragraph("Book economy.")

    document = parse_bytes(make_docx(build), "handbook.docx")
    assert document.title == "Handbook"
    assert ("paragraph", "Employees get fifteen days.", None, ("Handbook", "Leave")) in blocks_of(document)
    assert ("list_item", "Ask your manager first", None, ("Handbook", "Leave")) in blocks_of(document)
    assert ("table_row", "Annual | 15", None, ("Handbook", "Leave")) in blocks_of(document)
    assert ("paragraph", "Book economy.", None, ("Handbook", "Travel")) in blocks_of(document)


def test_html_main_text_without_scripts_styles_or_navigation() -> None:
    html = """<!DOCTYPE html><html><head><title>Policy</title><style>p{color:red}</style>
    <script>var secret = "do not index";</script></head><body>
    <nav><a href="/">Home</a> | <a href="/x">Menu item</a></nav>
    <main><h1>Expenses</h1><p>Submit   receipts
    within 30 days.</p><h2>Limits</h2><table><tr><th>Item</th><th>Max</th></tr><tr><td>Hotel</td><td>200</td></tr></table>
    <ul><li>Keep originals</li></ul></main><footer>Copyright</footer></body></html>"""
    document = parse_bytes(html.encode(), "page.html")
    text = document.text
    assert document.title == "Policy"
    assert "do not index" not in text and "color:red" not in text
    assert "Menu item" not in text and "Copyright" not in text
    assert ("paragraph", "Submit receipts within 30 days.", None, ("Expenses",)) in blocks_of(document)
    assert ("table_row", "Hotel | 200", None, ("Expenses", "Limits")) in blocks_of(document)
    assert ("list_item", "Keep originals", None, ("Expenses", "Limits")) in blocks_of(document)


def test_markdown_headings_lists_tables_and_code() -> None:
    md = "# 员工手册\n\n## 休假\n\n年假为十五天。\n请提前申请。\n\n- 病假需证明\n\n| 类型 | 天数 |\n|---|---|\n| 年假 | 15 |\n\n```\ncode here\n```\n"
    document = parse_bytes(md.encode(), "handbook.md")
    assert document.title == "员工手册"
    assert ("paragraph", "年假为十五天。请提前申请。", None, ("员工手册", "休假")) in blocks_of(document)
    assert ("list_item", "- 病假需证明", None, ("员工手册", "休假")) in blocks_of(document)
    assert ("table_row", "年假 | 15", None, ("员工手册", "休假")) in blocks_of(document)
    assert any(kind == "code" and "code here" in text for kind, text, _, _ in blocks_of(document))


@pytest.mark.parametrize(
    "encoded",
    [
        "知识库支持中文。Café résumé".encode(),
        codecs.BOM_UTF8 + "知识库支持中文。Café résumé".encode(),
        "知识库支持中文。Café résumé".encode("utf-16"),
        "知识库支持中文。Café résumé".encode("utf-16-le"),
        "知识库支持中文。Café résumé".encode("utf-16-be"),
    ],
)
def test_text_in_unicode_encodings(encoded: bytes) -> None:
    assert decode_text(encoded) == "知识库支持中文。Café résumé"


def test_text_in_gb18030_and_cp1252() -> None:
    assert decode_text("员工手册：年假十五天，病假另计。".encode("gb18030")) == "员工手册：年假十五天，病假另计。"
    assert decode_text("Café crème brûlée".encode("cp1252")) == "Café crème brûlée"


def test_format_is_detected_by_content_not_extension() -> None:
    pdf = make_pdf([["Hidden PDF text."]])
    assert detect_format(pdf, "notes.txt") == "pdf"
    assert parse_bytes(pdf, "notes.txt").text == "Hidden PDF text."
    docx_bytes = make_docx(lambda d: d.add_paragraph("Word inside"))
    assert detect_format(docx_bytes, "report.pdf") == "docx"
    assert detect_format(b"<!doctype html><p>x</p>", "page.txt") == "html"
    assert detect_format(b"# Title\n\ntext", "notes.md") == "markdown"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "scan.pdf", "PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50, "old.doc", "legacy Office"),
        (bytes(range(256)) * 20, "blob.txt", "binary data"),
    ],
)
def test_unsupported_content_is_named(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(UnsupportedMediaType, match=reason):
        parse_bytes(data, name)


# Factories, not bytes: the files are built when the test runs, not at collection (the zip bomb
# deflates 400 MB).
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: b"", "the file is empty"),
        (lambda: b"  \n\n ", "the file is empty"),
        (lambda: make_pdf([["Some text that will be cut off"]])[:200], "damaged or truncated"),
        (lambda: make_pdf([[]]), "no text layer"),
        (lambda: make_docx(lambda d: d.add_paragraph("x"))[:500], "damaged or truncated"),
        (make_zip_bomb_docx, "zip bomb"),
    ],
    ids=["empty", "blank", "truncated-pdf", "no-text-pdf", "truncated-docx", "zip-bomb"],
)
def test_bad_files_fail_with_a_human_reason(make: Callable[[], bytes], reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_bytes(make(), "file.pdf")


def test_extracted_size_limit() -> None:
    with pytest.raises(ParseError, match="more than 1,000 characters"):
        parse_bytes(("word " * 1000).encode(), "big.txt", max_chars=1000)


def test_shared_corpus_encrypted_and_scanned_pdfs() -> None:
    corpus = require_shared(CORPUS)
    with pytest.raises(ParseError, match="password-protected"):
        parse_bytes((corpus / "pypdf/r6-user-password.pdf").read_bytes(), "r6.pdf")
    with pytest.raises(ParseError, match="no text layer"):
        parse_bytes((corpus / "unstructured/table-multi-row-column-cells.pdf").read_bytes(), "scan.pdf")


def test_a_paragraph_of_short_lines_keeps_them_in_plain_text() -> None:
    from ingest.parsers.base import is_record_block, join_wrapped_lines

    # a table copied from a web page without its borders: a header row, then one record per line
    table = (
        "模型类型输入价格/1K tokens输出价格/1K tokens适用场景\n"
        "GPT-5$1.25$10最强推理、复杂任务\n"
        "GPT-4.1$0.05$0.10编程优化、指令跟随\n"
        "GPT-4o$0.0025$0.01多模态任务、高效处理"
    )
    assert is_record_block(table)
    assert join_wrapped_lines(table, keep_short_lines=True).split("\n") == table.split("\n")
    assert len(join_wrapped_lines(table).split("\n")) == 1  # other formats (PDF columns) still join
    wrapped = (
        "Plain text wrapped at seventy columns has every line but the last one\n"
        "about as wide as the others, so its lines are joined back into the one\n"
        "paragraph."
    )
    assert not is_record_block(wrapped)
    assert join_wrapped_lines(wrapped, keep_short_lines=True).count("\n") == 0
    document = parse_bytes(("价格表:\n\n" + table).encode(), "prices.txt")
    assert "GPT-5$1.25$10最强推理、复杂任务\nGPT-4.1" in document.text


def test_list_items_table_rows_and_lead_ins_keep_their_own_lines() -> None:
    from ingest.parsers.base import join_wrapped_lines

    text = (
        "A: 根据场景选择模型:\n  • gpt-5:完整版本\n  • gpt-5-mini:小型版本\n"
        "| 错误码 | 描述 |\n|---|---|\n| 429 | 请求过多 |\n📉 性能问题\n"
        "这是一段被\n折行的文字。 Hard wrapped\nEnglish line."
    )
    assert join_wrapped_lines(text).split("\n") == [
        "A: 根据场景选择模型:",
        "• gpt-5:完整版本",
        "• gpt-5-mini:小型版本",
        "| 错误码 | 描述 |",
        "|---|---|",
        "| 429 | 请求过多 |",
        "📉 性能问题",
        "这是一段被折行的文字。 Hard wrapped English line.",
    ]
