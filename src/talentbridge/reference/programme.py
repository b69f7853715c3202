"""SSW programme reference: sectors, their skills tests and ISCO-08 groups, Japanese levels."""

from functools import cache
from types import MappingProxyType
from typing import Any, TypedDict

from talentbridge.reference._data import load_json


class SectorInfo(TypedDict):
    """What places.json records about one sector."""

    label: str
    ssw_field: str
    skills_test: str
    skills_test_categories: list[str]
    language_tests: list[str]
    isco_groups: list[str]


def _sector_entries() -> list[dict[str, Any]]:
    """The raw sector entries of places.json, in order."""
    entries: list[dict[str, Any]] = load_json("places.json")["sectors"]
    return entries


@cache
def sectors() -> tuple[str, ...]:
    """The four sector names, in display order."""
    return tuple(entry["name"] for entry in _sector_entries())


@cache
def sector_info() -> dict[str, SectorInfo]:
    """Sector name → label, SSW field, skills test and its categories, extra tests, ISCO groups."""
    return {
        entry["name"]: SectorInfo(
            label=entry["label"],
            ssw_field=entry["ssw_field"],
            skills_test=entry["skills_test"],
            skills_test_categories=list(entry["skills_test_categories"]),
            language_tests=list(entry["language_tests"]),
            isco_groups=list(entry["isco_groups"]),
        )
        for entry in _sector_entries()
    }


@cache
def isco_sector_rules() -> MappingProxyType[str, str]:
    """ISCO-08 group prefix → sector: the one rule table used by the app and the ESCO build."""
    rules: dict[str, str] = {}
    for name, info in sector_info().items():
        for prefix in info["isco_groups"]:
            if rules.setdefault(prefix, name) != name:
                raise ValueError(f"ISCO prefix {prefix} is given to two sectors")
    return MappingProxyType(rules)


def sector_for_isco(isco_group: str) -> str | None:
    """The sector of a 4-digit ISCO-08 unit group (or an ESCO code under it), or None."""
    group = isco_group.strip().split(".", 1)[0]
    if len(group) != 4 or not group.isdigit():
        return None
    rules = isco_sector_rules()
    for length in range(4, 1, -1):
        sector = rules.get(group[:length])
        if sector is not None:
            return sector
    return None


@cache
def japanese_levels() -> tuple[str, ...]:
    """JLPT levels from lowest to highest: N5 … N1."""
    return tuple(load_json("places.json")["japanese_levels"])


def level_rank(level: str | None) -> int:
    """0 for no level (None, blank or unknown), N5 → 1 … N1 → 5."""
    if level is None:
        return 0
    levels = japanese_levels()
    wanted = level.strip().upper()
    return levels.index(wanted) + 1 if wanted in levels else 0
