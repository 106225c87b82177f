"""OpenAI's attribute filters (ComparisonFilter, CompoundFilter) validated and turned into the
engine-neutral condition tree the vector store translates into its query.

Every refusal is a 400 that says why: an unknown operator, a value of the wrong kind for it,
a key the payload path cannot hold, or a filter too large (bounded so no caller can send a filter
that takes the engine long to evaluate)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, model_validator

from core.errors import BadRequest
from core.vectorstore.attribute_filter import AttributeCondition, Comparison, Compound

FILTER_MAX_CONDITIONS = 64
FILTER_MAX_DEPTH = 5
FILTER_VALUES_MAX = 100
ATTRIBUTE_KEY_MAX_CHARS = 64
ATTRIBUTE_STRING_MAX_CHARS = 512
KEY_FORBIDDEN = set('.[]"')  # they would change the payload path the key is looked up under


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


FilterString = Annotated[StrictStr, Field(max_length=ATTRIBUTE_STRING_MAX_CHARS)]


class ComparisonFilter(_Strict):
    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    key: str = Field(min_length=1, max_length=ATTRIBUTE_KEY_MAX_CHARS)
    value: (
        StrictBool
        | FilterString
        | StrictInt
        | float
        | Annotated[list[FilterString | StrictInt | float], Field(max_length=FILTER_VALUES_MAX)]
    )

    @model_validator(mode="after")
    def _value_fits_type(self) -> ComparisonFilter:
        if KEY_FORBIDDEN & set(self.key):
            raise ValueError(f"attribute key {self.key!r} may not contain '.', '[', ']' or '\"'")
        if (self.type in ("in", "nin")) != isinstance(self.value, list):
            raise ValueError(f"'{self.type}' takes {'a list' if self.type in ('in', 'nin') else 'a single value'}")
        if self.type in ("gt", "gte", "lt", "lte") and (isinstance(self.value, bool | list | str)):
            raise ValueError(f"'{self.type}' compares numbers (store dates as Unix timestamps)")
        return self


class CompoundFilter(_Strict):
    type: Literal["and", "or"]
    filters: list[Annotated[ComparisonFilter | CompoundFilter, Field(discriminator="type")]] = Field(
        min_length=1, max_length=FILTER_MAX_CONDITIONS
    )


Filter = Annotated[ComparisonFilter | CompoundFilter, Field(discriminator="type")]


class _FilterHolder(_Strict):
    filter: Filter


def check_filter_size(node: ComparisonFilter | CompoundFilter) -> None:
    """:raises ValueError: when the filter holds too many comparisons or nests too deep."""
    conditions, depth = _measure(node)
    if conditions > FILTER_MAX_CONDITIONS or depth > FILTER_MAX_DEPTH:
        raise ValueError(f"filters may hold at most {FILTER_MAX_CONDITIONS} comparisons nested {FILTER_MAX_DEPTH} deep")


def _measure(node: ComparisonFilter | CompoundFilter) -> tuple[int, int]:
    if isinstance(node, ComparisonFilter):
        return 1, 1
    measured = [_measure(inner) for inner in node.filters]
    return sum(m[0] for m in measured), 1 + max(m[1] for m in measured)


def parse_filter(raw: Any, param: str = "filters") -> AttributeCondition:
    """OpenAI's filter JSON as a condition tree. :raises BadRequest: naming what is wrong."""
    try:
        node = _FilterHolder.model_validate({"filter": raw}).filter
        check_filter_size(node)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise BadRequest(
            f"invalid {param}{'.' + where if where else ''}: {message}", details={"param": param}
        ) from None
    except ValueError as error:
        raise BadRequest(f"invalid {param}: {error}", details={"param": param}) from None
    return to_condition(node)


def to_condition(node: ComparisonFilter | CompoundFilter) -> AttributeCondition:
    """A validated filter model as the vector store's condition tree."""
    if isinstance(node, CompoundFilter):
        return Compound(node.type, tuple(to_condition(inner) for inner in node.filters))
    value = tuple(node.value) if isinstance(node.value, list) else node.value
    return Comparison(node.type, node.key, value)
