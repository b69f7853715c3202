"""The demo's names, places and sentences, read once from the JSON files in data/.

The files hold what a person would edit (a surname list, a town, a sentence); the numbers
that shape the programme (shares, weights, wages) stay in code beside the logic using them.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

Words = tuple[str, ...]


@dataclass(frozen=True)
class Names:
    """The given names (by sex) and surnames drawn for candidates from one Indian state."""

    male: Words
    female: Words
    surnames: Words


@dataclass(frozen=True)
class Vocabulary:
    other_states: Words
    other_prefectures: Words
    cities: dict[str, Words]  # by Indian state
    towns: dict[str, Words]  # by Japanese prefecture
    sector_leaning: dict[str, frozenset[str]]  # prefectures known for a sector
    names: dict[str, Names]  # by Indian state
    institute_patterns: Words
    employer_patterns: dict[str, Words]  # by sector
    jp_surnames: Words
    jp_words: Words
    occupation_weights: dict[str, dict[str, float]]  # sector → ESCO label → weight
    # sector → ESCO label → the skills such a worker really lists (ESCO skill labels)
    occupation_skills: dict[str, dict[str, Words]]
    sector_notes: dict[str, Words]
    support_notes: Words
    rejections: dict[str, Words]  # by the stage the placement is rejected from
    withdrawals: Words
    full: str  # the reason given when every opening is taken


def _read(name: str) -> dict[str, Any]:
    content: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return content


def _words(by_key: dict[str, list[str]]) -> dict[str, Words]:
    return {key: tuple(values) for key, values in by_key.items()}


@cache
def vocabulary() -> Vocabulary:
    """Everything in data/, parsed on first use."""
    places, people = _read("places.json"), _read("people.json")
    organisations, texts = _read("organisations.json"), _read("texts.json")
    given = people["given_names"]
    names = {
        state: Names(
            male=tuple(given[entry["given_names"]]["male"]),
            female=tuple(given[entry["given_names"]]["female"]),
            surnames=tuple(entry["surnames"]),
        )
        for state, entry in people["states"].items()
    }
    return Vocabulary(
        other_states=tuple(places["other_states"]),
        other_prefectures=tuple(places["other_prefectures"]),
        cities=_words(places["cities"]),
        towns=_words(places["towns"]),
        sector_leaning={k: frozenset(v) for k, v in places["sector_leaning"].items()},
        names=names,
        institute_patterns=tuple(organisations["institute_patterns"]),
        employer_patterns=_words(organisations["employer_patterns"]),
        jp_surnames=tuple(organisations["jp_surnames"]),
        jp_words=tuple(organisations["jp_words"]),
        occupation_weights=_read("occupations.json")["weights"],
        occupation_skills={
            sector: {label: tuple(skills) for label, skills in by_label.items()}
            for sector, by_label in _read("occupations.json")["skills"].items()
        },
        sector_notes=_words(texts["sector_notes"]),
        support_notes=tuple(texts["support_notes"]),
        rejections=_words(texts["rejections"]),
        withdrawals=tuple(texts["withdrawals"]),
        full=texts["full"],
    )
