from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from talentbridge.fields import (
    JapaneseLevel,
    MultiLine,
    Occupation,
    PrefectureName,
    ProgrammeDate,
    Sector,
    SkillList,
    Text200,
    UtcDateTime,
)
from talentbridge.pages import Page

Status = Literal["open", "closed"]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), MultiLine]
Openings = Annotated[int, Field(ge=1, le=10_000)]
Wage = Annotated[int, Field(ge=0, le=10_000_000)]
Years = Annotated[float, Field(ge=0, le=60)]


class VacancyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Text200
    description: Description | None = None
    sector: Sector
    prefecture: PrefectureName | None = Field(None, description="Defaults to the employer's")
    openings: Openings = 1
    required_skills: SkillList = []
    min_japanese_level: JapaneseLevel = "N4"
    requires_skill_test: StrictBool = True
    min_experience_years: Years = 0
    monthly_wage_jpy: Wage | None = None
    start_date: ProgrammeDate | None = None
    status: Status = "open"


class VacancyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Text200 | None = None
    description: Description | None = None
    sector: Sector | None = None
    prefecture: PrefectureName | None = None
    openings: Openings | None = None
    required_skills: SkillList | None = None
    min_japanese_level: JapaneseLevel | None = None
    requires_skill_test: StrictBool | None = None
    min_experience_years: Years | None = None
    monthly_wage_jpy: Wage | None = None
    start_date: ProgrammeDate | None = None
    status: Status | None = None


class VacancyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employer_id: int
    title: str
    description: str | None
    sector: Sector
    prefecture: str
    openings: int
    placed_count: int
    required_skills: list[str]
    min_japanese_level: JapaneseLevel
    requires_skill_test: bool
    min_experience_years: float
    monthly_wage_jpy: int | None
    start_date: date | None
    status: Status
    occupation: Occupation | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class VacancyPage(Page[VacancyRead]):
    pass
