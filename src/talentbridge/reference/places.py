"""Sectors, Japanese levels, prefectures, Indian states and partnerships, from data files."""

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


_PLACES = _load("places.json")
SECTORS: tuple[str, ...] = tuple(s["name"] for s in _PLACES["sectors"])
SECTOR_INFO: dict[str, dict[str, Any]] = {s["name"]: s for s in _PLACES["sectors"]}
JAPANESE_LEVELS: tuple[str, ...] = tuple(_PLACES["japanese_levels"])
PREFECTURES: tuple[str, ...] = tuple(p["name"] for p in _PLACES["prefectures"])
STATES: tuple[str, ...] = tuple(s["name"] for s in _PLACES["states"])
_SUFFIX = re.compile(r" (prefecture|ken|fu|to|metropolis)$")


def level_rank(level: str | None) -> int:
    """N5 → 1 … N1 → 5; no level → 0."""
    return JAPANESE_LEVELS.index(level) + 1 if level in JAPANESE_LEVELS else 0


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = plain.replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@cache
def _prefecture_keys() -> dict[str, str]:
    keys = {}
    for entry in _PLACES["prefectures"]:
        for name in (entry["name"], *entry["aliases"]):
            keys[_key(name)] = entry["name"]
            keys[name] = entry["name"]
    return keys


@cache
def _state_keys() -> dict[str, str]:
    keys = {}
    for entry in _PLACES["states"]:
        for name in (entry["name"], *entry["aliases"]):
            keys[_key(name)] = entry["name"]
    return keys


def normalise_prefecture(text: str) -> str | None:
    """The canonical prefecture name for a common spelling, or None."""
    keys = _prefecture_keys()
    key = _key(text)
    return keys.get(text.strip()) or keys.get(key) or keys.get(_SUFFIX.sub("", key))


def normalise_state(text: str) -> str | None:
    """The canonical state or union territory name for a common spelling, or None."""
    key = _key(text)
    keys = _state_keys()
    return keys.get(key) or keys.get(key.removeprefix("state of ").removesuffix(" state"))


def partnerships() -> list[tuple[str, str]]:
    return [(p["state"], p["prefecture"]) for p in _load("partnerships.json")["partnerships"]]


def partner_states(prefecture: str) -> frozenset[str]:
    return frozenset(s for s, p in partnerships() if p == prefecture)


def partner_prefectures(state: str) -> frozenset[str]:
    return frozenset(p for s, p in partnerships() if s == state)


def governors_network() -> frozenset[str]:
    return frozenset(_load("partnerships.json")["governors_network"])


def sector_for_isco(isco_group: str) -> str | None:
    """The sector of a 4-digit ISCO-08 group (longest matching prefix), or None."""
    best: tuple[int, str | None] = (0, None)
    for sector, prefixes in _PLACES["sector_isco"].items():
        for prefix in prefixes:
            if isco_group.startswith(prefix) and len(prefix) > best[0]:
                best = (len(prefix), sector)
    return best[1]


def meta() -> dict[str, Any]:
    return {
        "sectors": [{"name": s["name"], "label": s["label"], "skills_test": s["skills_test"]}
                    for s in _PLACES["sectors"]],
        "prefectures": list(PREFECTURES),
        "states": [{"name": s["name"], "kind": s["kind"]} for s in _PLACES["states"]],
        "japanese_levels": list(JAPANESE_LEVELS),
        "partnerships": [{"state": s, "prefecture": p} for s, p in partnerships()],
        "governors_network": sorted(governors_network()),
    }
