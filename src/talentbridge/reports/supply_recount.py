"""The demand report's supply counted straight from the candidate rows, as it was before
the tallies: the baseline `talentbridge bench pages` times beside the tallied report, and
the recount the tests (and the benchmark) hold the tallies to. Slow at scale on purpose:
every count is a pass over the candidates, and skills are read row by row into Python.
"""

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from talentbridge import reference
from talentbridge.candidates.models import Candidate
from talentbridge.matching.features import adult_cutoff
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements import service as placement_service
from talentbridge.reports import once
from talentbridge.reports.supply import JFT_LEVEL, SupplyCounts, skill_key


def _supply(organisation: Organisation, sector: str | None, state: str | None) -> Any:
    conditions: list[Any] = [Candidate.id.not_in(placement_service.placed_ids())]
    if organisation.kind == OrgKind.institute:
        conditions.append(Candidate.institute_id == organisation.id)
        conditions.append(~once.extra_record(organisation.id))  # one person, once
    else:
        conditions.append(~once.extra_record())
    if sector:
        conditions.append(Candidate.sector == sector)
    if state:
        conditions.append(Candidate.state == state)
    return and_(*conditions)


def _at_or_above(level: str) -> Any:
    levels = reference.JAPANESE_LEVELS
    condition: Any = Candidate.japanese_level.in_(list(levels[levels.index(level) :]))
    if reference.level_rank(level) <= reference.level_rank(JFT_LEVEL):
        condition = or_(condition, Candidate.jft_basic_passed.is_(True))
    return condition


def _ssw_baseline(today: date) -> Any:
    return and_(
        Candidate.date_of_birth <= date.fromordinal(adult_cutoff(today)),
        Candidate.skill_test_passed.is_(True),
        _at_or_above(JFT_LEVEL),
        or_(Candidate.sector != "care", Candidate.care_language_test_passed.is_(True)),
    )


def recount(
    session: Session, organisation: Organisation, sector: str | None, state: str | None, today: date
) -> SupplyCounts | None:
    """The same SupplyCounts as `supply.tallied`, from the rows."""
    if organisation.kind == OrgKind.employer:
        return None
    supply = _supply(organisation, sector, state)

    def count(*conditions: Any) -> int:
        return int(session.scalar(select(func.count(Candidate.id)).where(supply, *conditions)) or 0)

    counts = SupplyCounts()
    for (skills,) in session.execute(select(Candidate.skills).where(supply)):
        counts.skills.update({k for k in map(skill_key, skills or []) if k})
    for uri, n in session.execute(
        select(Candidate.occupation_uri, func.count(Candidate.id))
        .where(supply, _ssw_baseline(today), Candidate.occupation_uri.is_not(None))
        .group_by(Candidate.occupation_uri)
    ).tuples():
        counts.occupations[str(uri)] = n
    counts.levels = Counter({n: count(_at_or_above(n)) for n in reference.JAPANESE_LEVELS})
    counts.skill_tests = Counter(
        {
            s: count(Candidate.sector == s, Candidate.skill_test_passed.is_(True))
            for s in reference.SECTOR_INFO
        }
    )
    counts.care_language = count(
        Candidate.sector == "care", Candidate.care_language_test_passed.is_(True)
    )
    return counts
