"""The demand report: what open vacancies ask for, beside what the caller's candidates have.

Demand is every open vacancy in the filter (no employer named), counted here from the
vacancies; supply is the caller's own candidates for an institute, everyone for an
officer, and nothing for an employer, read from tallies (reports/supply.py).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentbridge import reference
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.reports.demand_schemas import (
    DemandReport,
    DemandScope,
    LevelDemand,
    OccupationDemand,
    SkillDemand,
    TestDemand,
)
from talentbridge.reports.supply import SupplyCounts, skill_key, tallied
from talentbridge.vacancies.models import Vacancy

__all__ = ["DemandFilters", "demand", "skill_key", "to_csv_rows"]

OPENINGS_RULE = "openings - placed, of open vacancies"
CARE_LANGUAGE_TEST = "Nursing Care Japanese Language Evaluation Test"

# Who counts the supply: the tallies (supply.tallied) or, for the benchmark's baseline and
# the tests, the rows (supply_recount.recount); same arguments, same answer.
SupplyCounter = Callable[[Session, Organisation, str | None, str | None, date], SupplyCounts | None]


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


def _minus(demand: int, supply: int | None) -> int | None:
    return None if supply is None else max(0, demand - supply)


def _skills(
    vacancies: Iterable[tuple[list[str], int]], supply: SupplyCounts | None
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
    rows = []
    for key in posts:
        have = None if supply is None else supply.skills[key]
        rows.append(
            SkillDemand(
                skill=spellings[key].most_common(1)[0][0],
                vacancies=posts[key],
                openings=openings[key],
                candidates=have,
                gap=_minus(openings[key], have),
            )
        )
    return sorted(rows, key=lambda r: (-(r.gap or 0), -r.openings, r.skill.casefold()))


def _occupations(
    session: Session, filters: DemandFilters, supply: SupplyCounts | None
) -> list[OccupationDemand]:
    rows = session.execute(
        select(Vacancy.occupation_uri, func.min(Vacancy.occupation_label), func.sum(LEFT))
        .where(*_open(filters))
        .group_by(Vacancy.occupation_uri)
    ).all()
    out = []
    for uri, label, openings in rows:
        found = None if supply is None else (supply.occupations[uri] if uri else 0)
        out.append(
            OccupationDemand(
                occupation=label or "unclassified title",
                openings=int(openings),
                eligible_candidates=found,
                shortfall=_minus(int(openings), found),
            )
        )
    return sorted(out, key=lambda r: (-(r.shortfall or 0), -r.openings, r.occupation))


def _levels(
    session: Session, filters: DemandFilters, supply: SupplyCounts | None
) -> list[LevelDemand]:
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
            candidates_at_or_above=None if supply is None else supply.levels[level],
        )
        for level in reference.JAPANESE_LEVELS
    ]


def _tests(
    session: Session, filters: DemandFilters, supply: SupplyCounts | None
) -> list[TestDemand]:
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
                candidates_passed=None if supply is None else supply.skill_tests[sector],
            )
        )
        if sector == "care":
            out.append(
                TestDemand(
                    test=CARE_LANGUAGE_TEST,
                    openings_requiring=int(care or 0),
                    candidates_passed=None if supply is None else supply.care_language,
                )
            )
    return out


def demand(
    *,
    session: Session,
    organisation: Organisation,
    filters: DemandFilters,
    today: date | None = None,
    count_supply: SupplyCounter = tallied,
) -> DemandReport:
    """What open vacancies ask for and, for institutes and officers, what supply has."""
    today = today or date.today()
    supply = count_supply(session, organisation, filters.sector, filters.state, today)
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
        skills=_skills([(s, int(n)) for s, n in pairs], supply),
        occupations=_occupations(session, filters, supply),
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
