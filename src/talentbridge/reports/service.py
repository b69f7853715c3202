"""The progress report: SQL aggregates over indexed placement columns, never row loops."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from talentbridge import reference
from talentbridge.config import Settings
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements.models import Placement, Stage
from talentbridge.placements.service import FORWARD
from talentbridge.reports.schemas import (
    Count,
    Goal,
    MonthCount,
    Pace,
    PartnershipCount,
    ProgressReport,
    StageCount,
)

DAYS_PER_MONTH = 365.25 / 12
TRAILING_DAYS = 90
HORIZON_DAYS = 100 * 365  # beyond a century, 'no projection' says more than a date
STAGES = [*FORWARD, Stage.rejected, Stage.withdrawn]


@dataclass(frozen=True)
class Filters:
    sector: str | None = None
    state: str | None = None
    prefecture: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _scoped(query: Any, organisation: Organisation | None, filters: Filters) -> Any:
    if organisation is not None and organisation.kind == OrgKind.institute:
        query = query.where(Placement.institute_id == organisation.id)
    elif organisation is not None and organisation.kind == OrgKind.employer:
        query = query.where(Placement.employer_id == organisation.id)
    for column, value in (
        (Placement.sector, filters.sector),
        (Placement.state, filters.state),
        (Placement.prefecture, filters.prefecture),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def _placed_window(filters: Filters, end: date) -> Any:
    condition = Placement.status == Stage.placed
    if filters.date_from:
        condition = and_(condition, Placement.placed_on >= filters.date_from)
    return and_(condition, Placement.placed_on <= end)


def _month(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Placement.placed_on, "YYYY-MM")
    return func.strftime("%Y-%m", Placement.placed_on)


def progress(
    *,
    session: Session,
    settings: Settings,
    organisation: Organisation | None,
    filters: Filters,
    today: date | None = None,
) -> ProgressReport:
    today = today or date.today()
    as_of = min(filters.date_to or today, today)
    # Only placements inside the goal's window count toward it.
    filters = replace(
        filters, date_from=max(filters.date_from or settings.goal_start, settings.goal_start)
    )
    placed_here = _placed_window(filters, as_of)
    open_stage = Placement.status.in_([s.value for s in FORWARD[:-1]])
    recent_here = and_(placed_here, Placement.placed_on > as_of - timedelta(days=TRAILING_DAYS))

    def n(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    # One pass over the placements, grouped by the three places; every breakdown, the
    # funnel and the recent pace are sums over these (at most 4 x 36 x 47) groups.
    cube = session.execute(
        _scoped(
            select(
                Placement.sector,
                Placement.state,
                Placement.prefecture,
                n(placed_here),
                n(open_stage),
                n(recent_here),
                *(n(Placement.status == stage.value) for stage in STAGES),
            ),
            organisation,
            filters,
        ).group_by(Placement.sector, Placement.state, Placement.prefecture)
    ).all()
    totals: dict[str, dict[Any, list[int]]] = {"sector": {}, "state": {}, "prefecture": {}}
    pairs: dict[tuple[str, str], list[int]] = {}
    recent = 0
    stages = [0] * len(STAGES)
    for sector, state, prefecture, placed_n, pipeline_n, recent_n, *stage_n in cube:
        counts = [int(placed_n or 0), int(pipeline_n or 0)]
        for name, key in (("sector", sector), ("state", state), ("prefecture", prefecture)):
            _add(totals[name].setdefault(key, [0, 0]), counts)
        _add(pairs.setdefault((state, prefecture), [0, 0]), counts)
        recent += int(recent_n or 0)
        stages = [a + int(b or 0) for a, b in zip(stages, stage_n, strict=True)]
    by_sector = _counts(totals["sector"], reference.SECTORS)
    by_partnership = [
        PartnershipCount(
            state=s,
            prefecture=p,
            placed=pairs.get((s, p), [0, 0])[0],
            in_pipeline=pairs.get((s, p), [0, 0])[1],
        )
        for s, p in reference.partnerships()
    ]
    placed = sum(c.placed for c in by_sector)
    month = _month(session)
    monthly: dict[str, int] = {
        key: int(value)
        for key, value in session.execute(
            _scoped(select(month, func.count()).where(placed_here), organisation, filters).group_by(
                month
            )
        ).all()
    }

    goal = Goal(target=settings.goal_target, start=settings.goal_start, end=settings.goal_end)
    return ProgressReport(
        goal=goal,
        as_of=as_of,
        placed=placed,
        percent_of_goal=round(100 * placed / goal.target, 2),
        pace=_pace(goal, placed, recent, as_of),
        by_sector=by_sector,
        by_state=_counts(totals["state"]),
        by_prefecture=_counts(totals["prefecture"]),
        by_partnership=by_partnership,
        by_month=_months(goal, monthly, filters.date_from or goal.start, as_of),
        funnel=[StageCount(stage=s, count=c) for s, c in zip(STAGES, stages, strict=True)],
    )


def _add(total: list[int], counts: list[int]) -> None:
    total[0] += counts[0]
    total[1] += counts[1]


def _counts(found: dict[Any, list[int]], always: tuple[str, ...] = ()) -> list[Count]:
    keys = list(always) + sorted(k for k in found if k not in always)
    counts = [
        Count(key=k, placed=found.get(k, [0, 0])[0], in_pipeline=found.get(k, [0, 0])[1])
        for k in keys
    ]
    return sorted(counts, key=lambda c: (-c.placed, -c.in_pipeline, c.key))


def _pace(goal: Goal, placed: int, recent: int, as_of: date) -> Pace:
    remaining = max(goal.target - placed, 0)
    months_left = max((goal.end - as_of).days, 1) / DAYS_PER_MONTH
    actual = recent / (TRAILING_DAYS / DAYS_PER_MONTH)
    if remaining == 0:
        projected: date | None = as_of
    elif actual > 0 and remaining / actual * DAYS_PER_MONTH < HORIZON_DAYS:
        projected = as_of + timedelta(days=round(remaining / actual * DAYS_PER_MONTH))
    else:
        projected = None
    return Pace(
        required_per_month=round(remaining / months_left, 2),
        actual_per_month=round(actual, 2),
        projected_completion_date=projected,
        on_track=projected is not None and projected <= goal.end,
    )


def _months(goal: Goal, monthly: dict[str, int], start: date, end: date) -> list[MonthCount]:
    """Every month from start to end, with the cumulative count and the straight goal line."""
    total_days = (goal.end - goal.start).days
    out, cumulative = [], 0
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        key = f"{year:04d}-{month:02d}"
        cumulative += int(monthly.get(key, 0))
        month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        elapsed = min(max((month_end - goal.start).days, 0), total_days)
        out.append(
            MonthCount(
                month=key,
                placed=int(monthly.get(key, 0)),
                cumulative=cumulative,
                goal_line=round(goal.target * elapsed / total_days, 1),
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def to_csv_rows(report: ProgressReport) -> list[list[Any]]:
    """The breakdowns as (breakdown, key, placed, in_pipeline, cumulative, goal_line) rows."""
    rows: list[list[Any]] = [
        ["breakdown", "key", "placed", "in_pipeline", "cumulative", "goal_line"]
    ]
    rows.append(["total", "placed", report.placed, "", "", report.goal.target])
    for name, counts in (
        ("sector", report.by_sector),
        ("state", report.by_state),
        ("prefecture", report.by_prefecture),
    ):
        rows += [[name, c.key, c.placed, c.in_pipeline, "", ""] for c in counts]
    rows += [
        ["partnership", f"{p.state}–{p.prefecture}", p.placed, p.in_pipeline, "", ""]
        for p in report.by_partnership
    ]
    rows += [["month", m.month, m.placed, "", m.cumulative, m.goal_line] for m in report.by_month]
    rows += [["funnel", s.stage, s.count, "", "", ""] for s in report.funnel]
    return rows
