from datetime import date

from pydantic import BaseModel, Field


class Goal(BaseModel):
    target: int
    start: date
    end: date


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
