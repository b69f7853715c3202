"""State–prefecture partnerships and the India–Japan Governors' Network, from partnerships.json."""

from functools import cache

from talentbridge.reference._data import load_json
from talentbridge.reference.places import normalise_prefecture, normalise_state, prefectures, states


def _canonical_prefecture(name: str) -> str:
    """The name itself if it is a canonical prefecture, else a data error."""
    if name not in prefectures():
        raise ValueError(f"partnerships.json: {name!r} is not a canonical prefecture name")
    return name


def _canonical_state(name: str) -> str:
    """The name itself if it is a canonical state or union territory, else a data error."""
    if name not in states():
        raise ValueError(f"partnerships.json: {name!r} is not a canonical state name")
    return name


@cache
def _partnerships() -> tuple[tuple[str, str], ...]:
    """The (state, prefecture) pairs, validated, in file order."""
    return tuple(
        (_canonical_state(entry["state"]), _canonical_prefecture(entry["prefecture"]))
        for entry in load_json("partnerships.json")["partnerships"]
    )


def partnerships() -> list[tuple[str, str]]:
    """Every state–prefecture partnership as (state, prefecture)."""
    return list(_partnerships())


def partner_states(prefecture: str) -> frozenset[str]:
    """The states partnered with a prefecture (any accepted spelling); empty if none."""
    canonical = normalise_prefecture(prefecture)
    return frozenset(s for s, p in _partnerships() if p == canonical)


def partner_prefectures(state: str) -> frozenset[str]:
    """The prefectures partnered with a state (any accepted spelling); empty if none."""
    canonical = normalise_state(state)
    return frozenset(p for s, p in _partnerships() if s == canonical)


@cache
def governors_network() -> frozenset[str]:
    """The prefectures that are members of the India–Japan Governors' Network."""
    members = load_json("partnerships.json")["governors_network"]["members"]
    return frozenset(_canonical_prefecture(name) for name in members)
