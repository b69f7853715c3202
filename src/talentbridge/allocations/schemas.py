from pydantic import BaseModel, ConfigDict

from talentbridge.fields import Place, PrefectureName, Sector, StateName, UtcDateTime
from talentbridge.pages import Page
from talentbridge.serving.schemas import CandidateSummary


class AllocationCreate(BaseModel):
    """Which openings and which people to plan for; every field narrows the scope."""

    model_config = ConfigDict(extra="forbid")

    sector: Sector | None = None
    state: StateName | None = None  # the candidates' Indian state
    prefecture: PrefectureName | None = None  # the vacancies' prefecture


class Scope(Place):
    pass


class AssignmentRead(BaseModel):
    vacancy_id: int
    candidate_id: int
    score: float
    reasons: list[str]


class Unfilled(BaseModel):
    vacancy_id: int
    openings_left: int
    why: str


class PlanSummary(BaseModel):
    id: int
    created_at: UtcDateTime
    scope: Scope
    openings: int
    openings_counted_as: str
    filled: int
    greedy_filled: int
    total_score: float
    greedy_total_score: float


class PlanRead(PlanSummary):
    assignments: list[AssignmentRead]
    unfilled: list[Unfilled]


class PlanPage(Page[PlanSummary]):
    pass


class Proposal(BaseModel):
    candidate_id: int
    score: float
    reasons: list[str]
    candidate: CandidateSummary


class Proposals(BaseModel):
    """The latest plan's proposals for one vacancy; shortlist one to accept it."""

    vacancy_id: int
    plan_id: int | None
    created_at: UtcDateTime | None
    items: list[Proposal]
