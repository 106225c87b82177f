"""Text decoding never silently corrupts: real paragraphs in legacy and BOM-less Unicode encodings
decode to exactly the original; damaged or ambiguous input fails with a reason instead."""

from __future__ import annotations

import codecs

import pytest

from core.errors import ParseError, UnsupportedMediaType
from ingest.parsers import parse_bytes
from ingest.parsers.encoding import decode

pytestmark = pytest.mark.unit

BIG5 = (
    "本公司員工每年享有十五天帶薪年假，未休完的假期可以結轉到下一年度，但最多只能結轉五天。"
    "申請休假時，請至少提前兩週透過人事系統提出，並經直屬主管核准。"
    "出差費用須於返回後三十天內檢附發票報銷，逾期恕不受理。若有任何疑問，請洽詢人力資源部門。"
)
GB18030 = (
    "本公司员工每年享有十五天带薪年假，未休完的假期可以结转到下一年度，但最多只能结转五天。"
    "申请休假时，请至少提前两周通过人事系统提出，并经直属主管批准。"
    "出差费用须在返回后三十天内附上发票报销，逾期不予受理。如有任何疑问，请咨询人力资源部门。"
)
GERMAN = (
    "Die Größe der Büroräume wurde im März überprüft. Für jede Abteilung gilt: “Ordnung ist das halbe Leben.” "
    "Die Kosten betragen 1.250 € pro Monat, inklusive Heizung und Reinigung. "
    "Bitte melden Sie Schäden sofort dem Hausmeister – danke für Ihre Mithilfe!"
)
FRENCH = (
    "L’équipe a préparé un café crème pour la réunion de Noël. Le budget prévu est de 300 € par personne, "
    "et chaque employé reçoit une prime « spéciale » en décembre. Où se trouve la salle à manger ? "
    "Elle est située au deuxième étage, à côté de la bibliothèque."
)
KOREAN = (
    "우리 회사의 모든 직원은 매년 15일의 유급 연차 휴가를 받습니다. 사용하지 않은 휴가는 다음 해로 이월할 수 있지만, "
    "최대 5일까지만 가능합니다. 휴가를 신청하려면 최소 2주 전에 인사 시스템을 통해 요청하고 팀장의 승인을 받아야 합니다. "
    "출장 경비는 복귀 후 30일 이내에 영수증과 함께 청구해야 합니다."
)
JAPANESE = (
    "当社の従業員は毎年十五日間の有給休暇を取得できます。使わなかった休暇は翌年に繰り越すことができますが、"
    "最大五日までです。休暇を申請する場合は、少なくとも二週間前に人事システムから申請し、上司の承認を得てください。"
    "出張費は帰任後三十日以内に領収書を添えて精算してください。"
)
MIXED = "Travel policy / 差旅制度\n\n" + GB18030 + "\n\nBook economy class for flights under six hours."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (BIG5, "big5"),
        (GB18030, "gb18030"),
        (GERMAN, "cp1252"),
        (FRENCH, "cp1252"),
        (KOREAN, "euc_kr"),
        (JAPANESE, "shift_jis"),
        (BIG5 + "\n\n" + BIG5, "big5"),
    ],
)
def test_legacy_encodings_decode_exactly(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)).text == text


@pytest.mark.parametrize("text", [MIXED, GB18030, GERMAN, KOREAN, "plain ASCII text, several words long."])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom(text: str, encoding: str) -> None:
    """Pure Chinese UTF-16 has no NUL bytes at all: recognised by the characters it decodes to."""
    decoded = decode(text.encode(encoding))
    assert decoded.text == text and decoded.warnings == []


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_byte_order_marks(encoding: str) -> None:
    assert decode(MIXED.encode(encoding)).text == MIXED


def test_utf8_with_a_few_damaged_bytes_is_kept_with_a_warning() -> None:
    data = bytearray((MIXED * 4).encode())
    data[3] = 0xFF  # "Tra?el policy"
    decoded = decode(bytes(data))
    assert decoded.text == "Tra\ufffd" + (MIXED * 4)[4:]
    assert decoded.warnings == ["1 damaged spot(s) in this UTF-8 file were replaced by \ufffd"]
    document = parse_bytes(bytes(data), "policy.txt")
    assert document.warnings == decoded.warnings and "\ufffd" in document.text


def test_utf8_cut_in_the_middle_of_a_character() -> None:
    data = (GB18030 * 3).encode()[:-1]
    decoded = decode(data)
    assert decoded.text == (GB18030 * 3)[:-1] + "\ufffd" and len(decoded.warnings) == 1


def test_badly_damaged_utf8_fails_instead_of_becoming_mojibake() -> None:
    data = bytearray((GB18030 * 3).encode())
    for position in range(50, len(data), 60):
        data[position] = 0xFF
    with pytest.raises(ParseError, match="invalid bytes"):
        decode(bytes(data))


def test_cp1252_paragraph_is_not_read_as_chinese() -> None:
    """``Größe`` in cp1252 is also valid GB18030 (``Gr鲞e``): the whole paragraph decides."""
    assert "Größe" in decode(GERMAN.encode("cp1252")).text
    assert decode("Größe".encode("cp1252")).text == "Größe"


def test_too_short_and_ambiguous_text_fails_with_advice() -> None:
    with pytest.raises(ParseError, match="save it again as UTF-8"):
        decode("年假十五天。".encode("gb18030"))


def test_binary_data_is_refused() -> None:
    with pytest.raises(UnsupportedMediaType, match="binary data"):
        decode(bytes(range(256)) * 20)
    with pytest.raises(UnsupportedMediaType, match="binary data"):
        decode(bytes(range(1, 32)) * 50)


def test_big5_file_parses_into_exact_paragraphs() -> None:
    data = (BIG5 + "\n\n" + BIG5[:60] + "。").encode("big5")
    document = parse_bytes(data, "handbook.txt")
    assert document.text == BIG5 + "\n\n" + BIG5[:60] + "。" and document.warnings == []


def test_utf16_bom_with_odd_trailing_byte() -> None:
    data = codecs.BOM_UTF16_LE + (MIXED * 3).encode("utf-16-le") + b"\x41"
    decoded = decode(data)
    assert decoded.text == MIXED * 3 + "\ufffd" and decoded.warnings
