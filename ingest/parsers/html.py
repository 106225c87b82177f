"""HTML via the standard library: main text, headings (heading path) and table rows; never
scripts, styles or navigation. When the page marks its main content (<main>/<article>), only
that is kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ingest.parsers.base import ParsedDocument, TextBuilder, collapse_spaces

_SKIP = {"ix:header", "script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "head", "math"}
_BOILERPLATE = {"nav", "header", "footer", "aside", "form", "menu"}
_MAIN = {"main", "article"}
_BLOCKS = {
    "p",
    "div",
    "section",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "figcaption",
    "caption",
    "ul",
    "ol",
    "dl",
    "table",
    "br",
    "hr",
    "address",
}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BOILERPLATE_HINT = re.compile(
    r"(^|[\s_-])(nav|navbar|navbox|navigation|menu|toc|sidebar|footer|breadcrumbs?|dropdown|language|"
    r"noprint|editsection|catlinks|cookie|banner|advert|share|social|skip|related|printfooter|search)($|[\s_-])",
    re.I,
)
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "complementary"}
_CONTAINERS = _MAIN | _BOILERPLATE | {"body"}  # their edges end any pending text
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # text, kind, heading path, container rank (2 article, 1 main, 0 none), boilerplate
        self.blocks: list[tuple[str, str, tuple[str, ...], int, bool]] = []
        self._boiler_stack: list[bool] = []
        self.title = ""
        self._stack: list[str] = []
        self._buffer: list[str] = []
        self._kind = "paragraph"
        self._headings: list[tuple[int, str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_title = False

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
            rank = 2 if "article" in self._stack else 1 if "main" in self._stack else 0
            self.blocks.append((text, kind, path, rank, any(self._boiler_stack)))
        self._kind = "paragraph"

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag in ("br", "hr") and not self._skipping:
                self._buffer.append("\n" if "pre" in self._stack else " ")
            return
        if not self._skipping and (tag in _HEADINGS or tag in _BLOCKS or tag in _CONTAINERS or tag == "tr"):
            self._flush()  # pending text belongs to the enclosing element, so flush before entering
        self._stack.append(tag)
        # Class hints on the page's outer containers describe page state, not boilerplate.
        hinted = tag not in ("html", "body", "main", "article") and _is_boilerplate(dict(attrs))
        self._boiler_stack.append(tag in _BOILERPLATE or hinted)
        if self._skipping:
            return
        if tag in _HEADINGS:
            self._kind, self._heading_level = "heading", _HEADINGS[tag]
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "li":
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
            elif tag in _HEADINGS or tag in _BLOCKS or tag in _CONTAINERS:
                self._flush()
        while self._stack:  # pop to the matching tag, tolerating unclosed children
            self._boiler_stack.pop()
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


def _is_boilerplate(attrs: dict[str, str | None]) -> bool:
    if (attrs.get("role") or "").lower() in _BOILERPLATE_ROLES or attrs.get("aria-hidden") == "true":
        return True
    if "hidden" in attrs or "display:none" in (attrs.get("style") or "").replace(" ", "").lower():
        return True
    hints = " ".join(v for k, v in attrs.items() if k in ("class", "id") and v)
    return bool(hints and _BOILERPLATE_HINT.search(hints))


def parse_html(text: str, max_chars: int) -> ParsedDocument:
    extractor = _Extractor()
    extractor.feed(text)
    extractor.close()
    blocks = [b for b in extractor.blocks if not b[4]] or extractor.blocks
    best_rank = max((b[3] for b in blocks), default=0)
    blocks = [b for b in blocks if b[3] == best_rank]
    builder = TextBuilder(max_chars)
    for block_text, kind, path, _, _ in blocks:
        builder.add(block_text, kind, headings=path)
    title = collapse_spaces(extractor.title) or next((b[0] for b in blocks if b[1] == "heading"), None)
    return builder.build("html", title=title)
