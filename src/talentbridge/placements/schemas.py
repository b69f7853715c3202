from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from talentbridge.fields import MAX_ID, MultiLine, UtcDateTime
from talentbridge.matching.gates import GATE_NAMES as GATES
from talentbridge.pages import Page
from talentbridge.stages import Stage

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PlacementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vacancy_id: Id
    candidate_id: Id


class PlacementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Stage
    reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MultiLine] | None
    ) = None


class PlacementEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: Stage | None
    to_status: Stage
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
    status: Stage
    sector: str
    state: str
    prefecture: str
    placed_on: date | None
    candidate_erased: bool
    under_override: bool = Field(description="a step passed a failed SSW gate by an override")
    history: list[PlacementEventRead] = Field(validation_alias="events")
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PlacementPage(Page[PlacementRead]):
    pass


GateName = Literal[GATES]  # type: ignore[valid-type]  # the engine's gates, by name


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


class HiredPerson(BaseModel):
    """What an employer sees of a person it placed (talentbridge.visibility.hire_view)."""

    model_config = ConfigDict(from_attributes=True)

    candidate_id: int = Field(validation_alias="id")
    full_name: str
    date_of_birth: date
    state: str
    sector: str
    job_title: str | None
    skills: list[str]
    japanese_level: str | None
    available_from: date | None


class HireRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    placement_id: int
    vacancy_id: int
    vacancy_title: str
    placed_on: date | None
    sector: str
    prefecture: str
    institute: str | None = Field(description="the person's institute, whom to contact")
    candidate: HiredPerson | None = Field(
        description="null once the record was erased or the person withdrew consent"
    )


class HirePage(Page[HireRead]):
    pass


MAX_MESSAGE = 4000
# A message of a placement's conversation: visible text, line breaks allowed (one rule for
# the API's body and the page's form, both checked by placements.conversation.post).
MessageBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE), MultiLine
]


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: MessageBody = Field(description=f"The message: 1 to {MAX_MESSAGE} characters of text")


class MessageRead(BaseModel):
    """A line of a placement's conversation: a message, or the line a stage change adds."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Literal["message", "stage_change"]
    body: str | None = Field(description="a message's text; null for a stage change")
    data: dict[str, Any] | None = Field(
        description='a stage change\'s {"from", "to", "by"} (by: the kind of organisation)'
    )
    organisation_id: int = Field(description="the writer's organisation (or the mover's)")
    author: str | None = Field(description="the person who wrote it; null for automatic lines")
    created_at: UtcDateTime


class MessageList(BaseModel):
    items: list[MessageRead]
