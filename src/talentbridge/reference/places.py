"""Japan's 47 prefectures and India's states and union territories, with spelling tolerance."""

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from talentbridge.reference._data import load_json

# Stripped one at a time, in this order, from a name key that matches no known name.
_PREFECTURE_AFFIXES = (
    ("japan", ""),
    ("prefecture", ""),
    ("metropolis", ""),
    ("pref", ""),
    ("ken", ""),
    ("fu", ""),
    ("to", ""),
    ("do", ""),
    ("県", ""),
    ("府", ""),
    ("都", ""),
    ("", "prefectureof"),
)
# Codes such as "UP" or "TN" match only as given, never as what is left after stripping.
_MIN_STEM = 3
_STATE_AFFIXES = (
    ("india", ""),
    ("unionterritory", ""),
    ("state", ""),
    ("ut", ""),
    ("", "stateof"),
    ("", "governmentof"),
    ("", "govtof"),
    ("", "unionterritoryof"),
)


def name_key(text: str) -> str:
    """Casefolded letters and digits only: no accents or macrons, '&' read as 'and'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    return "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )


def _index(entries: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Key of every name and alias → canonical name; a key claimed twice is a data error."""
    index: dict[str, str] = {}
    for entry in entries:
        for spelling in (entry["name"], *entry["aliases"]):
            key = name_key(spelling)
            if index.setdefault(key, entry["name"]) != entry["name"]:
                raise ValueError(f"{spelling!r} names both {index[key]} and {entry['name']}")
    return index


def _lookup(text: str, index: dict[str, str], affixes: tuple[tuple[str, str], ...]) -> str | None:
    """The canonical name for text, stripping known suffixes and prefixes until one matches."""
    key = name_key(text)
    while key:
        if key in index:
            return index[key]
        shorter = _strip_affix(key, affixes)
        if shorter == key:
            return None
        key = shorter
    return None


def _strip_affix(key: str, affixes: tuple[tuple[str, str], ...]) -> str:
    """Key without the first listed suffix or prefix it carries, if 3+ characters remain."""
    for suffix, prefix in affixes:
        if suffix and key.endswith(suffix) and len(key) - len(suffix) >= _MIN_STEM:
            return key[: -len(suffix)]
        if prefix and key.startswith(prefix) and len(key) - len(prefix) >= _MIN_STEM:
            return key[len(prefix) :]
    return key


def _prefecture_entries() -> list[dict[str, Any]]:
    """The raw prefecture entries of places.json, in JIS order."""
    entries: list[dict[str, Any]] = load_json("places.json")["prefectures"]
    return entries


def _state_entries() -> list[dict[str, Any]]:
    """The raw state and union territory entries of places.json."""
    entries: list[dict[str, Any]] = load_json("places.json")["states"]
    return entries


@cache
def prefectures() -> tuple[str, ...]:
    """The 47 canonical prefecture names in JIS code order."""
    return tuple(entry["name"] for entry in _prefecture_entries())


@cache
def states() -> tuple[str, ...]:
    """The 36 canonical names: 28 states, then 8 union territories."""
    return tuple(entry["name"] for entry in _state_entries())


@cache
def state_kinds() -> dict[str, str]:
    """Canonical state name → "state" or "union_territory"."""
    return {entry["name"]: entry["kind"] for entry in _state_entries()}


@cache
def _prefecture_index() -> dict[str, str]:
    """Spelling key → canonical prefecture."""
    return _index(_prefecture_entries())


@cache
def _state_index() -> dict[str, str]:
    """Spelling key → canonical state or union territory."""
    return _index(_state_entries())


def normalise_prefecture(text: str) -> str | None:
    """The canonical prefecture for a common spelling ("Osaka-fu", "Hyōgo", "東京都"), or None."""
    return _lookup(text, _prefecture_index(), _PREFECTURE_AFFIXES)


def normalise_state(text: str) -> str | None:
    """The canonical state or union territory for a common spelling ("U.P.", "Orissa"), or None."""
    return _lookup(text, _state_index(), _STATE_AFFIXES)


@cache
def prefecture_kanji() -> dict[str, str]:
    """Each prefecture's canonical name → its name in Japanese (北海道, 静岡県, ...)."""
    return {entry["name"]: entry["kanji"] for entry in _prefecture_entries()}
