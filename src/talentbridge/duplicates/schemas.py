from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from talentbridge.candidates.schemas import CandidateRead
from talentbridge.fields import UtcDateTime
from talentbridge.pages import Page

Status = Literal["open", "same_person", "different_people"]


class Reason(BaseModel):
    kind: str = Field(description="the comparison: name, birth_date, state or occupation")
    params: dict[str, Any] = Field(
        description="level (what it found, e.g. day_month_swapped) and weight (log2 of how "
        "much likelier it is for one person than for two)"
    )


class PairRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    candidate_ids: list[int] = Field(description="the two records, smaller id first")
    score: float = Field(description="probability that the two records are one person")
    reasons: list[Reason]
    status: Status
    decided_at: UtcDateTime | None = None


class PairPage(Page[PairRead]):
    pass


class PairWithRecords(PairRead):
    """A pair and both its records, side by side (officers; an institute its own)."""

    records: list[CandidateRead]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status = Field(
        description="same_person or different_people; open takes a decision back"
    )


def pair_read(pair: Any) -> PairRead:
    return PairRead(
        id=pair.id,
        candidate_ids=[pair.candidate_a, pair.candidate_b],
        score=pair.score,
        reasons=pair.reasons,
        status=pair.status,
        decided_at=pair.decided_at,
    )
