from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from talentbridge.fields import PrefectureName, StateName, Text200

Kind = Literal["institute", "employer", "officer"]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    name: Text200
    state: StateName | None = Field(
        None, description="Indian state or union territory (institutes)"
    )
    prefecture: PrefectureName | None = Field(None, description="Japanese prefecture (employers)")

    @model_validator(mode="after")
    def _place_fits_kind(self) -> Self:
        if self.kind == "institute" and not self.state:
            raise ValueError("an institute needs its Indian state in 'state'")
        if self.kind == "employer" and not self.prefecture:
            raise ValueError("an employer needs its prefecture in 'prefecture'")
        return self


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Kind
    name: str
    state: str | None
    prefecture: str | None


class OrganisationCreated(OrganisationRead):
    api_key: str = Field(description="Shown once; only its hash is stored")
