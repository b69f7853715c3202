"""How the engine's codes read in a sentence: levels, sectors, states, prefectures, years."""

from collections.abc import Mapping
from typing import Any

from talentbridge import reference

LEVEL_NAME = {reference.level_rank(level): level for level in reference.JAPANESE_LEVELS}
SECTOR_NAME = dict(enumerate(reference.SECTORS))
STATE_NAME = dict(enumerate(reference.STATES))
PREFECTURE_NAME = dict(enumerate(reference.PREFECTURES))


def years(value: float) -> str:
    value = round(float(value), 1)
    number = int(value) if value == int(value) else value
    return f"{number} year" + ("" if number == 1 else "s")


def japanese(c: Mapping[str, Any]) -> str:
    """The candidate's Japanese test, as the reasons name it."""
    if c["japanese_level"] and (not c["jft"] or reference.level_rank(c["japanese_level"]) >= 2):
        return f"JLPT {c['japanese_level']}"
    if c["jft"]:
        return "JFT-Basic (counts as N4)"
    return "no Japanese test"


def required_level(v: Mapping[str, Any]) -> str:
    return LEVEL_NAME.get(int(v["min_level"]), "N4")
