"""The progress report: SQL aggregates over the pipeline tallies (or, for one
organisation's share, over its indexed placement rows), never loops over rows."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select, true, union_all
from sqlalchemy.orm import Session

from talentbridge import reference
from talentbridge.config import Settings
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements import tallies
from talentbridge.placements.models import PlacedTally, Placement, StageTally
from talentbridge.reports import once
from talentbridge.reports.schemas import (
    Count,
    Goal,
    MonthCount,
    Pace,
    PartnershipCount,
    ProgressReport,
    ReportFilters,
    Scope,
    StageCount,
)
from talentbridge.stages import ALL as STAGES
from talentbridge.stages import OPEN, Stage

DAYS_PER_MONTH = 365.25 / 12
TRAILING_DAYS = 90
HORIZON_DAYS = 100 * 365  # beyond a century, 'no projection' says more than a date


@dataclass(frozen=True)
class Filters:
    sector: str | None = None
    state: str | None = None
    prefecture: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Target:
    """The target a report compares with: the programme's, or a filtered part's own."""

    applies_to: str
    key: str | None
    target: int


def target_for(settings: Settings, organisation: Organisation | None, filters: Filters) -> Target:
    """The sector's, state's or partnership's own target when the filter is exactly that part
    and a target is set for it; otherwise the whole programme's."""
    programme = Target("programme", None, settings.goal_target)
    if organisation is not None and organisation.kind != OrgKind.officer:
        return programme
    sector, state, prefecture = filters.sector, filters.state, filters.prefecture
    found: tuple[str, str, dict[str, int]] | None = None
    if sector and not state and not prefecture:
        found = ("sector", sector, settings.sector_targets)
    elif state and prefecture and not sector:
        found = ("partnership", f"{state}–{prefecture}", settings.partnership_targets)
    elif state and not prefecture and not sector:
        found = ("state", state, settings.state_targets)
    if found is None or found[1] not in found[2]:
        return programme
    return Target(found[0], found[1], found[2][found[1]])


def _by_place(filters: Filters) -> bool:
    return any((filters.sector, filters.state, filters.prefecture))


def scope_of(organisation: Organisation | None, filters: Filters) -> Scope:
    """Whose figures a report holds, in data and in one sentence."""
    chosen = ReportFilters.model_validate(filters, from_attributes=True)
    shown = [
        f"{label} {value}"
        for label, value in (
            ("sector", filters.sector),
            ("state", filters.state),
            ("prefecture", filters.prefecture),
            ("placed from", filters.date_from),
            ("placed to", filters.date_to),
        )
        if value is not None
    ]
    narrowed = f", filtered to {', '.join(shown)}" if shown else ""
    if organisation is None or organisation.kind == OrgKind.officer:
        return Scope(
            kind="programme",
            organisation=None,
            filters=chosen,
            description=f"Figures for the whole programme{narrowed}.",
        )
    whose = (
        "the candidates it submitted"
        if organisation.kind == OrgKind.institute
        else "the people placed in its vacancies"
    )
    return Scope(
        kind=OrgKind(organisation.kind).value,
        organisation=organisation.name,
        filters=chosen,
        description=f"Figures for {organisation.name} only ({whose}){narrowed}.",
    )


def _goal_note(target: Target, scope: Scope, whole: bool) -> str:
    if scope.kind != "programme":
        return (
            f"{scope.organisation}'s own placements against the whole programme's target: "
            "the share of the goal is its contribution."
        )
    if target.applies_to != "programme":
        return (
            f"The share of the goal, the pace and the projection compare with the "
            f"{target.applies_to} target for {target.key} ({target.target:,} people)."
        )
    if whole:
        return (
            "No target is set for this filter: the share of the goal, the pace and the "
            "projection are the whole programme's, and do not change with the filter."
        )
    return "Compared with the whole programme's target."


class _Counts:
    """Where the report counts from: the tallies for the whole programme, or the placement
    rows themselves for one organisation's share (indexed by organisation, and small)."""

    def __init__(
        self, session: Session, organisation: Organisation | None, filters: Filters, rows: bool
    ) -> None:
        self.session = session
        self.filters = filters
        self.owner: Any = None
        self.repeated = once.repeated()  # placements of a person placed before as another record
        if organisation is not None and organisation.kind == OrgKind.institute:
            self.owner = Placement.institute_id == organisation.id
            self.repeated = once.repeated("institute_id")
        elif organisation is not None and organisation.kind == OrgKind.employer:
            self.owner = Placement.employer_id == organisation.id
            self.repeated = once.repeated("employer_id")
        self.rows = rows or self.owner is not None

    def _where(self, query: Any, model: Any) -> Any:
        if model is Placement and self.owner is not None:
            query = query.where(self.owner)
        for name in ("sector", "state", "prefecture"):
            value = getattr(self.filters, name)
            if value is not None:
                query = query.where(getattr(model, name) == value)
        return query

    def stages(self) -> Any:
        """(sector, state, prefecture, status, n): the pipeline as it stands."""
        if not self.rows:
            return self._where(
                select(*_cell(StageTally), StageTally.status, StageTally.count.label("n")),
                StageTally,
            )
        return self._where(
            select(*_cell(Placement), Placement.status, func.count().label("n")), Placement
        ).group_by(*_cell(Placement), Placement.status)

    def placed(self, first: date | None, last: date | None, *by: str) -> Any:
        """Placements that reached the final stage between first and last (inclusive; None
        leaves that end open), summed by the named columns of (month, sector, state,
        prefecture) into column n."""
        return _summed(self.placed_parts(first, last, by), by)

    def placed_parts(
        self, first: date | None, last: date | None, by: tuple[str, ...], sign: int = 1
    ) -> list[Any]:
        """The selects whose union is `placed(first, last, *by)`, each count times sign.

        Whole calendar months come from PlacedTally; the days of a month the range only
        partly covers come from the rows, through the partial index on placed rows.
        """
        months, days = ((None, None), [(first, last)]) if self.rows else _split(first, last)
        parts = []
        if months != (None, None) or not days:
            tally = [getattr(PlacedTally, c) for c in by]
            total = func.sum(PlacedTally.count)
            query = self._where(select(*tally, (total * sign).label("n")), PlacedTally)
            if months[0] is not None:
                query = query.where(PlacedTally.month >= months[0])
            if months[1] is not None:
                query = query.where(PlacedTally.month <= months[1])
            parts.append(query.group_by(*tally))
        row = [
            tallies.month_of(self.session, Placement.placed_on).label(c)
            if c == "month"
            else getattr(Placement, c)
            for c in by
        ]
        for first_day, last_day in days:  # one range each, so each is an index range scan
            parts.append(
                self._where(select(*row, (func.count() * sign).label("n")), Placement)
                .where(Placement.status == Stage.placed, _between(first_day, last_day))
                .group_by(*row)
            )
        parts.append(  # one person placed as two records counts once
            self._where(select(*row, (func.count() * -sign).label("n")), Placement)
            .where(self.repeated, _between(first, last))
            .group_by(*row)
        )
        return parts

    def ever_placed(self) -> Any:
        """(sector, state, prefecture, n): everyone placed, whenever (tallies only), each
        person once."""
        tallied = self._where(
            select(*_cell(StageTally), StageTally.count.label("n")), StageTally
        ).where(StageTally.status == Stage.placed)
        repeats = self._where(
            select(*_cell(Placement), (-func.count()).label("n")), Placement
        ).where(self.repeated)
        union: Any = union_all  # as in _summed
        both = union(tallied, repeats.group_by(*_cell(Placement))).subquery()
        return select(*(both.c[c] for c in _CELL), both.c.n)


def _summed(parts: list[Any], by: tuple[str, ...]) -> Any:
    union: Any = union_all  # mypy 2.4 crashes expanding union_all's variadic signature
    both: Any = (parts[0] if len(parts) == 1 else union(*parts)).subquery()
    keys: list[Any] = [both.c[c] for c in by]
    return select(*keys, func.sum(both.c.n).label("n")).group_by(*keys)


_CELL = ("sector", "state", "prefecture")


def _cell(model: Any) -> tuple[Any, Any, Any]:
    return model.sector, model.state, model.prefecture


def _between(first: date | None, last: date | None) -> Any:
    return and_(
        Placement.placed_on >= first if first else true(),
        Placement.placed_on <= last if last else true(),
    )


def _split(
    first: date | None, last: date | None
) -> tuple[tuple[str | None, str | None], list[tuple[date | None, date | None]]]:
    """The calendar months wholly inside [first, last] as 'YYYY-MM' bounds (None: open),
    and the day ranges either side of them. No whole month: no month bounds, one range."""
    start = first if first is None or first.day == 1 else _month_after(first)
    if last is None or (last + timedelta(days=1)).day == 1:
        end = last
    else:
        end = last.replace(day=1) - timedelta(days=1)
    if start is not None and end is not None and start > end:
        return (None, None), [(first, last)]
    days: list[tuple[date | None, date | None]] = []
    if first is not None and start is not None and first < start:
        days.append((first, start - timedelta(days=1)))
    if last is not None and end is not None and end < last:
        days.append((end + timedelta(days=1), last))
    bounds = (
        tallies.month_key(start) if start else None,
        tallies.month_key(end) if end else None,
    )
    return bounds, days


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def progress(
    *,
    session: Session,
    settings: Settings,
    organisation: Organisation | None,
    filters: Filters,
    today: date | None = None,
    from_rows: bool = False,
) -> ProgressReport:
    """The report; `from_rows` counts the placement rows even for the whole programme
    (the tests and the benchmark compare it with the tallies)."""
    today = today or date.today()
    target = target_for(settings, organisation, filters)
    scope = scope_of(organisation, filters)
    as_of = min(filters.date_to or today, today)
    # Only placements inside the goal's window count toward it.
    since = max(filters.date_from or settings.goal_start, settings.goal_start)
    counts = _Counts(session, organisation, filters, from_rows)

    stages = counts.stages().subquery()
    cell = [stages.c[c] for c in _CELL]
    open_stage = stages.c.status.in_([s.value for s in OPEN])
    # (placed in the window, in the pipeline now) per cell; every breakdown sums these.
    cells: dict[tuple[str, str, str], list[int]] = {}
    by_cell: Any = session.execute(
        select(*cell, func.sum(stages.c.n)).where(open_stage).group_by(*cell)
    )
    for sector, state, prefecture, pipeline_n in by_cell:
        cells[(sector, state, prefecture)] = [0, int(pipeline_n)]
    funnel: dict[str, int] = dict(
        session.execute(
            select(stages.c.status, func.sum(stages.c.n)).group_by(stages.c.status)
        ).all()
    )
    for where, n in _placed_cells(
        session, counts, since, as_of, settings.goal_start, today
    ).items():
        cells.setdefault(where, [0, 0])[0] += n

    monthly = {m: int(n) for m, n in session.execute(counts.placed(since, as_of, "month"))}
    recent = _trailing(session, counts, monthly, since, as_of)

    totals: dict[str, dict[Any, list[int]]] = {"sector": {}, "state": {}, "prefecture": {}}
    pairs: dict[tuple[str, str], list[int]] = {}
    for (sector, state, prefecture), pair in cells.items():
        for name, key in (("sector", sector), ("state", state), ("prefecture", prefecture)):
            _add(totals[name].setdefault(key, [0, 0]), pair)
        _add(pairs.setdefault((state, prefecture), [0, 0]), pair)
    by_sector = _counts(
        totals["sector"], (filters.sector,) if filters.sector else reference.SECTORS
    )
    by_partnership = sorted(
        (
            PartnershipCount(
                state=s,
                prefecture=p,
                placed=pairs.get((s, p), [0, 0])[0],
                in_pipeline=pairs.get((s, p), [0, 0])[1],
            )
            for s, p in reference.partnerships()
            if filters.state in (None, s) and filters.prefecture in (None, p)
        ),
        key=lambda c: (-c.placed, -c.in_pipeline, c.state),
    )
    placed = sum(c.placed for c in by_sector)
    # Placements made past a failed SSW gate on an officer's override (a partial index).
    under_override = session.scalar(
        counts._where(select(func.count()).select_from(Placement), Placement).where(
            Placement.status == Stage.placed, Placement.under_override, _between(since, as_of)
        )
    )

    # Under a place filter with no target of its own, the goal figures are the programme's.
    whole = scope.kind == "programme" and _by_place(filters) and target.applies_to == "programme"
    goal_placed, goal_recent = placed, recent
    if whole:
        window = Filters(date_from=filters.date_from, date_to=filters.date_to)
        everyone = _Counts(session, None, window, from_rows)
        goal_placed = sum(
            _placed_cells(session, everyone, since, as_of, settings.goal_start, today).values()
        )
        every_month = {
            m: int(n) for m, n in session.execute(everyone.placed(since, as_of, "month"))
        }
        goal_recent = _trailing(session, everyone, every_month, since, as_of)
    goal = Goal(
        target=target.target,
        start=settings.goal_start,
        end=settings.goal_end,
        applies_to=target.applies_to,
        key=target.key,
        placed=goal_placed,
        note=_goal_note(target, scope, whole),
    )
    return ProgressReport(
        scope=scope,
        goal=goal,
        as_of=as_of,
        placed=placed,
        placed_under_override=int(under_override or 0) if since <= as_of else 0,
        percent_of_goal=round(100 * goal_placed / goal.target, 2),
        pace=_pace(goal, goal_placed, goal_recent, as_of),
        by_sector=by_sector,
        by_state=_counts(totals["state"]),
        by_prefecture=_counts(totals["prefecture"]),
        by_partnership=by_partnership,
        by_month=_months(goal, monthly, since, as_of),
        funnel=[StageCount(stage=s, count=int(funnel.get(s.value, 0))) for s in STAGES],
    )


def _placed_cells(
    session: Session, counts: _Counts, since: date, as_of: date, goal_start: date, today: date
) -> dict[tuple[str, str, str], int]:
    """Placed per cell between since and as_of: counted inside the window, or, when the
    days outside it (from the goal's start to today) are fewer, as in the usual view,
    as everyone ever placed less those placed before and after it: far fewer tally rows.
    Either way one statement, so one snapshot of a pipeline that may be moving."""
    outside = (since - goal_start).days + (today - as_of).days
    if counts.rows or since > as_of or outside >= (as_of - since).days:
        query = counts.placed(since, as_of, *_CELL)
    else:
        query = _summed(
            [
                counts.ever_placed(),
                *counts.placed_parts(None, since - timedelta(days=1), _CELL, sign=-1),
                *counts.placed_parts(as_of + timedelta(days=1), None, _CELL, sign=-1),
            ],
            _CELL,
        )
    return {(a, b, c): int(n) for a, b, c, n in session.execute(query)}


def _trailing(
    session: Session, counts: _Counts, monthly: dict[str, int], since: date, as_of: date
) -> int:
    """Placed in the trailing 90 days up to as_of, mostly from the window's month totals:
    only a month the trailing days cover in part needs counting again."""
    first = max(since, as_of - timedelta(days=TRAILING_DAYS - 1))
    month = tallies.month_key(first)
    recent = sum(n for m, n in monthly.items() if m > month)
    if first in (since, first.replace(day=1)):  # the window covers that month the same way
        return recent + monthly.get(month, 0)
    last = min(_month_after(first) - timedelta(days=1), as_of)
    return recent + int(session.scalar(counts.placed(first, last)) or 0)


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
