"""`talentbridge bench reports`: the progress report over a million placement rows.

Fills a throw-away PostgreSQL database (TALENTBRIDGE_BENCH_PG, default the local server)
with placements through COPY and counts them into the pipeline tallies, then times the
report as the API builds it, beside two baselines measured in the same run: the same
report counted from the placement rows in SQL, and the rows loaded into Python and
counted there.
"""

import argparse
import io
import os
import random
import statistics
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from talentbridge import migrate, reference
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.organisations.models import Organisation
from talentbridge.placements import tallies
from talentbridge.placements.models import Placement
from talentbridge.reports import service
from talentbridge.reports.schemas import ProgressReport

SERVER = os.environ.get("TALENTBRIDGE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
STAGES = [
    "shortlisted",
    "interviewing",
    "offered",
    "visa_processing",
    "placed",
    "rejected",
    "withdrawn",
]


INSTITUTES = range(2, 102)  # organisation ids: 1 is the officer
EMPLOYERS = range(102, 502)
TODAY = date(2026, 11, 28)


def _rows(n: int, seed: int = 3) -> io.StringIO:
    r = random.Random(seed)
    start = date(2025, 8, 29)
    buffer = io.StringIO()
    for i in range(1, n + 1):
        status = r.choices(STAGES, weights=(10, 6, 4, 3, 30, 8, 4))[0]
        placed_on = start + timedelta(days=r.randrange(455)) if status == "placed" else None
        buffer.write(
            f"{i}\t1\t{r.choice(EMPLOYERS)}\t{r.choice(INSTITUTES)}\t{status}\t"
            f"{r.choice(reference.SECTORS)}\t{r.choice(reference.STATES)}\t"
            f"{r.choice(reference.PREFECTURES)}\t{placed_on or chr(92) + 'N'}\tf\t"
            "2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
        )
    buffer.seek(0)
    return buffer


def _fill(url: str, n: int) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, kind, name, created_at, updated_at) "
                "SELECT i, CASE WHEN i = 1 THEN 'officer' WHEN i < :employers THEN 'institute' "
                "ELSE 'employer' END, 'bench ' || i, now(), now() "
                "FROM generate_series(1, :last) AS i"
            ),
            {"employers": EMPLOYERS.start, "last": EMPLOYERS.stop - 1},
        )
        connection.execute(
            text(
                "INSERT INTO vacancies (id, employer_id, title, sector, prefecture, openings, "
                "placed_count, required_skills, min_japanese_level, requires_skill_test, "
                "min_experience_years, status, created_at, updated_at) VALUES (1, 1, 'x', 'care', "
                "'Tokyo', 1, 0, '[]', 'N4', true, 0, 'open', now(), now())"
            )
        )
        connection.execute(text("ALTER TABLE placements DROP CONSTRAINT uq_placements_vacancy_id"))
        raw: Any = connection.connection.dbapi_connection
        with raw.cursor().copy(
            "COPY placements (id, vacancy_id, employer_id, institute_id, status, sector, state, "
            "prefecture, placed_on, candidate_erased, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(_rows(n).read())
        connection.execute(text("ANALYZE placements"))
    engine.dispose()


def _time(fn, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(args: argparse.Namespace) -> int:
    n = args.placements
    name = f"tb_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{SERVER}/{name}"
    try:
        migrate.upgrade(url)
        started = time.perf_counter()
        _fill(url, n)
        print(f"filled {n} placements in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        started = time.perf_counter()
        with session_scope(engine) as session:
            tallies.rebuild(session)
        print(f"counted them into the tallies in {time.perf_counter() - started:.1f} s")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # what autovacuum would have done
        settings = Settings(database_url=url)
        with Session(engine) as session:
            institute = session.get(Organisation, INSTITUTES.start)

            def report(
                filters: service.Filters,
                organisation: Organisation | None = None,
                rows: bool = False,
            ) -> ProgressReport:
                return service.progress(
                    session=session,
                    settings=settings,
                    organisation=organisation,
                    filters=filters,
                    today=TODAY,
                    from_rows=rows,
                )

            def python_loop() -> None:
                rows = session.execute(
                    select(
                        Placement.status, Placement.sector, Placement.state, Placement.prefecture
                    )
                ).all()
                Counter((r.status, r.sector) for r in rows)

            whole, care = service.Filters(), service.Filters(sector="care")
            spring = service.Filters(date_from=date(2026, 3, 15), date_to=date(2026, 6, 10))
            same = report(whole) == report(whole, rows=True) and report(spring) == report(
                spring, rows=True
            )
            timed = [
                ("progress report, whole programme (tallies)", _time(lambda: report(whole), 7)),
                ("progress report, sector=care", _time(lambda: report(care), 7)),
                ("progress report, 2026-03-15 to 2026-06-10", _time(lambda: report(spring), 7)),
                ("one institute's report (its rows)", _time(lambda: report(whole, institute), 7)),
                (
                    "baseline: same report counted from the rows in SQL",
                    _time(lambda: report(whole, rows=True), 3),
                ),
                ("baseline: fetch rows, count in Python", _time(python_loop, 3)),
            ]
        engine.dispose()
        print(f"\n{n} placements on PostgreSQL, report as of {TODAY}\n")
        print("| what | median ms | max ms |")
        print("|---|---|---|")
        for label, times in timed:
            print(f"| {label} | {statistics.median(times):.0f} | {max(times):.0f} |")
        print(f"\ntallied report equals the one counted from rows: {'yes' if same else 'NO'}")
        print("goal: progress report under 300 ms")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0 if same else 1
