"""Content moderation on input and output, with OpenAI's category names.

- ``LocalModerator``: Chinese and English rules, with an allow-list that is removed before matching
  so that look-alikes ("杀毒软件", "kill the process", "Scunthorpe", "breast cancer") pass.
- ``OpenAIModerator``: any OpenAI-compatible ``/v1/moderations`` endpoint.

PII is separate (``core/providers/pii.py``): it is redacted or blocked by policy, not "flagged".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from core.errors import ProviderError

CATEGORIES = ("hate", "harassment", "self-harm", "sexual", "violence", "illicit")


@dataclass
class ModerationResult:
    flagged: bool
    categories: dict[str, bool]
    category_scores: dict[str, float] = field(default_factory=dict)

    @property
    def flagged_categories(self) -> list[str]:
        return [name for name, hit in self.categories.items() if hit]


class Moderator(Protocol):
    def check(self, text: str) -> ModerationResult: ...


def _en(*phrases: str) -> list[re.Pattern[str]]:
    return [re.compile(rf"\b(?:{p})\b", re.I) for p in phrases]


def _zh(*phrases: str) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in phrases]


_GROUPS = r"(?:jews|muslims|christians|blacks|whites|asians|chinese|immigrants|gays|women|men|arabs|mexicans)"
_RULES: dict[str, list[re.Pattern[str]]] = {
    "violence": _en(
        r"(?:i(?:'ll| will| am going to| want to)|let's|going to) (?:kill|murder|stab|shoot|behead|strangle) (?:you|him|her|them|everyone|my \w+|the \w+)",
        r"how (?:do i|to|can i) (?:kill|murder|poison) (?:a |my |the )?(?:person|people|someone|somebody|wife|husband|boss|neighbou?r)",
        r"(?:make|build|assemble) (?:a |an )?(?:pipe )?(?:bomb|explosive device|ied)",
        r"mass shooting",
        r"massacre (?:them|everyone|people)",
    )
    + _zh(
        r"(?:杀|砍|捅|炸|弄)死(?:他|她|你|他们|她们|全家|所有人|老板)",
        r"(?:我要|我想|我会)杀了?(?:他|她|你|人)",
        r"(?:制造|制作|自制)(?:炸弹|炸药|爆炸物)",
        r"怎么(?:杀人|毒死)",
    ),
    "self-harm": _en(
        r"kill myself",
        r"end my (?:own )?life",
        r"commit suicide",
        r"want to die",
        r"cut(?:ting)? myself",
        r"how (?:many|much) (?:pills|sleeping pills) (?:to|would) (?:die|kill)",
        r"self[- ]harm",
    )
    + _zh(r"自杀", r"轻生", r"割腕", r"不想活了", r"结束(?:自己的)?生命", r"跳楼"),
    "hate": _en(
        rf"(?:all )?{_GROUPS} are (?:animals|vermin|subhuman|parasites|inferior|a disease)",
        rf"(?:kill|exterminate|gas) (?:all )?(?:the )?{_GROUPS}",
        r"subhuman race",
        r"racial purity",
    )
    + _zh(
        r"劣等民族", r"(?:黑鬼|支那|棒子|阿三)", r"(?:穆斯林|黑人|外地人|同性恋)(?:都)?(?:是|全是)(?:垃圾|畜生|劣等)"
    ),
    "harassment": _en(
        r"(?:you are|you're|ur) (?:a |an )?(?:fucking )?(?:idiot|moron|worthless|pathetic|piece of shit|retard)",
        r"go (?:and )?die",
        r"nobody (?:will )?(?:ever )?loves? you",
        r"i know where you live",
        r"shut up,? (?:you|bitch)",
    )
    + _zh(r"你(?:就)?是个?(?:白痴|废物|傻逼|蠢货|贱人)", r"去死吧?", r"滚蛋", r"我知道你住(?:在)?哪"),
    "sexual": _en(
        r"porn(?:ography|ographic)?",
        r"nude (?:photos|pictures|pics)",
        r"sex (?:video|tape)s?",
        r"explicit sex",
        r"(?:have|having) sex with",
        r"blowjob",
        r"escort service",
    )
    + _zh(r"色情", r"裸照", r"黄片", r"性交易", r"约炮", r"成人视频"),
    "illicit": _en(
        r"(?:make|cook|synthesi[sz]e|produce) (?:meth|methamphetamine|heroin|cocaine|fentanyl|lsd)",
        r"buy (?:drugs|cocaine|heroin|guns|a gun|firearms) (?:illegally|online|without)",
        r"launder(?:ing)? money",
        r"hack into (?:someone|his|her|an?|the) \w+",
        r"steal (?:credit card|passwords|someone's identity)",
        r"counterfeit money",
    )
    + _zh(
        r"制毒",
        r"(?:制作|合成|购买)冰毒",
        r"贩毒",
        r"洗钱",
        r"买枪",
        r"(?:黑进|入侵)(?:别人|他人|公司)的?",
        r"盗刷(?:信用卡|银行卡)",
        r"假钞",
    ),
}

# Phrases that contain a rule word but are harmless; removed before the rules run.
ALLOW_LIST = [
    r"杀毒(?:软件)?",
    r"杀(?:掉|死)?(?:这个)?进程",
    r"kill (?:the |a |this )?(?:process|task|job|session|switch)",
    r"kill -9",
    r"killall",
    r"Scunthorpe",
    r"breast cancer",
    r"乳腺癌",
    r"sex education",
    r"性教育",
    r"shoot(?:ing)? (?:a |the )?(?:photo|video|film|scene)",
    r"execute (?:the |a )?(?:script|command|query)",
    r"kill(?:ed|ing)? (?:it|the meeting) (?:in|at)",
    r"自杀式(?:袭击)?新闻报道规范",
    r"suicide prevention",
    r"自杀干预",
    r"心理援助",
    r"deadline",
    r"杀手锏",
    r"秒杀",
    r"杀青",
]
_ALLOW = re.compile("|".join(f"(?:{p})" for p in ALLOW_LIST), re.I)


class LocalModerator:
    def check(self, text: str) -> ModerationResult:
        cleaned = _ALLOW.sub(" ", text)
        categories = {name: any(p.search(cleaned) for p in _RULES[name]) for name in CATEGORIES}
        return ModerationResult(
            flagged=any(categories.values()),
            categories=categories,
            category_scores={name: 1.0 if hit else 0.0 for name, hit in categories.items()},
        )


class OpenAIModerator:
    """``POST {base_url}/moderations``; OpenAI's sub-categories fold into ours (``self-harm/intent`` → ``self-harm``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str = "omni-moderation-latest",
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/moderations"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._model = model
        self._client = client or httpx.Client(timeout=httpx.Timeout(20.0, connect=5.0))

    def check(self, text: str) -> ModerationResult:
        try:
            response = self._client.post(self._url, json={"input": text, "model": self._model}, headers=self._headers)
            response.raise_for_status()
            result = response.json()["results"][0]
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as error:
            raise ProviderError(f"moderation service failed: {error}") from error
        categories = {name: False for name in CATEGORIES}
        scores = {name: 0.0 for name in CATEGORIES}
        for name, hit in (result.get("categories") or {}).items():
            base = name.split("/")[0]
            if base in categories:
                categories[base] = categories[base] or bool(hit)
                scores[base] = max(scores[base], float((result.get("category_scores") or {}).get(name, 0.0)))
        return ModerationResult(
            flagged=bool(result.get("flagged", any(categories.values()))), categories=categories, category_scores=scores
        )
