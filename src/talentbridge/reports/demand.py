"""The demand report: what open vacancies ask for, beside what the caller's candidates have.

Demand is every open vacancy in the filter (no employer named); supply is the caller's
own candidates for an institute, everyone for an officer, and nothing for an employer.
Counts are SQL aggregates, except skills: they are JSON lists compared after
normalisation, so they are read as (list, openings) pairs and counted here.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
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
from talentbridge.reports.demand_schemas import (
    DemandReport,
    DemandScope,
    LevelDemand,
    OccupationDemand,
    SkillDemand,
    TestDemand,
)
from talentbridge.vacancies.models import Vacancy

OPENINGS_RULE = "openings - placed, of open vacancies"
CARE_LANGUAGE_TEST = "Nursing Care Japanese Language Evaluation Test"
JFT_LEVEL = "N4"  # JFT-Basic (A2) counts as N4 for SSW (i)
_PUNCTUATION = re.compile(r"[\W_]+")


def skill_key(skill: str) -> str:
    """One key per skill however it is typed: case, spacing and punctuation ignored."""
    return " ".join(_PUNCTUATION.sub(" ", skill.casefold()).split())


@dataclass(frozen=True)
class DemandFilters:
    sector: str | None = None
    state: str | None = None
    prefecture: str | None = None


LEFT = Vacancy.openings - Vacancy.placed_count


def _open(filters: DemandFilters) -> list[Any]:
    """Conditions picking the demand: open vacancies of the filter with openings left."""
    conditions: list[Any] = [Vacancy.is_open]
    if filters.sector:
        conditions.append(Vacancy.sector == filters.sector)
    if filters.prefecture:
        conditions.append(Vacancy.prefecture == filters.prefecture)
    return conditions


def _supply(filters: DemandFilters, organisation: Organisation) -> Any | None:
    """Conditions picking the caller's supply: unplaced candidates, theirs or everyone's."""
    if organisation.kind == OrgKind.employer:
        return None
    conditions: list[Any] = [Candidate.id.not_in(placement_service.placed_ids())]
    if organisation.kind == OrgKind.institute:
        conditions.append(Candidate.institute_id == organisation.id)
        conditions.append(~once.extra_record(organisation.id))  # one person, once
    else:
        conditions.append(~once.extra_record())
    if filters.sector:
        conditions.append(Candidate.sector == filters.sector)
    if filters.state:
        conditions.append(Candidate.state == filters.state)
    return and_(*conditions)


def _at_or_above(level: str) -> Any:
    levels = reference.JAPANESE_LEVELS
    enough = list(levels[levels.index(level) :])
    condition: Any = Candidate.japanese_level.in_(enough)
    if reference.level_rank(level) <= reference.level_rank(JFT_LEVEL):
        condition = or_(condition, Candidate.jft_basic_passed.is_(True))
    return condition


def _ssw_baseline(today: date) -> Any:
    """The SSW (i) gates that do not depend on the vacancy: 18 or over, the sector's
    skills test, Japanese N4 or JFT-Basic, and for care the care language test."""
    return and_(
        Candidate.date_of_birth <= date.fromordinal(adult_cutoff(today)),
        Candidate.skill_test_passed.is_(True),
        _at_or_above(JFT_LEVEL),
        or_(Candidate.sector != "care", Candidate.care_language_test_passed.is_(True)),
    )


def _count(session: Session, supply: Any | None, *conditions: Any) -> int | None:
    if supply is None:
        return None
    return int(session.scalar(select(func.count(Candidate.id)).where(supply, *conditions)) or 0)


def _minus(demand: int, supply: int | None) -> int | None:
    return None if supply is None else max(0, demand - supply)


def _skills(
    session: Session, vacancies: Iterable[tuple[list[str], int]], supply: Any | None
) -> list[SkillDemand]:
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    posts: Counter[str] = Counter()
    openings: Counter[str] = Counter()
    for skills, left in vacancies:
        keys = set()
        for skill in skills or []:
            key = skill_key(skill)
            if key:
                spellings[key][skill.strip()] += 1
                keys.add(key)
        for key in keys:
            posts[key] += 1
            openings[key] += left
    have: Counter[str] | None = None
    if supply is not None:
        have = Counter()
        for (skills,) in session.execute(select(Candidate.skills).where(supply)):
            have.update({skill_key(s) for s in skills or []} & posts.keys())
    rows = [
        SkillDemand(
            skill=spellings[key].most_common(1)[0][0],
            vacancies=posts[key],
            openings=openings[key],
            candidates=None if have is None else have[key],
            gap=None if have is None else max(0, openings[key] - have[key]),
        )
        for key in posts
    ]
    return sorted(rows, key=lambda r: (-(r.gap or 0), -r.openings, r.skill.casefold()))


def _occupations(
    session: Session, filters: DemandFilters, supply: Any | None, today: date
) -> list[OccupationDemand]:
    rows = session.execute(
        select(Vacancy.occupation_uri, func.min(Vacancy.occupation_label), func.sum(LEFT))
        .where(*_open(filters))
        .group_by(Vacancy.occupation_uri)
    ).all()
    eligible: dict[str | None, int] = {}
    if supply is not None:
        eligible = dict(
            session.execute(
                select(Candidate.occupation_uri, func.count(Candidate.id))
                .where(supply, _ssw_baseline(today), Candidate.occupation_uri.is_not(None))
                .group_by(Candidate.occupation_uri)
            ).all()
        )
    out = []
    for uri, label, openings in rows:
        found = None if supply is None else (int(eligible.get(uri, 0)) if uri else 0)
        out.append(
            OccupationDemand(
                occupation=label or "unclassified title",
                openings=int(openings),
                eligible_candidates=found,
                shortfall=_minus(int(openings), found),
            )
        )
    return sorted(out, key=lambda r: (-(r.shortfall or 0), -r.openings, r.occupation))


def _levels(session: Session, filters: DemandFilters, supply: Any | None) -> list[LevelDemand]:
    wanted = dict(
        session.execute(
            select(Vacancy.min_japanese_level, func.sum(LEFT))
            .where(*_open(filters))
            .group_by(Vacancy.min_japanese_level)
        ).all()
    )
    return [
        LevelDemand(
            level=level,
            openings_requiring=int(wanted.get(level, 0)),
            candidates_at_or_above=_count(session, supply, _at_or_above(level)),
        )
        for level in reference.JAPANESE_LEVELS
    ]


def _tests(session: Session, filters: DemandFilters, supply: Any | None) -> list[TestDemand]:
    by_sector = dict(
        session.execute(
            select(Vacancy.sector, func.sum(LEFT))
            .where(*_open(filters), Vacancy.requires_skill_test.is_(True))
            .group_by(Vacancy.sector)
        ).all()
    )
    care = session.scalar(select(func.sum(LEFT)).where(*_open(filters), Vacancy.sector == "care"))
    out = []
    for sector, info in reference.SECTOR_INFO.items():
        if filters.sector and filters.sector != sector:
            continue
        out.append(
            TestDemand(
                test=info["skills_test"],
                openings_requiring=int(by_sector.get(sector, 0)),
                candidates_passed=_count(
                    session,
                    supply,
                    Candidate.sector == sector,
                    Candidate.skill_test_passed.is_(True),
                ),
            )
        )
        if sector == "care":
            out.append(
                TestDemand(
                    test=CARE_LANGUAGE_TEST,
                    openings_requiring=int(care or 0),
                    candidates_passed=_count(
                        session,
                        supply,
                        Candidate.sector == "care",
                        Candidate.care_language_test_passed.is_(True),
                    ),
                )
            )
    return out


def demand(
    *,
    session: Session,
    organisation: Organisation,
    filters: DemandFilters,
    today: date | None = None,
) -> DemandReport:
    """What open vacancies ask for and, for institutes and officers, what supply has."""
    today = today or date.today()
    supply = _supply(filters, organisation)
    pairs = session.execute(select(Vacancy.required_skills, LEFT).where(*_open(filters))).all()
    return DemandReport(
        as_of=today,
        scope=DemandScope(
            sector=filters.sector, state=filters.state, prefecture=filters.prefecture
        ),
        supply={
            OrgKind.institute: "your candidates not yet placed",
            OrgKind.officer: "every candidate not yet placed",
        }.get(OrgKind(organisation.kind), "none: employers see demand only"),
        openings_counted_as=OPENINGS_RULE,
        skills=_skills(session, [(s, int(n)) for s, n in pairs], supply),
        occupations=_occupations(session, filters, supply, today),
        japanese_levels=_levels(session, filters, supply),
        tests=_tests(session, filters, supply),
    )


def to_csv_rows(report: DemandReport) -> list[list[Any]]:
    """One table: section, name, vacancies, openings, supply, gap."""
    rows: list[list[Any]] = [["section", "name", "vacancies", "openings", "supply", "gap"]]
    for s in report.skills:
        rows.append(["skill", s.skill, s.vacancies, s.openings, s.candidates, s.gap])
    for o in report.occupations:
        rows.append(
            ["occupation", o.occupation, "", o.openings, o.eligible_candidates, o.shortfall]
        )
    for level in report.japanese_levels:
        supply = level.candidates_at_or_above
        rows.append(
            [
                "japanese_level",
                level.level,
                "",
                level.openings_requiring,
                supply,
                _minus(level.openings_requiring, supply),
            ]
        )
    for t in report.tests:
        rows.append(
            [
                "test",
                t.test,
                "",
                t.openings_requiring,
                t.candidates_passed,
                _minus(t.openings_requiring, t.candidates_passed),
            ]
        )
    return [["" if value is None else value for value in row] for row in rows]
