from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TargetKind = Literal["programme", "sector", "state", "partnership"]


class ReportFilters(BaseModel):
    """The filters the report was asked for (null: not filtered on that)."""

    model_config = ConfigDict(populate_by_name=True)

    sector: str | None = None
    state: str | None = None
    prefecture: str | None = None
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")


class Scope(BaseModel):
    """Whose figures these are: the whole programme's, or one institute's or employer's."""

    kind: Literal["programme", "institute", "employer"]
    organisation: str | None = Field(
        description="the institute's or employer's name; null for the programme"
    )
    filters: ReportFilters
    description: str = Field(description="one sentence saying whose figures these are")


class Goal(BaseModel):
    target: int
    start: date
    end: date
    applies_to: TargetKind = Field(
        description="whose target this is: the whole programme's, or the filtered sector's, "
        "state's or partnership's when one is set"
    )
    key: str | None = Field(description="the sector, state or 'State–Prefecture' of the target")
    placed: int = Field(
        description="placements compared with the target (percent_of_goal and pace use it); "
        "the whole programme's when the filter has no target of its own"
    )
    note: str = Field(description="what percent_of_goal and pace compare, in one sentence")


class Pace(BaseModel):
    required_per_month: float
    actual_per_month: float
    projected_completion_date: date | None
    on_track: bool


class Count(BaseModel):
    key: str
    placed: int
    in_pipeline: int


class PartnershipCount(BaseModel):
    state: str
    prefecture: str
    placed: int
    in_pipeline: int


class MonthCount(BaseModel):
    month: str
    placed: int
    cumulative: int
    goal_line: float


class StageCount(BaseModel):
    stage: str
    count: int


class ProgressReport(BaseModel):
    scope: Scope
    goal: Goal
    as_of: date
    placed: int
    placed_under_override: int = Field(
        description="of `placed`, those that passed a failed SSW gate by an officer's override"
    )
    percent_of_goal: float
    pace: Pace
    by_sector: list[Count]
    by_state: list[Count]
    by_prefecture: list[Count]
    by_partnership: list[PartnershipCount]
    by_month: list[MonthCount]
    funnel: list[StageCount]
