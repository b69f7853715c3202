"""One page of a list: the shape every list endpoint answers with, and the query behind it.

Plain pydantic and SQLAlchemy (no FastAPI), so services page their queries with it and
routers answer with it; deps.WindowDep reads the window from the query string.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

T = TypeVar("T")
Row = TypeVar("Row")

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Window:
    """Which slice of a list: at most `limit` items after skipping `offset`."""

    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class Slice(Generic[Row]):
    """The rows of one window and how many there are in all."""

    items: Sequence[Row]
    total: int


class Page(BaseModel, Generic[T]):
    """A window of a list; subclass it per item type (`class CandidatePage(Page[CandidateRead])`)
    so the schema keeps a readable name in the API docs."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, found: Slice[Any], window: Window) -> Self:
        """The page holding these rows (ORM objects or schemas), read through the item schema."""
        return cls.model_validate(
            {
                "items": list(found.items),
                "total": found.total,
                "limit": window.limit,
                "offset": window.offset,
            },
            from_attributes=True,
        )


def paginate(
    session: Session,
    query: Select[Row],
    window: Window,
    *,
    order_by: Iterable[Any],
    options: Iterable[ExecutableOption] = (),
) -> Slice[Row]:
    """The window of `query` in the given order, and the count of all its rows."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(*options).order_by(*order_by).limit(window.limit).offset(window.offset)
    ).all()
    return Slice(rows, total)
