"""Reference data: sectors, levels, places, partnerships and ESCO occupations, with lookups.

The constants below are read from data/ on first access (PEP 562), not at import time.
"""

from collections.abc import Callable
from typing import Any

from talentbridge.reference.catalogue import meta
from talentbridge.reference.esco import Occupation, esco_occupations, occupation_by_uri
from talentbridge.reference.partners import (
    governors_network,
    partner_prefectures,
    partner_states,
    partnerships,
)
from talentbridge.reference.places import (
    normalise_prefecture,
    normalise_state,
    prefectures,
    state_kinds,
    states,
)
from talentbridge.reference.programme import (
    SectorInfo,
    isco_sector_rules,
    japanese_levels,
    level_rank,
    sector_for_isco,
    sector_info,
    sectors,
)

SECTORS: tuple[str, ...]
SECTOR_INFO: dict[str, SectorInfo]
JAPANESE_LEVELS: tuple[str, ...]
PREFECTURES: tuple[str, ...]
STATES: tuple[str, ...]
GOVERNORS_NETWORK: frozenset[str]

_LAZY: dict[str, Callable[[], Any]] = {
    "SECTORS": sectors,
    "SECTOR_INFO": sector_info,
    "JAPANESE_LEVELS": japanese_levels,
    "PREFECTURES": prefectures,
    "STATES": states,
    "GOVERNORS_NETWORK": governors_network,
}


def __getattr__(name: str) -> Any:
    """The lazily loaded constants: SECTORS, PREFECTURES, STATES and the rest of _LAZY."""
    if name in _LAZY:
        return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GOVERNORS_NETWORK",
    "JAPANESE_LEVELS",
    "PREFECTURES",
    "SECTORS",
    "SECTOR_INFO",
    "STATES",
    "Occupation",
    "SectorInfo",
    "esco_occupations",
    "governors_network",
    "isco_sector_rules",
    "japanese_levels",
    "level_rank",
    "meta",
    "normalise_prefecture",
    "normalise_state",
    "occupation_by_uri",
    "partner_prefectures",
    "partner_states",
    "partnerships",
    "prefectures",
    "sector_for_isco",
    "sector_info",
    "sectors",
    "state_kinds",
    "states",
]
