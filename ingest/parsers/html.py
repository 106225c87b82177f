"""HTML via the standard library: main text, headings (heading path) and table rows; never
scripts, styles or navigation. When the page marks its main content (<main>/<article>), only
that is kept."""

from __future__ import annotations

from html.parser import HTMLParser

from ingest.parsers.base import ParsedDocument, TextBuilder, collapse_spaces

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "head", "math"}
_BOILERPLATE = {"nav", "header", "footer", "aside", "form", "menu"}
_MAIN = {"main", "article"}
_BLOCKS = {"p", "div", "section", "li", "blockquote", "pre", "dd", "dt", "figcaption", "caption", "ul", "ol", "dl", "table", "br", "hr", "address"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, tuple[str, ...], bool, bool]] = []  # text, kind, path, main, boilerplate
        self.title = ""
        self._stack: list[str] = []
        self._buffer: list[str] = []
        self._kind = "paragraph"
        self._headings: list[tuple[int, str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_title = False

    def _count(self, names: set[str]) -> int:
        return sum(1 for tag in self._stack if tag in names)

    def _flush(self) -> None:
        raw = "".join(self._buffer)
        self._buffer = []
        text = raw.strip() if "pre" in self._stack else collapse_spaces(raw)
        if text:
            kind = self._kind
            path = tuple(t for _, t in self._headings)
            if kind == "heading":
                level = self._heading_level
                self._headings = [(lvl, t) for lvl, t in self._headings if lvl < level] + [(level, text)]
                path = tuple(t for _, t in self._headings)
            self.blocks.append((text, kind, path, self._count(_MAIN) > 0, self._count(_BOILERPLATE) > 0))
        self._kind = "paragraph"

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag in ("br", "hr") and not self._skipping:
                self._buffer.append("\n" if "pre" in self._stack else " ")
            return
        self._stack.append(tag)
        if self._skipping:
            return
        if tag in _HEADINGS:
            self._flush()
            self._kind, self._heading_level = "heading", _HEADINGS[tag]
        elif tag == "tr":
            self._flush()
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in _BLOCKS:
            self._flush()
            if tag == "li":
                self._kind = "list_item"
            elif tag == "pre":
                self._kind = "code"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag not in self._stack:
            return
        skipping_before = self._skipping
        if not skipping_before:
            if tag in ("td", "th") and self._cell is not None and self._row is not None:
                self._row.append(collapse_spaces("".join(self._cell)))
                self._cell = None
            elif tag == "tr" and self._row is not None:
                if any(self._row):
                    self._buffer = [" | ".join(self._row)]
                    self._kind = "table_row"
                    self._flush()
                self._row = None
            elif tag in _HEADINGS or tag in _BLOCKS:
                self._flush()
        while self._stack:  # pop to the matching tag, tolerating unclosed children
            if self._stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skipping:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self._buffer.append(data)

    @property
    def _skipping(self) -> bool:
        return any(tag in _SKIP for tag in self._stack)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(text: str, max_chars: int) -> ParsedDocument:
    extractor = _Extractor()
    extractor.feed(text)
    extractor.close()
    blocks = extractor.blocks
    if any(in_main for _, _, _, in_main, _ in blocks):
        blocks = [b for b in blocks if b[3]]
    else:
        blocks = [b for b in blocks if not b[4]] or blocks
    builder = TextBuilder(max_chars)
    for block_text, kind, path, _, _ in blocks:
        builder.add(block_text, kind, headings=path)
    title = collapse_spaces(extractor.title) or next((b[0] for b in blocks if b[1] == "heading"), None)
    return builder.build("html", title=title)
