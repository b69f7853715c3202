from datetime import date

from pydantic import BaseModel

from talentbridge.fields import Place


class DemandScope(Place):
    pass


class SkillDemand(BaseModel):
    skill: str
    vacancies: int
    openings: int
    candidates: int | None  # None for employers: they see demand only
    gap: int | None


class OccupationDemand(BaseModel):
    occupation: str
    openings: int
    eligible_candidates: int | None
    shortfall: int | None


class LevelDemand(BaseModel):
    level: str
    openings_requiring: int
    candidates_at_or_above: int | None


class TestDemand(BaseModel):
    test: str
    openings_requiring: int
    candidates_passed: int | None


class DemandReport(BaseModel):
    as_of: date
    scope: DemandScope
    supply: str  # whose candidates are counted as supply
    openings_counted_as: str
    skills: list[SkillDemand]
    occupations: list[OccupationDemand]
    japanese_levels: list[LevelDemand]
    tests: list[TestDemand]
