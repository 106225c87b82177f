"""Train the moderation heads and write core/providers/moderation_model/heads.npz and REPORT.md.

Run from the repository root: ``python training/moderation/train.py`` (deterministic: fixed seed,
full-batch Adam). Steps: normalise and embed data.jsonl with the multilingual Universal Sentence
Encoder; score every example out of fold (5 folds, each a stratified fifth of the seed groups)
with a small network (one shared layer of 128 ReLU units, one L2-regularised logistic output per
category; three of them from different seeds, logits averaged); pick each category's threshold on those scores (the best F0.5, which favours precision,
among thresholds that flag at most 1% of the benign examples, placed halfway to the next lower
example); train the shipped model on all data.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.providers.moderation import OPENAI_CATEGORIES  # noqa: E402
from core.providers.sentence_encoder import SentenceEncoder  # noqa: E402
from core.providers.text_normalize import normalize_for_moderation  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 11
MEMBERS = 3  # networks from different seeds, logits averaged: steadier near the thresholds across retrains
HIDDEN = 128
L2 = 1e-3
STEPS = 300
LEARNING_RATE = 0.01
FOLDS = 5
BENIGN_BUDGET = 0.01
NOTES_MARKER = "<!-- hand-written notes below are kept when train.py rewrites this report -->"
BETA = 0.5  # F-beta below 1 weighs precision (no false blocks) over recall


def load() -> tuple[list[str], np.ndarray, list[str]]:
    texts, labels, groups = [], [], []
    for line in (HERE / "data.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts.append(str(row["text"]))
        labels.append([name in row["categories"] for name in OPENAI_CATEGORIES])
        groups.append(str(row.get("group", row["text"])))
    return texts, np.array(labels, dtype=np.float32), groups


def stratified_folds(labels: np.ndarray, groups: list[str]) -> np.ndarray:
    """Fold number (0-4) per example: a fifth of the seed groups of every label combination per
    fold, whole groups at a time (a seed's reworded variants or a template's fillers never
    straddle a split)."""
    strata: dict[tuple[bool, ...], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, row in enumerate(labels):
        strata[tuple(bool(v) for v in row)][groups[index]].append(index)
    rng = random.Random(SEED)
    fold = np.zeros(len(labels), dtype=np.int64)
    offset = 0
    for members in strata.values():
        names = sorted(members)
        rng.shuffle(names)
        for position, name in enumerate(names):
            fold[members[name]] = (position + offset) % FOLDS
        offset += len(names)
    return fold


def fit(x: np.ndarray, y: np.ndarray, seed: int = SEED) -> dict[str, np.ndarray]:
    """All heads at once over one shared ReLU layer: balanced class weights, L2, full-batch Adam."""
    rng = np.random.default_rng(seed)
    rows, dims = x.shape
    positives = y.sum(axis=0).clip(1)
    weight = np.where(y > 0, rows / (2 * positives), rows / (2 * (rows - positives).clip(1)))
    params = {
        "hidden_weights": rng.normal(0, 1 / np.sqrt(dims), (dims, HIDDEN)),
        "hidden_bias": np.zeros(HIDDEN),
        "weights": rng.normal(0, 1 / np.sqrt(HIDDEN), (HIDDEN, y.shape[1])),
        "bias": np.zeros(y.shape[1]),
    }
    first = {k: np.zeros_like(v) for k, v in params.items()}
    second = {k: np.zeros_like(v) for k, v in params.items()}
    for step in range(1, STEPS + 1):
        hidden = np.maximum(0, x @ params["hidden_weights"] + params["hidden_bias"])
        p = 1 / (1 + np.exp(-(hidden @ params["weights"] + params["bias"])))
        error = (p - y) * weight / rows
        back = (error @ params["weights"].T) * (hidden > 0)
        grads = {
            "weights": hidden.T @ error + L2 * params["weights"],
            "bias": error.sum(axis=0),
            "hidden_weights": x.T @ back + L2 * params["hidden_weights"],
            "hidden_bias": back.sum(axis=0),
        }
        for key, grad in grads.items():
            first[key] = 0.9 * first[key] + 0.1 * grad
            second[key] = 0.999 * second[key] + 0.001 * grad * grad
            step_size = (first[key] / (1 - 0.9**step)) / (np.sqrt(second[key] / (1 - 0.999**step)) + 1e-8)
            params[key] -= LEARNING_RATE * step_size
    return params


def logits_of(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    hidden = np.maximum(0, x @ params["hidden_weights"] + params["hidden_bias"])
    result: np.ndarray = hidden @ params["weights"] + params["bias"]
    return result


def fit_ensemble(x: np.ndarray, y: np.ndarray) -> list[dict[str, np.ndarray]]:
    return [fit(x, y, SEED + member) for member in range(MEMBERS)]


def ensemble_logits(members: list[dict[str, np.ndarray]], x: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.mean([logits_of(params, x) for params in members], axis=0)
    return result


def pick_threshold(logits: np.ndarray, truth: np.ndarray, benign: np.ndarray) -> float:
    # At most BENIGN_BUDGET of the benign examples may score above the threshold out of fold; the
    # shipped model, which has seen them, is then checked on fresh cases (tests/core).
    allowed = int(BENIGN_BUDGET * benign.sum())
    ceiling = np.sort(logits[benign])[-(allowed + 1)] if benign.any() else -np.inf
    best, best_score = float(logits[truth].max()) if truth.any() else 10.0, -1.0
    for candidate in sorted(set(logits[truth].tolist())):
        if candidate <= ceiling:
            continue
        flagged = logits >= candidate
        tp = float((flagged & truth).sum())
        score = (1 + BETA**2) * tp / (flagged.sum() + BETA**2 * truth.sum())
        if score > best_score:
            best, best_score = candidate, score
    below = logits[logits < best]
    return (best + float(below.max())) / 2 if below.size else best - 1.0


def main() -> None:
    texts, labels, groups = load()
    encoder = SentenceEncoder()
    normalized = [normalize_for_moderation(text) for text in texts]
    x = np.concatenate([encoder.encode(normalized[i : i + 64]) for i in range(0, len(texts), 64)]).astype(np.float64)
    fold = stratified_folds(labels, groups)
    # Every example is scored by a model that never saw it (or its siblings): out-of-fold logits.
    logits = np.zeros(labels.shape)
    for k in range(FOLDS):
        logits[fold == k] = ensemble_logits(fit_ensemble(x[fold != k], labels[fold != k]), x[fold == k])
    truth = labels > 0
    benign = np.asarray(~truth.any(axis=1))
    thresholds = np.array([pick_threshold(logits[:, c], truth[:, c], benign) for c in range(len(OPENAI_CATEGORIES))])
    members = fit_ensemble(x, labels)  # the shipped model sees everything; thresholds come from out-of-fold scores
    out = ROOT / "core" / "providers" / "moderation_model" / "heads.npz"
    # Stacked per member: hidden_weights (members, dimensions, hidden), weights (members, hidden, categories)...
    arrays = {key: np.stack([params[key] for params in members]).astype(np.float32) for key in members[0]}
    arrays["threshold_logit"] = thresholds.astype(np.float32)
    np.savez_compressed(out, categories=np.array(OPENAI_CATEGORIES), **arrays)  # type: ignore[arg-type]
    flagged = logits >= thresholds
    lines = [
        "# Moderation classifier: held-out report",
        "",
        f"Generated by `training/moderation/train.py` (seed {SEED}). Data: {len(texts)} examples in "
        f"`data.jsonl` ({int((labels.sum(axis=1) > 0).sum())} harmful, {int((labels.sum(axis=1) == 0).sum())} benign); "
        f"{FOLDS}-fold cross-validation: each fold holds out a stratified fifth of the seed groups "
        "(a sentence's reworded variants, a template's fillers), so every number below is on text whose "
        "siblings were not trained on. Thresholds are chosen on these out-of-fold scores (the best F0.5 that "
        f"blocks at most {BENIGN_BUDGET:.1%} of the benign examples out of fold) and applied to the shipped model, trained on all the data.",
        "`tests/core/test_moderation_classifier.py` checks 40 fresh cases that are not in the data.",
        "",
        "| category | positives | precision | recall |",
        "|---|---|---|---|",
    ]
    for c, name in enumerate(OPENAI_CATEGORIES):
        tp = int((flagged[:, c] & truth[:, c]).sum())
        predicted, actual = int(flagged[:, c].sum()), int(truth[:, c].sum())
        lines.append(
            f"| {name} | {actual} | {tp / predicted if predicted else 1.0:.2f} | {tp / actual if actual else 1.0:.2f} |"
        )
    any_flag, any_truth = flagged.any(axis=1), truth.any(axis=1)
    lines += [
        "",
        f"Any category: accuracy {(any_flag == any_truth).mean():.3f}; benign blocked "
        f"{int((any_flag & ~any_truth).sum())} of {int((~any_truth).sum())}; harmful missed "
        f"{int((~any_flag & any_truth).sum())} of {int(any_truth.sum())}.",
        f"Weights: `{out.relative_to(ROOT)}` ({out.stat().st_size // 1024} KB).",
    ]
    report = HERE / "REPORT.md"
    notes = report.read_text(encoding="utf-8").partition(NOTES_MARKER)[2] if report.exists() else ""
    report.write_text("\n".join(lines) + f"\n\n{NOTES_MARKER}{notes or chr(10)}", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
