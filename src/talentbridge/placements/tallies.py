"""Running counts of the pipeline, kept in step with every placement that moves.

A report over the whole programme would otherwise group every placement row each time
an officer opens the dashboard. The tallies hold one row per (stage, sector, state,
prefecture) and per (month, sector, state, prefecture) of placed people; they change in
the same transaction as the placement, so they can never disagree with it.
"""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from talentbridge.placements.models import PlacedTally, Placement, StageTally


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_of(session: Session, column: Any) -> ColumnElement[str]:
    """SQL for a date column's 'YYYY-MM', the key PlacedTally is kept under."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _bump(session: Session, model: type[StageTally | PlacedTally], by: int, **key: str) -> None:
    # An upsert, so two transactions counting into a new cell cannot both insert it.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**key, count=by)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"count": model.count + statement.excluded.count}
        )
    )


def count_move(session: Session, placement: Placement, old: str | None, new: str) -> None:
    """Count a placement that moved from `old` (None: just created) to `new`."""
    place = {
        "sector": placement.sector,
        "state": placement.state,
        "prefecture": placement.prefecture,
    }
    if old is not None:
        _bump(session, StageTally, -1, status=old, **place)
    _bump(session, StageTally, 1, status=new, **place)
    if new == "placed" and placement.placed_on is not None:
        _bump(session, PlacedTally, 1, month=month_key(placement.placed_on), **place)


def rebuild(session: Session) -> None:
    """Recount both tallies from the placement rows (after a bulk load, or to check them)."""
    session.execute(delete(StageTally))
    session.execute(delete(PlacedTally))
    places = (Placement.sector, Placement.state, Placement.prefecture)
    session.execute(
        insert(StageTally).from_select(
            ["sector", "state", "prefecture", "status", "count"],
            select(*places, Placement.status, func.count()).group_by(*places, Placement.status),
        )
    )
    month = month_of(session, Placement.placed_on)
    session.execute(
        insert(PlacedTally).from_select(
            ["month", "sector", "state", "prefecture", "count"],
            select(month, *places, func.count())
            .where(Placement.status == "placed", Placement.placed_on.is_not(None))
            .group_by(month, *places),
        )
    )


def _snapshot(session: Session) -> dict[tuple[str, ...], int]:
    cells = {
        ("stage", t.sector, t.state, t.prefecture, t.status): t.count
        for t in session.scalars(select(StageTally))
    }
    cells.update(
        {
            ("placed", t.month, t.sector, t.state, t.prefecture): t.count
            for t in session.scalars(select(PlacedTally))
        }
    )
    return {key: n for key, n in cells.items() if n}


def recount(session: Session) -> int:
    """Rebuild the tallies and say how many of their cells had been wrong."""
    before = _snapshot(session)
    rebuild(session)
    after = _snapshot(session)
    return sum(before.get(key, 0) != after.get(key, 0) for key in before.keys() | after.keys())
