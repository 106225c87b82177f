"""The few moderation rules that are certain: explicit slurs and sexual content involving minors.

Everything else is the classifier's job. Rules run on normalised text
(``core.providers.text_normalize``). Each rule has a name so a test can prove it matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    categories: tuple[str, ...]
    pattern: re.Pattern[str]
    # Protective context (reporting, prevention, law, education) that makes the match a policy text.
    unless: re.Pattern[str] | None = None


_MINOR_EN = (
    r"(?:child(?:ren)?|kids?|minors?|underage|under-age|pre-?teens?|schoolgirls?|schoolboys?|little (?:girl|boy)s?"
    r"|young (?:girl|boy)s?|(?:middle|primary|elementary) school(?:er)?s?|(?:1[0-7]|[1-9])[ -]?(?:years?[ -]old|yo|y/o)"
    r"|loli(?:con)?|shota(?:con)?|jailbait|toddlers?|teens? under 1[0-7])"
)
_SEXUAL_EN = (
    r"(?:sex(?:y|ual(?:ly)?)?|nudes?|naked|erotic(?:a)?|porn\w*|steamy|hentai|lewd|xxx|orgasm|"
    r"sleep(?:ing)? with|touching game|undress\w*|intimate (?:photos?|pics?|videos?))"
)
_MINOR_ZH = r"(?:儿童|幼女|幼童|小女孩|小男孩|女童|男童|未成年|初中生|小学生|初中女生|萝莉|正太|(?<![\d一二三四五六七八九十])(?:十[一二三四五六七]|[一二三四五六七八九十]|1[0-7]|[1-9])岁)"
_SEXUAL_ZH = r"(?:色情|裸|性爱|性交|上床|情色|色图|黄图|香艳|做爱|猥亵|性感|身体秘密|开房)"
_PROTECTIVE = re.compile(
    r"report|prevent|protect|safeguard|polic(?:y|ies)|\blaw\b|legal|education|awareness|abuse material|csam|escalat|"
    r"moderat|举报|保护|预防|防范|法律|法规|教育|识别|上报|审核|政策|打击|制度",
    re.I,
)
_NEAR = 40  # characters between the two parts

RULES: tuple[Rule, ...] = (
    Rule(
        "minors_sexual_en",
        ("sexual", "sexual/minors"),
        re.compile(
            rf"\b{_MINOR_EN}\b.{{0,{_NEAR}}}\b{_SEXUAL_EN}|\b{_SEXUAL_EN}\b.{{0,{_NEAR}}}\b{_MINOR_EN}\b", re.I | re.S
        ),
        _PROTECTIVE,
    ),
    Rule(
        "minors_sexual_zh",
        ("sexual", "sexual/minors"),
        re.compile(
            rf"{_MINOR_ZH}.{{0,{_NEAR // 2}}}{_SEXUAL_ZH}|{_SEXUAL_ZH}.{{0,{_NEAR // 2}}}{_MINOR_ZH}", re.I | re.S
        ),
        _PROTECTIVE,
    ),
    Rule(
        "slur_en",
        ("hate",),
        re.compile(r"\b(?:nigg(?:er|a)s?|faggots?|kikes?|chinks?|wetbacks?|spics?|gooks?|trann(?:y|ies))\b", re.I),
    ),
    Rule("slur_zh", ("hate",), re.compile(r"支那(?:人|猪|狗)?|黑鬼|尼哥|小日本鬼子|阿三猴子")),
)


def matched_rules(normalized_text: str) -> list[Rule]:
    hits = []
    for rule in RULES:
        if rule.pattern.search(normalized_text) and not (rule.unless and rule.unless.search(normalized_text)):
            hits.append(rule)
    return hits
