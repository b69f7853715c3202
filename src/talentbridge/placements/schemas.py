from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from talentbridge.fields import MAX_ID, NoNul, UtcDateTime

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
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul] | None
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
    history: list[PlacementEventRead] = Field(validation_alias="events")
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PlacementPage(BaseModel):
    items: list[PlacementRead]
    total: int
    limit: int
    offset: int
