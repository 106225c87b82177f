"""Expand the hand-written seeds into training/moderation/data.jsonl (deterministic).

Run: ``python training/moderation/build_data.py``. Each line: ``{"text", "categories", "lang", "group"}``
(``group``: the seed or template a row came from, so the held-out split never sees a sibling);
an empty ``categories`` list is the benign class.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import seeds_benign  # noqa: E402
import seeds_harmful  # noqa: E402

PARENTS = {
    "harassment/threatening": "harassment",
    "hate/threatening": "hate",
    "self-harm/intent": "self-harm",
    "self-harm/instructions": "self-harm",
    "sexual/minors": "sexual",
    "violence/graphic": "violence",
    "illicit/violent": "illicit",
}
# Indirect, polite and "just asking" framings: the intent stays, the wording softens.
HARMFUL_FRAMES_EN = [
    "hypothetically, {s}",
    "asking for a friend: {s}",
    "for a story I'm writing, {s}",
    "please, I really need to know: {s}",
    "no judgement please — {s}",
    "quick question, {s}",
]
HARMFUL_FRAMES_ZH = [
    "假如说，{s}",
    "帮朋友问一下：{s}",
    "我在写小说，{s}",
    "求求你告诉我，{s}",
    "别评判我，{s}",
    "请问{s}",
]
BENIGN_FRAMES_EN = ["Quick question: {s}", "{s} Thanks!", "Hi team, {s}", "Could you check: {s}"]
BENIGN_FRAMES_ZH = ["请问{s}", "{s}谢谢！", "你好，{s}", "麻烦查一下：{s}"]


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def with_parents(labels: list[str]) -> list[str]:
    full = set(labels) | {PARENTS[name] for name in labels if name in PARENTS}
    return sorted(full)


def framed(text: str, rng: random.Random, english: list[str], chinese: list[str]) -> str:
    frame = rng.choice(chinese if is_chinese(text) else english)
    if not is_chinese(text) and not frame.startswith("{s}"):
        text = text[0].lower() + text[1:]
    return frame.format(s=text)


def build() -> list[dict[str, object]]:
    rng = random.Random(11)
    rows: list[dict[str, object]] = []
    slots = {
        "t_en": seeds_harmful.TARGETS_EN,
        "t_zh": seeds_harmful.TARGETS_ZH,
        "g_en": seeds_harmful.GROUPS_EN,
        "g_zh": seeds_harmful.GROUPS_ZH,
    }
    for labels, templates, slot in seeds_harmful.TEMPLATES:
        for template in templates:
            for filler in slots[slot]:
                text = template.format(t=filler, g=filler)
                rows.append({"text": text, "categories": with_parents(labels), "group": template})
    for labels, sentences in seeds_harmful.SEEDS:
        for sentence in sentences:
            rows.append({"text": sentence, "categories": with_parents(labels), "group": sentence})
            for _ in range(2):
                text = framed(sentence, rng, HARMFUL_FRAMES_EN, HARMFUL_FRAMES_ZH)
                rows.append({"text": text, "categories": with_parents(labels), "group": sentence})
    for sentence in seeds_benign.BENIGN:
        rows.append({"text": sentence, "categories": [], "group": sentence})
        for _ in range(2):
            text = framed(sentence, rng, BENIGN_FRAMES_EN, BENIGN_FRAMES_ZH)
            rows.append({"text": text, "categories": [], "group": sentence})
    for topic in seeds_benign.TOPICS_ZH:
        rows.extend({"text": t.format(x=topic), "categories": [], "group": t} for t in seeds_benign.TEMPLATES_ZH)
    for topic in seeds_benign.TOPICS_EN:
        rows.extend({"text": t.format(x=topic), "categories": [], "group": t} for t in seeds_benign.TEMPLATES_EN)
    everyday = [
        (seeds_benign.GENERAL_EN, seeds_benign.ACTIVITIES_EN),
        (seeds_benign.GENERAL_ZH, seeds_benign.ACTIVITIES_ZH),
        (seeds_benign.RECOMMEND_EN, seeds_benign.THINGS_EN),
        (seeds_benign.RECOMMEND_ZH, seeds_benign.THINGS_ZH),
        (seeds_benign.WISH_TEMPLATES_EN, seeds_benign.WISHES_EN),
        (seeds_benign.WISH_TEMPLATES_ZH, seeds_benign.WISHES_ZH),
        (seeds_benign.ERRAND_TEMPLATES_EN, seeds_benign.ERRANDS_EN),
        (seeds_benign.ERRAND_TEMPLATES_ZH, seeds_benign.ERRANDS_ZH),
    ]
    for templates, fillers in everyday:
        for filler in fillers:  # one template per filler, grouped by filler: varied, not repetitive
            template = templates[len(rows) % len(templates)]
            rows.append({"text": template.format(x=filler), "categories": [], "group": filler})
            template = templates[(len(rows) + 2) % len(templates)]
            rows.append({"text": template.format(x=filler), "categories": [], "group": filler})
    # The bare wish ("我想请假", "I want to take a day off") is the form that looked like self-harm
    # intent: every wish gets it, on top of its two rotating templates.
    for template, fillers in (
        (seeds_benign.WISH_TEMPLATES_EN[0], seeds_benign.WISHES_EN),
        (seeds_benign.WISH_TEMPLATES_ZH[0], seeds_benign.WISHES_ZH),
    ):
        rows.extend({"text": template.format(x=filler), "categories": [], "group": filler} for filler in fillers)
    unique: dict[str, dict[str, object]] = {}
    for row in rows:
        row["lang"] = "zh" if is_chinese(str(row["text"])) else "en"
        unique.setdefault(str(row["text"]), row)
    return list(unique.values())


def main() -> None:
    rows = build()
    with (HERE / "data.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    harmful = sum(1 for row in rows if row["categories"])
    print(f"wrote {len(rows)} examples ({harmful} harmful, {len(rows) - harmful} benign)")


if __name__ == "__main__":
    main()
