"""Every text key the pages use exists in both languages, and server failure reasons have Chinese forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.i18n import REASONS, TEXT, translations

pytestmark = pytest.mark.unit
UI = Path(__file__).resolve().parents[2] / "ui"


def test_every_key_used_by_templates_and_scripts_is_translated() -> None:
    used: set[str] = set()
    for template in (UI / "templates").glob("*.html"):
        used |= set(re.findall(r"t\['([\w.]+)'\]", template.read_text()))
    for script in (UI / "static").glob("*.js"):
        used |= set(re.findall(r"\bt\(\"([\w.]+)\"", script.read_text()))
    missing = sorted(key for key in used if key not in TEXT)
    assert not missing, missing
    assert len(used) > 100
    for key, (english, chinese) in TEXT.items():
        assert english.strip() and chinese.strip(), key
        assert english.count("{}") == chinese.count("{}"), key
    assert translations("zh-CN")["nav.skip"] == "跳到正文"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("the file is empty", "文件是空的"),
        ("the PDF has 2,400 pages; the limit is 2,000", "PDF 有 2,400 页，上限为 2,000 页"),
        ("no text could be extracted from this DOCX file", "无法从这个 DOCX 文件中提取文字"),
        ("unsupported file type: this is a ZIP archive", "不支持此文件类型"),
    ],
)
def test_failure_reasons_have_chinese_forms(reason: str, expected: str) -> None:
    assert _translate(reason) == expected


def _translate(reason: str) -> str:
    """What app.js does with KB.reasons: the first matching pattern, {n} filled from its groups."""
    for pattern, chinese in REASONS:
        match = re.search(pattern, reason, re.IGNORECASE)
        if match:
            return _fill(chinese, match)
    raise AssertionError(f"no pattern for {reason!r}")


def _fill(text: str, match: re.Match[str]) -> str:
    return re.sub(r"\{(\d)\}", lambda m: match.group(int(m.group(1))), text)
