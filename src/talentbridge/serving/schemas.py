from datetime import date
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from talentbridge.candidates.models import Candidate
    from talentbridge.vacancies.models import Vacancy


class CandidateSummary(BaseModel):
    """What an employer sees of a candidate; name and birth date only while it has an
    active placement of the person (see talentbridge.visibility)."""

    model_config = ConfigDict(from_attributes=True)

    state: str
    sector: str
    job_title: str | None
    occupation: str | None = Field(validation_alias="occupation_label")
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
        summary = cls.model_validate(candidate)
        return summary if named else summary.model_copy(update=ANONYMOUS)


ANONYMOUS = {"full_name": None, "date_of_birth": None}


class VacancySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    title: str
    sector: str
    prefecture: str
    occupation: str | None = Field(validation_alias="occupation_label")
    openings: int
    monthly_wage_jpy: int | None
    start_date: date | None

    @classmethod
    def of(cls, vacancy: "Vacancy") -> Self:
        """The summary of a vacancy; its openings are those still unfilled."""
        left = vacancy.openings - vacancy.placed_count
        return cls.model_validate(vacancy).model_copy(update={"openings": left})


class ReasonCode(BaseModel):
    """A reason as data: its kind and plain parameters (docs/api.md lists the kinds)."""

    kind: str
    params: dict[str, Any]


class GateExplanation(BaseModel):
    """The SSW gates the placement's next step would meet, before it is tried."""

    placement_id: int
    failed_gates: list[str]
    waived_gates: list[str] = Field(description="failed, but waived by an officer")
    blocking_gates: list[str] = Field(description="failed and not waived: a step is refused")
    reasons: list[str] = Field(description="why each blocking gate fails, in the reader's language")
    reason_codes: list[ReasonCode]


class MatchFields(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    eligible: bool
    components: dict[str, float]
    reasons: list[str] = Field(
        description="the reasons as sentences in the language of Accept-Language (en or ja)"
    )
    reason_codes: list[ReasonCode] = Field(
        description="the same reasons as data, in the same order, whatever the language"
    )
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
