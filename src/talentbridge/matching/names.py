"""How the engine's codes read as reason parameters: levels, sectors, states, prefectures."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from talentbridge import reference

LEVEL_NAME = {reference.level_rank(level): level for level in reference.JAPANESE_LEVELS}
SECTOR_NAME = dict(enumerate(reference.SECTORS))
STATE_NAME = dict(enumerate(reference.STATES))
PREFECTURE_NAME = dict(enumerate(reference.PREFECTURES))


def japanese(c: Mapping[str, Any]) -> dict[str, str | None]:
    """The candidate's Japanese test, as the reasons name it: JLPT and its level, JFT-Basic
    (which counts as N4), or none."""
    if c["japanese_level"] and (not c["jft"] or reference.level_rank(c["japanese_level"]) >= 2):
        return {"test": "jlpt", "level": str(c["japanese_level"])}
    if c["jft"]:
        return {"test": "jft", "level": "N4"}
    return {"test": "none", "level": None}


def required_level(v: Mapping[str, Any]) -> str:
    return LEVEL_NAME.get(int(v["min_level"]), "N4")


def day(ordinal: Any) -> str | None:
    """An ordinal day as an ISO date (None for 0: no date)."""
    return date.fromordinal(int(ordinal)).isoformat() if ordinal else None
