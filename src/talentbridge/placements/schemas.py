from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from talentbridge.fields import MAX_ID, MultiLine, UtcDateTime

StageName = Literal[
    "shortlisted", "interviewing", "offered", "visa_processing", "placed", "rejected", "withdrawn"
]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PlacementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vacancy_id: Id
    candidate_id: Id


class PlacementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: StageName
    reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MultiLine] | None
    ) = None


class PlacementEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: StageName | None
    to_status: StageName
    organisation_id: int | None
    reason: str | None
    at: UtcDateTime


class PlacementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vacancy_id: int
    candidate_id: int | None = Field(description="null once the person's record was erased")
    employer_id: int
    institute_id: int
    status: StageName
    sector: str
    state: str
    prefecture: str
    placed_on: date | None
    candidate_erased: bool
    under_override: bool = Field(description="a step passed a failed SSW gate by an override")
    history: list[PlacementEventRead] = Field(validation_alias="events")
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PlacementPage(BaseModel):
    items: list[PlacementRead]
    total: int
    limit: int
    offset: int


GateName = Literal[
    "sector",
    "age",
    "skill_test",
    "japanese_level",
    "care_language_test",
    "consent",
    "availability",
    "not_placed",
    "vacancy_open",
]


class OverrideCreate(BaseModel):
    """An officer's recorded exception to SSW gates for one person and one vacancy."""

    model_config = ConfigDict(extra="forbid")

    vacancy_id: Id
    candidate_id: Id
    gates: Annotated[list[GateName], Field(min_length=1, max_length=9)]
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500), MultiLine
    ] = Field(description="Why the exception is justified (erased with the person's record)")


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vacancy_id: int
    candidate_id: int | None
    officer_id: int
    gates: list[str]
    reason: str | None
    created_at: UtcDateTime
