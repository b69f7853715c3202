"""Records (ORM rows or anything shaped like them) to the numeric features the engine uses."""

import sys
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from talentbridge import reference
from talentbridge.matching.japanese import english

SECTOR_CODE = {name: i for i, name in enumerate(reference.SECTORS)}
STATE_CODE = {name: i for i, name in enumerate(reference.STATES)}
PREFECTURE_CODE = {name: i for i, name in enumerate(reference.PREFECTURES)}
JFT_LEVEL = reference.level_rank("N4")
CARE = SECTOR_CODE["care"]

CANDIDATE_COLUMNS = {
    "sector": np.int8,
    "birth": np.int32,
    "level": np.int8,
    "skill_test": np.bool_,
    "care_lang": np.bool_,
    "consent": np.bool_,
    "available": np.int32,
    "placed": np.bool_,
    "state": np.int16,
    "prefs": np.uint64,
    "occ": np.int32,
    "isco": np.int32,
    "experience": np.float32,
    "title": np.int32,
    **{f"alt{k}": np.int32 for k in (1, 2)},  # next best occupations (-1: none)
    **{f"alt{k}_fit": np.float32 for k in (1, 2)},  # their score relative to the best
}
CANDIDATE_OBJECTS = ("skills", "skill_keys", "japanese_level", "jft", "preferred", "terms")
VACANCY_COLUMNS = {
    "sector": np.int8,
    "start": np.int32,
    "cutoff": np.int32,
    "min_level": np.int8,
    "requires_test": np.bool_,
    "open": np.bool_,
    "prefecture": np.int16,
    "occ": np.int32,
    "isco": np.int32,
    "min_experience": np.float32,
    "title": np.int32,
    **{f"alt{k}": np.int32 for k in (1, 2)},
    **{f"alt{k}_fit": np.float32 for k in (1, 2)},
}
VACANCY_OBJECTS = ("skills", "skill_keys", "skill_weights", "terms")


def skill_key(skill: str) -> str:
    return " ".join(english(skill).casefold().replace("-", " ").split())


@lru_cache(maxsize=100_000)
def skill_keys(skills: tuple[str, ...]) -> frozenset[str]:
    """The keys of a skill list; equal lists share one set (a million candidates, few lists)."""
    return frozenset(skill_key(s) for s in skills)


def adult_cutoff(day: date) -> int:
    """Ordinal of the latest birth date that is 18 or over on `day`."""
    try:
        return day.replace(year=day.year - 18).toordinal()
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28).toordinal()


def _isco(group: str | None) -> int:
    return int(group) if group and group.isdigit() else -1


def _prefs_mask(prefectures: list[str]) -> int:
    mask = 0
    for name in prefectures:
        code = PREFECTURE_CODE.get(name)
        if code is not None:
            mask |= 1 << code
    return mask


def alternatives(pairs: Any) -> dict[str, Any]:
    """The alt1/alt2 columns from [(occupation index, relative score), ...]."""
    pairs = list(pairs or ())[:2]
    pairs += [(-1, 0.0)] * (2 - len(pairs))
    out: dict[str, Any] = {}
    for k, (index, fit) in enumerate(pairs, start=1):
        out[f"alt{k}"], out[f"alt{k}_fit"] = int(index), float(fit)
    return out


def candidate_features(
    c: Any,
    *,
    occ: int,
    placed: bool,
    title: int = -1,
    terms: tuple[str, ...] = (),
    others: Any = (),
) -> dict[str, Any]:
    """title: the row of the person's title vector (-1: none yet); terms: their words;
    others: the next best occupations, [(index, relative score), ...]."""
    level = reference.level_rank(c.japanese_level)
    skills = tuple(c.skills or ())
    return {
        "sector": SECTOR_CODE.get(c.sector, -1),
        "birth": c.date_of_birth.toordinal(),
        "level": max(level, JFT_LEVEL) if c.jft_basic_passed else level,
        "skill_test": bool(c.skill_test_passed),
        "care_lang": bool(c.care_language_test_passed),
        "consent": bool(c.consent_to_share),
        "available": c.available_from.toordinal() if c.available_from else 0,
        "placed": placed,
        "state": STATE_CODE.get(c.state, -1),
        "prefs": _prefs_mask(c.preferred_prefectures or []),
        "occ": occ,
        "isco": _isco(c.isco_group),
        "experience": float(c.experience_years or 0),
        "skills": skills,
        "skill_keys": skill_keys(skills),
        # One string per level, not one per row as the driver made it (5.6 MB at 100,000).
        "japanese_level": sys.intern(c.japanese_level) if c.japanese_level else None,
        "jft": bool(c.jft_basic_passed),
        "preferred": tuple(c.preferred_prefectures or ()),
        "title": title,
        "terms": terms,
        **alternatives(others),
    }


def vacancy_features(
    v: Any, *, occ: int, title: int = -1, terms: tuple[str, ...] = (), others: Any = ()
) -> dict[str, Any]:
    skills = tuple(v.required_skills or ())
    return {
        "sector": SECTOR_CODE.get(v.sector, -1),
        "start": v.start_date.toordinal() if v.start_date else 0,
        "cutoff": adult_cutoff(v.start_date) if v.start_date else 0,
        "min_level": reference.level_rank(v.min_japanese_level),
        "requires_test": bool(v.requires_skill_test),
        "open": v.status == "open" and (v.placed_count or 0) < v.openings,
        "prefecture": PREFECTURE_CODE.get(v.prefecture, -1),
        "occ": occ,
        "isco": _isco(v.isco_group),
        "min_experience": float(v.min_experience_years or 0),
        "skills": skills,
        "skill_keys": tuple(skill_key(s) for s in skills),
        "skill_weights": (1.0,) * len(skills),  # the index weighs the essential ones more
        "title": title,
        "terms": terms,
        **alternatives(others),
    }


def partnership_table() -> np.ndarray:
    """[state, prefecture] → 1 for a partnership, 0.5 for the Governors' Network gateway."""
    table = np.zeros((len(STATE_CODE) + 1, len(PREFECTURE_CODE) + 1), dtype=np.float32)
    partner_states = {state for state, _ in reference.partnerships()}
    for state in partner_states:
        for prefecture in reference.governors_network():
            table[STATE_CODE[state], PREFECTURE_CODE[prefecture]] = 0.5
    for state, prefecture in reference.partnerships():
        table[STATE_CODE[state], PREFECTURE_CODE[prefecture]] = 1.0
    return table  # row/column -1 (unknown) stay 0
