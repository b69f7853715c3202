"""The demand report's supply from tallies, so a report reads a few thousand cells
instead of every candidate's skills (docs/allocations.md, "How supply is counted").

Every unplaced candidate is counted once into its institute's cells and once into the
programme's (`EVERYONE`) under its sector and state, one cell per fact it offers
(`facts`). What the tallies cannot hold is corrected as the report is read, from few
rows: records an officer decided are another record's person (`once.extra_record`, so a
reversed decision counts again at once) and people under 18 today (the SSW baseline's
age gate moves with the calendar).
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from talentbridge import reference
from talentbridge.candidates.models import Candidate
from talentbridge.db import writing
from talentbridge.matching.features import adult_cutoff
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements import service as placement_service
from talentbridge.placements.models import Placement
from talentbridge.reports import once
from talentbridge.reports.supply_models import EVERYONE, SupplyChange, SupplyRecord, SupplyTally

JFT_LEVEL = "N4"  # JFT-Basic (A2) counts as N4 for SSW (i)
CHUNK = 5_000
_LOCK = 7_301_917  # PostgreSQL advisory lock: one catch-up at a time
_PUNCTUATION = re.compile(r"[\W_]+")


def skill_key(skill: str) -> str:
    """One key per skill however it is typed: case, spacing and punctuation ignored."""
    return " ".join(_PUNCTUATION.sub(" ", skill.casefold()).split())


@dataclass
class SupplyCounts:
    """The supply side of the demand report: how many candidates of the caller's supply."""

    skills: Counter[str] = field(default_factory=Counter)  # by skill_key
    occupations: Counter[str] = field(default_factory=Counter)  # SSW baseline met, by URI
    levels: Counter[str] = field(default_factory=Counter)  # at or above each level
    skill_tests: Counter[str] = field(default_factory=Counter)  # passed, by sector
    care_language: int = 0


def at_or_above(japanese_level: str | None, jft_basic_passed: bool, level: str) -> bool:
    levels = reference.JAPANESE_LEVELS
    if japanese_level in levels[levels.index(level) :]:
        return True
    return jft_basic_passed and reference.level_rank(level) <= reference.level_rank(JFT_LEVEL)


# The columns a candidate's facts are read from (not the whole row: it holds the vectors).
COUNTED = (
    Candidate.id,
    Candidate.institute_id,
    Candidate.sector,
    Candidate.state,
    Candidate.skills,
    Candidate.japanese_level,
    Candidate.jft_basic_passed,
    Candidate.skill_test_passed,
    Candidate.care_language_test_passed,
    Candidate.occupation_uri,
)


def facts(candidate: Any) -> list[str]:
    """What one candidate (a row of COUNTED) offers, as the tallies' fact names (age aside)."""
    out = {f"skill:{key}" for key in map(skill_key, candidate.skills or []) if key}
    level, jft = candidate.japanese_level, bool(candidate.jft_basic_passed)
    out |= {f"level:{n}" for n in reference.JAPANESE_LEVELS if at_or_above(level, jft, n)}
    if candidate.skill_test_passed:
        out.add("test:skill")
    if candidate.care_language_test_passed:
        out.add("test:care_language")
    baseline = (
        candidate.skill_test_passed
        and at_or_above(level, jft, JFT_LEVEL)
        and (candidate.sector != "care" or candidate.care_language_test_passed)
    )
    if baseline and candidate.occupation_uri:
        out.add(f"occupation:{candidate.occupation_uri}")
    return sorted(out)


Cell = tuple[int, str, str]  # institute_id, sector, fact
ROWS = 500  # rows per multi-row INSERT (5 values each: within SQLite's variable limit)


def _cells(institute_id: int, sector: str, names: Iterable[str]) -> list[Cell]:
    return [(scope, sector, f) for f in names for scope in (institute_id, EVERYONE)]


def _bump(session: Session, deltas: Counter[Cell]) -> None:
    rows = [
        {"institute_id": i, "sector": s, "fact": f, "count": n}
        for (i, s, f), n in sorted(deltas.items())  # one order: two catch-ups never deadlock
        if n
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), ROWS):
        statement = dialect.insert(SupplyTally).values(rows[start : start + ROWS])
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["institute_id", "sector", "fact"],
                set_={"count": SupplyTally.count + statement.excluded.count},
            )
        )


def _among(column: Any, ids: Sequence[int]) -> Any:
    """`column` among the sorted, distinct `ids`: a range when they run without a gap (a
    bulk load: thousands of bound values cost more than the rows they pick), else the list."""
    if ids[-1] - ids[0] + 1 == len(ids):
        return column.between(ids[0], ids[-1])
    return column.in_(ids)


def _fold(session: Session, ids: Sequence[int]) -> Counter[Cell]:
    """Recount these candidates: take away what they were counted as, add what they are."""
    deltas: Counter[Cell] = Counter()
    counted = (SupplyRecord.institute_id, SupplyRecord.sector, SupplyRecord.facts)
    was = session.execute(select(*counted).where(_among(SupplyRecord.candidate_id, ids)))
    for institute_id, sector, names in was:
        deltas.subtract(_cells(institute_id, sector, names))
    session.execute(delete(SupplyRecord).where(_among(SupplyRecord.candidate_id, ids)))
    mine = _among(Placement.candidate_id, ids)
    placed = set(session.scalars(placement_service.placed_ids().where(mine)))
    records = []
    for candidate in session.execute(select(*COUNTED).where(_among(Candidate.id, ids))):
        if candidate.id in placed:
            continue
        names = facts(candidate)
        records.append(
            {
                "candidate_id": candidate.id,
                "institute_id": candidate.institute_id,
                "sector": candidate.sector,
                "state": candidate.state,
                "facts": names,
            }
        )
        deltas.update(_cells(candidate.institute_id, candidate.sector, names))
    if records:
        session.connection().execute(insert(SupplyRecord), records)  # many rows a statement
    return deltas


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Two folds of one candidate at once would both take its old facts away.
        session.execute(select(func.pg_advisory_xact_lock(_LOCK)))


def forget(session: Session, candidate_id: int) -> None:
    """Fold an erased candidate in at once (call after the erasure), so nothing of them
    (their skills, their state) waits in supply_records for the next report."""
    session.flush()
    _lock(session)
    session.execute(delete(SupplyChange).where(SupplyChange.candidate_id == candidate_id))
    _bump(session, _fold(session, [candidate_id]))


def _changed(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(SupplyChange.id.is_not(None)))))


def catch_up(session: Session) -> int:
    """Fold every change written since the last catch-up into the tallies; how many
    candidates were recounted. Cheap when nothing changed (one indexed look)."""
    if not _changed(session):
        return 0
    _lock(session)
    claimed = session.scalars(delete(SupplyChange).returning(SupplyChange.candidate_id)).all()
    ids = sorted(set(claimed))
    deltas: Counter[Cell] = Counter()
    for start in range(0, len(ids), CHUNK):
        deltas.update(_fold(session, ids[start : start + CHUNK]))
    _bump(session, deltas)
    return len(ids)


def rebuild(session: Session) -> int:
    """Count every candidate afresh (after a restore, or to check the tallies)."""
    session.execute(delete(SupplyTally))
    session.execute(delete(SupplyRecord))
    session.execute(insert(SupplyChange).from_select(["candidate_id"], select(Candidate.id)))
    return catch_up(session)


def _add(counts: SupplyCounts, sector: str, name: str, by: int) -> None:
    kind, _, value = name.partition(":")
    if kind == "skill":
        counts.skills[value] += by
    elif kind == "occupation":
        counts.occupations[value] += by
    elif kind == "level":
        counts.levels[value] += by
    elif value == "skill":
        counts.skill_tests[sector] += by
    elif sector == "care":
        counts.care_language += by


def tallied(
    session: Session, organisation: Organisation, sector: str | None, state: str | None, today: date
) -> SupplyCounts | None:
    """The caller's supply: an institute's own unplaced candidates, everyone's for an
    officer, none for an employer; each person once."""
    if organisation.kind == OrgKind.employer:
        return None
    if _changed(session):
        with writing(session):  # a report is a read: the fold takes a writer's turn
            catch_up(session)
    institute = organisation.id if organisation.kind == OrgKind.institute else EVERYONE
    cells: list[Any] = [SupplyTally.institute_id == institute]
    scope: list[Any] = [Candidate.id.not_in(placement_service.placed_ids())]
    if institute != EVERYONE:
        scope.append(Candidate.institute_id == institute)
    if sector:
        cells.append(SupplyTally.sector == sector)
        scope.append(Candidate.sector == sector)
    if state:
        scope.append(Candidate.state == state)
    counts = SupplyCounts()
    if state:  # the cells are not by state: the state's records, facts already listed
        records: list[Any] = [SupplyRecord.state == state]
        if institute != EVERYONE:
            records.append(SupplyRecord.institute_id == institute)
        if sector:
            records.append(SupplyRecord.sector == sector)
        for cell_sector, names in session.execute(
            select(SupplyRecord.sector, SupplyRecord.facts).where(*records)
        ):
            for name in names:
                _add(counts, cell_sector, name, 1)
    else:
        for cell_sector, name, n in session.execute(
            select(SupplyTally.sector, SupplyTally.fact, func.sum(SupplyTally.count))
            .where(*cells)
            .group_by(SupplyTally.sector, SupplyTally.fact)
        ):
            _add(counts, cell_sector, name, int(n))
    extra = once.extra_record(None if institute == EVERYONE else institute)
    for candidate in session.execute(select(*COUNTED).where(*scope, extra)):
        for name in facts(candidate):  # the person is counted under another record
            _add(counts, candidate.sector, name, -1)
    minor = Candidate.date_of_birth > date.fromordinal(adult_cutoff(today))
    for candidate in session.execute(select(*COUNTED).where(*scope, minor, ~extra)):
        for name in facts(candidate):  # under 18 today: not eligible for any occupation
            if name.startswith("occupation:"):
                _add(counts, candidate.sector, name, -1)
    return counts
