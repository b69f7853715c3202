"""Sentences a person can read, for each component and each failed gate."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from talentbridge import reference
from talentbridge.matching.features import adult_cutoff

LEVEL_NAME = {reference.level_rank(level): level for level in reference.JAPANESE_LEVELS}
SECTOR_NAME = dict(enumerate(reference.SECTORS))
STATE_NAME = dict(enumerate(reference.STATES))
PREFECTURE_NAME = dict(enumerate(reference.PREFECTURES))


def _years(value: float) -> str:
    value = round(float(value), 1)
    number = int(value) if value == int(value) else value
    return f"{number} year" + ("" if number == 1 else "s")


def _japanese(c: Mapping[str, Any]) -> str:
    if c["japanese_level"] and (not c["jft"] or reference.level_rank(c["japanese_level"]) >= 2):
        return f"JLPT {c['japanese_level']}"
    if c["jft"]:
        return "JFT-Basic (counts as N4)"
    return "no Japanese test"


def gate_reasons(
    c: Mapping[str, Any], v: Mapping[str, Any], failed: Sequence[str], today: date
) -> list[str]:
    required = LEVEL_NAME.get(int(v["min_level"]), "N4")
    start = date.fromordinal(int(v["start"])) if v["start"] else today
    text = {
        "sector": f"works in {SECTOR_NAME.get(int(c['sector']))}, the vacancy is in "
        f"{SECTOR_NAME.get(int(v['sector']))}",
        "age": f"under 18 on {start.isoformat()}"
        if c["birth"] > (v["cutoff"] or adult_cutoff(today))
        else "age",
        "skill_test": f"has not passed the {SECTOR_NAME.get(int(v['sector']))} skills test the "
        "vacancy requires",
        "japanese_level": f"{_japanese(c)} is below the required {required}",
        "care_language_test": "has not passed the Nursing Care Japanese Language Evaluation Test",
        "consent": "has not consented to share their profile with employers",
        "availability": "not available by the start date "
        f"({date.fromordinal(int(c['available'])).isoformat() if c['available'] else ''}"
        f" after {start.isoformat()})",
        "not_placed": "already placed in another vacancy",
        "vacancy_open": "the vacancy is closed or all its openings are placed",
    }
    return [f"Fails {gate.replace('_', ' ')}: {text[gate]}" for gate in failed]


def component_reasons(
    c: Mapping[str, Any],
    v: Mapping[str, Any],
    components: Mapping[str, float],
    occupation_labels: Sequence[str],
    isco_labels: Mapping[str, str],
    query_is_vacancy: bool = True,
) -> list[str]:
    reasons = []
    c_occ, v_occ, c_isco, v_isco = (int(c["occ"]), int(v["occ"]), int(c["isco"]), int(v["isco"]))
    if c_occ >= 0 and c_occ == v_occ and c_occ < len(occupation_labels):
        reasons.append(f"same occupation: {occupation_labels[c_occ]} (ESCO)")
    elif c_isco >= 0 and c_isco == v_isco:
        group = f"{v_isco:04d}"
        reasons.append(f"same ISCO-08 group {group} ({isco_labels.get(group, 'occupation group')})")
    elif c_isco >= 0 and c_isco // 10 == v_isco // 10:
        reasons.append(f"related ISCO-08 minor group {v_isco // 10:03d}")
    stored = c_occ if query_is_vacancy else v_occ
    if components["occupation"] >= 0.5 and 0 <= stored < len(occupation_labels):
        reasons.append(
            f"the title fits the occupation {occupation_labels[stored]} "
            f"({components['occupation']:.2f})"
        )
    reasons.append(f"profile similarity {components['semantic']:.2f}")
    required, have = v["skills"], c["skill_keys"]
    if required:
        from talentbridge.matching.engine import skill_overlap

        _, hits = skill_overlap(v["skill_keys"], have)
        if hits:
            listed = ", ".join(required[i] for i in hits)
            reasons.append(f"has {len(hits)} of {len(required)} required skills: {listed}")
        else:
            reasons.append(f"has none of the {len(required)} required skills")
    need = float(v["min_experience"])
    if need > 0:
        verb = "meets" if c["experience"] >= need else "is below"
        reasons.append(f"{_years(c['experience'])} of experience {verb} the {_years(need)} wanted")
    elif c["experience"] > 0:
        reasons.append(f"{_years(c['experience'])} of experience")
    required_level = LEVEL_NAME.get(int(v["min_level"]), "N4")
    if int(c["level"]) >= int(v["min_level"]):
        verb = "meets" if int(c["level"]) == int(v["min_level"]) else "exceeds"
        reasons.append(f"{_japanese(c)} {verb} the required {required_level}")
    if not v["start"]:
        available = date.fromordinal(int(c["available"])) if c["available"] else None
        reasons.append(
            "the vacancy has no start date: it starts when a suitable person is available"
            + (f" (this person from {available.isoformat()})" if available else "")
        )
    state = STATE_NAME.get(int(c["state"]), "an unknown state")
    prefecture = PREFECTURE_NAME.get(int(v["prefecture"]), "the prefecture")
    if components["partnership"] >= 1.0:
        reasons.append(f"from {state}, partner state of {prefecture}")
    elif components["partnership"] > 0:
        reasons.append(
            f"from {state}, a partner state in the India–Japan Governors' Network, "
            f"of which {prefecture} is a member"
        )
    if components["preference"] >= 1.0:
        reasons.append(f"prefers {prefecture}")
    elif components["preference"] == 0:
        reasons.append(f"{prefecture} is not among the preferred prefectures")
    return reasons
