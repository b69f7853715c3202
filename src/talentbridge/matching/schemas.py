from datetime import date
from typing import TYPE_CHECKING, Self

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from talentbridge.candidates.models import Candidate
    from talentbridge.vacancies.models import Vacancy


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

    @classmethod
    def of(cls, candidate: "Candidate", *, named: bool) -> Self:
        """The summary of a candidate, with the name and birth date only when `named`."""
        return cls(
            state=candidate.state,
            sector=candidate.sector,
            job_title=candidate.job_title,
            occupation=candidate.occupation_label,
            skills=candidate.skills,
            experience_years=candidate.experience_years,
            japanese_level=candidate.japanese_level,
            jft_basic_passed=candidate.jft_basic_passed,
            available_from=candidate.available_from,
            full_name=candidate.full_name if named else None,
            date_of_birth=candidate.date_of_birth if named else None,
        )


class VacancySummary(BaseModel):
    title: str
    sector: str
    prefecture: str
    occupation: str | None
    openings: int
    monthly_wage_jpy: int | None
    start_date: date | None

    @classmethod
    def of(cls, vacancy: "Vacancy") -> Self:
        """The summary of a vacancy, with the openings still unfilled."""
        return cls(
            title=vacancy.title,
            sector=vacancy.sector,
            prefecture=vacancy.prefecture,
            occupation=vacancy.occupation_label,
            openings=vacancy.openings - vacancy.placed_count,
            monthly_wage_jpy=vacancy.monthly_wage_jpy,
            start_date=vacancy.start_date,
        )


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
