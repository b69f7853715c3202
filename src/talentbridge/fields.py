"""Reusable validated field types shared by the request schemas."""

import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from talentbridge import reference


def _sector_name(value: object) -> object:
    # Like states and prefectures, any case and surrounding blanks: "Care" is care.
    return value.strip().casefold() if isinstance(value, str) else value


Sector = Annotated[
    Literal["care", "construction", "manufacturing", "agriculture"], BeforeValidator(_sector_name)
]
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

# Characters that reorder or hide text: a name holding them can read differently on
# screen than it is stored (the "Trojan Source" trick), so they are refused outright.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")


def _printable(value: str, *, multiline: bool) -> str:
    for char in value:
        if char in BIDI_CONTROLS:
            raise ValueError(
                f"must not contain bidirectional control characters (U+{ord(char):04X})"
            )
        if unicodedata.category(char) == "Cc" and not (multiline and char in LINE_BREAKS):
            what = "control characters" if multiline else "line breaks or control characters"
            raise ValueError(f"must not contain {what} (U+{ord(char):04X})")
    if value and all(c.isspace() or unicodedata.category(c) in ("Cf", "Zs", "Mn") for c in value):
        raise ValueError("must contain visible characters, not only invisible or blank ones")
    return value


def _single_line(value: str) -> str:
    return _printable(value, multiline=False)


def _multi_line(value: str) -> str:
    return _printable(value, multiline=True)


SingleLine = AfterValidator(_single_line)
"""Names, titles, skills, ids: one line of visible text."""
MultiLine = AfterValidator(_multi_line)
"""Descriptions and reasons: line breaks and tabs allowed, other control characters not."""


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
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
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

# Dates a programme record can mean (vacancy starts, availability, report windows):
# outside them month arithmetic leaves the calendar and one record could break shared
# paths (a start of 0001-01-01 once broke every organisation's matching).
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)
ProgrammeDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]

# People 15 to 70 years old today. 15-17 only with a recorded guardian consent, and never
# shown to employers or put in a pipeline before they turn 18 (see visibility.py).
YOUNGEST_AGE, ADULT_AGE, OLDEST_AGE = 15, 18, 70


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth: date, day: date) -> int:
    """Completed years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _birth_date(value: date) -> date:
    today = date.today()
    age = age_on(value, today)
    if not YOUNGEST_AGE <= age <= OLDEST_AGE:
        raise ValueError(
            f"must make the person {YOUNGEST_AGE} to {OLDEST_AGE} years old today "
            f"(born between {years_before(today, OLDEST_AGE + 1) + timedelta(days=1)} "
            f"and {years_before(today, YOUNGEST_AGE)})"
        )
    return value


BirthDate = Annotated[date, AfterValidator(_birth_date)]


class Place(BaseModel):
    """A part of the programme by place: a sector, an Indian state, a prefecture (null: all)."""

    sector: str | None = None
    state: str | None = None
    prefecture: str | None = None


class Occupation(BaseModel):
    """A record's ESCO occupation, as the read schemas show it."""

    uri: str
    label: str
    isco_group: str | None
