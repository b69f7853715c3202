"""Reusable validated field types shared by the request schemas."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from talentbridge import reference

Sector = Literal["care", "construction", "manufacturing", "agriculture"]
JapaneseLevel = Literal["N5", "N4", "N3", "N2", "N1"]


def _state(value: str) -> str:
    canonical = reference.normalise_state(value)
    if canonical is None:
        raise ValueError(f"{value!r} is not an Indian state or union territory")
    return canonical


def _prefecture(value: str) -> str:
    canonical = reference.normalise_prefecture(value)
    if canonical is None:
        raise ValueError(f"{value!r} is not a Japanese prefecture")
    return canonical


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold it; say so as a 422 naming the field, not a 500.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (\\x00)")
    return value


NoNul = AfterValidator(_no_nul)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC), PostgreSQL ones in the session's zone.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Every timestamp in a response: UTC, written with its 'Z', on create and on read alike.
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


Text200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul
]
StateName = Annotated[str, StringConstraints(max_length=100), AfterValidator(_state)]
PrefectureName = Annotated[str, StringConstraints(max_length=100), AfterValidator(_prefecture)]
SkillList = Annotated[
    list[Text200],
    Field(max_length=100),
    AfterValidator(_unique),
]
PrefectureList = Annotated[list[PrefectureName], Field(max_length=47), AfterValidator(_unique)]

MAX_ID = 2**31 - 1  # record ids are 32-bit INTEGER columns on PostgreSQL
