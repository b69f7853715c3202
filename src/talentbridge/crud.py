"""Record helpers every domain service shares: one record for its owner, and a PATCH."""

import types
from collections.abc import Iterable
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy.orm import Session

from talentbridge.errors import Invalid, NotFound

M = TypeVar("M")


def get_owned(
    session: Session, model: type[M], record_id: int, *, owner: str, owner_id: int | None
) -> M:
    """The record whose `owner` column is owner_id (any owner's when None); else NotFound.

    Another owner's record and no record get the same answer, so ids cannot be probed.
    """
    record = session.get(model, record_id)
    if record is None or (owner_id is not None and getattr(record, owner) != owner_id):
        noun = record_name(model)
        raise NotFound(f"{noun} {record_id} not found", field=f"{noun.replace(' ', '_')}_id")
    return record


# What one row of a table is called in a message ("vacancies" is not "vacancie" plus s).
RECORD_NAMES = {
    "allocation_plans": "allocation plan",
    "candidates": "candidate",
    "jobs": "job",
    "organisations": "organisation",
    "placements": "placement",
    "vacancies": "vacancy",
}


def record_name(model: type) -> str:
    """The singular name of one of the model's records, for messages."""
    table = getattr(model, "__tablename__", None)
    if table in RECORD_NAMES:
        return RECORD_NAMES[table]
    return model.__name__.lower()  # a class name is already singular


def _admits_none(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _admits_none(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_admits_none(arg) for arg in get_args(annotation))
    return annotation is None or annotation is type(None) or annotation is Any


def non_nullable(schema: type[BaseModel]) -> frozenset[str]:
    """The fields a record always has: those whose read-schema type does not admit None
    (read from the schema, so a field added to it is covered the day it is added)."""
    return frozenset(
        name for name, info in schema.model_fields.items() if not _admits_none(info.annotation)
    )


def changes_of(update_in: BaseModel, *, not_null: Iterable[str]) -> dict[str, Any]:
    """The fields a PATCH sent; 422 naming the field when one that may not be null is null."""
    changes = update_in.model_dump(exclude_unset=True)
    for name in not_null:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be null", field=name)
    return changes


def apply_changes(record: object, changes: dict[str, Any]) -> bool:
    """Set changed fields on any record; True when anything differed."""
    changed = False
    for name, value in changes.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed
