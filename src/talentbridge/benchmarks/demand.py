"""The demand report beside its baseline, for `talentbridge bench pages`: the same report
for the officer with the supply from the tallies (as the page and the API answer it) and
counted from the rows (as every request did before the tallies), in one process on the
benchmark's database; the two must be equal."""

import time
from datetime import date

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from talentbridge.benchmarks.seed import percentiles
from talentbridge.organisations.models import Organisation
from talentbridge.reports import demand, supply
from talentbridge.reports.demand_schemas import DemandReport
from talentbridge.reports.supply_recount import recount


def count_supply(url: str) -> tuple[int, float]:
    """Fold the seeded candidates into the tallies (the triggers wrote them as changes, as
    after a bulk load): how many, and how long it took in seconds."""
    engine = create_engine(url)
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        folded = supply.catch_up(session)
    engine.dispose()
    return folded, time.perf_counter() - started


def compare(url: str, officer_id: int, repeats: int) -> tuple[list[tuple[str, float, float]], bool]:
    """(name, p50 ms, p95 ms) of the tallied report and its baseline, and whether the two
    reports are equal."""
    engine = create_engine(url)
    rows: list[tuple[str, float, float]] = []
    reports: list[DemandReport | None] = []
    today = date.today()
    ways: list[tuple[str, demand.SupplyCounter]] = [
        ("demand report, supply from tallies (in process)", supply.tallied),
        ("baseline: supply counted from the rows (in process)", recount),
    ]
    for name, way in ways:
        times, report = _time(engine, officer_id, way, today, repeats)
        reports.append(report)
        rows.append((name, *percentiles(times)))
    engine.dispose()
    return rows, reports[0] == reports[1]


def _time(
    engine: Engine, officer_id: int, way: demand.SupplyCounter, today: date, repeats: int
) -> tuple[list[float], DemandReport | None]:
    times, report = [], None
    for _ in range(repeats):
        with Session(engine) as session:
            officer = session.get(Organisation, officer_id)
            assert officer is not None
            started = time.perf_counter()
            report = demand.demand(
                session=session,
                organisation=officer,
                filters=demand.DemandFilters(),
                today=today,
                count_supply=way,
            )
            times.append((time.perf_counter() - started) * 1000)
    return times, report
