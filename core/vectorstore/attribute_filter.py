"""Conditions on a chunk's ``attributes`` (OpenAI's file attributes) as a Qdrant filter.

The tree is engine-neutral (built from OpenAI's filter JSON in ``retrieval/filters.py``) and is
translated for either engine: ``qdrant_edge`` and ``qdrant_client.models`` take the same
FieldCondition/Filter arguments and differ only in the name of the numeric range class.
Numbers compare as floats (a stored ``3`` equals a filter's ``3.0``); strings and booleans match
exactly. A chunk without the key fails every condition except ``ne`` and ``nin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

ATTRIBUTES_KEY = "attributes"
ComparisonOp = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Comparison:
    op: ComparisonOp
    key: str
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class Compound:
    op: Literal["and", "or"]
    conditions: tuple[AttributeCondition, ...]


AttributeCondition = Comparison | Compound


def translate_attribute_filter(condition: AttributeCondition, models: Any) -> Any:
    """``condition`` as one Qdrant ``Filter`` built from ``models``."""
    if isinstance(condition, Compound):
        inner = [translate_attribute_filter(c, models) for c in condition.conditions]
        return models.Filter(must=inner) if condition.op == "and" else models.Filter(should=inner)
    if condition.op in ("ne", "nin"):
        positive = Comparison("eq" if condition.op == "ne" else "in", condition.key, condition.value)
        return models.Filter(must_not=[translate_attribute_filter(positive, models)])
    if condition.op == "in":
        assert isinstance(condition.value, tuple)
        return models.Filter(should=[_equals(models, condition.key, value) for value in condition.value])
    if condition.op == "eq":
        assert not isinstance(condition.value, tuple)
        return models.Filter(must=[_equals(models, condition.key, condition.value)])
    bound = {condition.op: float(condition.value)}  # type: ignore[arg-type]  # validated numeric
    return models.Filter(must=[models.FieldCondition(key=_path(condition.key), range=_range(models)(**bound))])


def _equals(models: Any, key: str, value: Scalar) -> Any:
    if isinstance(value, bool) and _is_edge(models):
        # qdrant-edge's binding reads a Python bool as the integer 0/1, which never equals a stored
        # boolean; numpy's bool is no int subclass and arrives as a boolean.
        return models.FieldCondition(key=_path(key), match=models.MatchValue(value=np.bool_(value)))
    if isinstance(value, bool | str):
        return models.FieldCondition(key=_path(key), match=models.MatchValue(value=value))
    number = float(value)
    return models.FieldCondition(key=_path(key), range=_range(models)(gte=number, lte=number))


def _is_edge(models: Any) -> bool:
    return hasattr(models, "RangeFloat")


def _range(models: Any) -> Any:
    return models.RangeFloat if _is_edge(models) else models.Range


def _path(key: str) -> str:
    return f"{ATTRIBUTES_KEY}.{key}"
