"""Reference data (sectors, places, levels, partnerships, ESCO): data files plus lookups."""

from talentbridge.reference.esco import Occupation, esco_occupations, occupation_by_uri
from talentbridge.reference.places import (
    JAPANESE_LEVELS,
    PREFECTURES,
    SECTOR_INFO,
    SECTORS,
    STATES,
    governors_network,
    level_rank,
    meta,
    normalise_prefecture,
    normalise_state,
    partner_prefectures,
    partner_states,
    partnerships,
    sector_for_isco,
)

__all__ = [
    "JAPANESE_LEVELS", "PREFECTURES", "SECTORS", "SECTOR_INFO", "STATES", "Occupation",
    "esco_occupations", "governors_network", "level_rank", "meta", "normalise_prefecture",
    "normalise_state", "occupation_by_uri", "partner_prefectures", "partner_states",
    "partnerships", "sector_for_isco",
]
