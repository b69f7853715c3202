from datetime import date

from pydantic import BaseModel, Field


class CandidateSummary(BaseModel):
    """What an employer sees of a candidate; name and birth date only while it has an
    active placement of the person (see talentbridge.visibility)."""

    state: str
    sector: str
    job_title: str | None
    occupation: str | None
    skills: list[str]
    experience_years: float
    japanese_level: str | None
    jft_basic_passed: bool
    available_from: date | None
    full_name: str | None = None
    date_of_birth: date | None = None


class VacancySummary(BaseModel):
    title: str
    sector: str
    prefecture: str
    occupation: str | None
    openings: int
    monthly_wage_jpy: int | None
    start_date: date | None


class MatchFields(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    eligible: bool
    components: dict[str, float]
    reasons: list[str]
    failed_gates: list[str]
    pending: bool = Field(
        False,
        description="the record's vector is still being computed (after a bulk upload): "
        "ranked without the semantic component until it is ready",
    )


class CandidateMatch(MatchFields):
    candidate_id: int
    candidate: CandidateSummary


class VacancyMatch(MatchFields):
    vacancy_id: int
    vacancy: VacancySummary


class CandidateMatches(BaseModel):
    vacancy_id: int
    items: list[CandidateMatch]


class VacancyMatches(BaseModel):
    candidate_id: int
    items: list[VacancyMatch]
