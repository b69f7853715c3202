"""A spreadsheet's columns read as the schema says: one schema, many readers (STYLE 20).

Which columns are lists, booleans, dates or numbers comes from `CandidateCreate`'s
annotations, never from a list kept beside it: a field added to the schema is read from
files the day it is added (guardian_consent once was not, issue 19).
"""

import types
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from talentbridge.candidates.schemas import CandidateCreate

Kind = Literal["list", "bool", "date", "number", "text"]

# Booleans in a file: true/false as Excel writes them, and the words people type. Each is
# unambiguous in a yes-or-no column; anything else ("x", "y", "ok") is that row's error.
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")
BOOL_HINT = "Enter true or false (also accepted, in any case: yes or no, 1 or 0)"
DATE_HINT = "Enter a date like 1998-05-01 (YYYY-MM-DD)"
LIST_SEPARATOR = ";"


def _base(annotation: Any) -> Any:
    """The type under Optional[...] and Annotated[...]."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def kind_of(annotation: Any) -> Kind:
    base = _base(annotation)
    if get_origin(base) is list:
        return "list"
    if base is bool:
        return "bool"
    if base is date:
        return "date"
    if base in (int, float):
        return "number"
    return "text"


COLUMNS = tuple(CandidateCreate.model_fields)
REQUIRED_COLUMNS = tuple(n for n, f in CandidateCreate.model_fields.items() if f.is_required())
KINDS: dict[str, Kind] = {
    name: kind_of(field.annotation) for name, field in CandidateCreate.model_fields.items()
}


class CellError(ValueError):
    """A cell that cannot mean a value of its column; the message says what would."""


def from_text(name: str, raw: str) -> Any:
    """A cell's text as the value its column holds; None for an empty cell (the default)."""
    value = raw.strip()
    kind = KINDS.get(name, "text")
    if kind == "list":
        return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    if value == "":
        return None
    if kind == "bool":
        lowered = value.casefold()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise CellError(f"{BOOL_HINT}, not {value!r}")
    if kind == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CellError(f"{DATE_HINT}, not {value!r}") from None
    return value


def to_text(value: Any) -> str:
    """A value as a cell would hold it (the inverse of from_text, for files written back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"{LIST_SEPARATOR} ".join(to_text(item) for item in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
