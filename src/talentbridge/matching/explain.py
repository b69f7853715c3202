"""Sentences a person can read, for each component and each failed gate."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from talentbridge.matching.gates import gate_reason
from talentbridge.matching.lexical import shared_words
from talentbridge.matching.names import (
    PREFECTURE_NAME,
    STATE_NAME,
    japanese,
    required_level,
    years,
)
from talentbridge.matching.scoring import skill_overlap

Features = Mapping[str, Any]


def gate_reasons(c: Features, v: Features, failed: Sequence[str], today: date) -> list[str]:
    """One sentence per failed gate, in the order given (each gate's own reason)."""
    return [gate_reason(gate, c, v, today) for gate in failed]


def component_reasons(
    c: Features,
    v: Features,
    components: Mapping[str, float],
    occupation_labels: Sequence[str],
    isco_labels: Mapping[str, str],
    query_is_vacancy: bool = True,
    skill_hits: Sequence[int] | None = None,
) -> list[str]:
    """Why the pair scores what it does, component by component.

    skill_hits: the positions of the vacancy's required skills the candidate meets, as
    `skill_overlap` found them while scoring (worked out here when not given).
    """
    if skill_hits is None:
        _, skill_hits = skill_overlap(v["skill_keys"], c["skill_keys"], v.get("skill_weights"))
    stored_occ = int(c["occ"] if query_is_vacancy else v["occ"])
    return [
        *_occupation(c, v, occupation_labels, isco_labels),
        *_title_fit(components["occupation"], stored_occ, occupation_labels),
        *_similarities(components),
        *_words(c, v, components),
        *_skills(v["skills"], skill_hits, v.get("skill_weights")),
        *_experience(float(c["experience"]), float(v["min_experience"])),
        *_japanese(c, v),
        *_start(c, v),
        *_places(c, v, components),
    ]


def _occupation(
    c: Features, v: Features, occupation_labels: Sequence[str], isco_labels: Mapping[str, str]
) -> list[str]:
    c_occ, v_occ, c_isco, v_isco = (int(c["occ"]), int(v["occ"]), int(c["isco"]), int(v["isco"]))
    if c_occ >= 0 and c_occ == v_occ and c_occ < len(occupation_labels):
        return [f"same occupation: {occupation_labels[c_occ]} (ESCO)"]
    if c_isco >= 0 and c_isco == v_isco:
        group = f"{v_isco:04d}"
        return [f"same ISCO-08 group {group} ({isco_labels.get(group, 'occupation group')})"]
    if c_isco >= 0 and c_isco // 10 == v_isco // 10:
        return [f"related ISCO-08 minor group {v_isco // 10:03d}"]
    return []


def _title_fit(score: float, stored_occ: int, occupation_labels: Sequence[str]) -> list[str]:
    if score >= 0.5 and 0 <= stored_occ < len(occupation_labels):
        return [f"the title fits the occupation {occupation_labels[stored_occ]} ({score:.2f})"]
    return []


def _similarities(components: Mapping[str, float]) -> list[str]:
    return [
        f"title similarity {components.get('title', 0.0):.2f}",
        "the vacancy's title against the person's profile "
        f"{components.get('title_profile', 0.0):.2f}",
        f"profile similarity {components['semantic']:.2f}",
        "what the title's likely occupations do, against the person's profile "
        f"{components.get('expanded', 0.0):.2f}",
    ]


def _words(c: Features, v: Features, components: Mapping[str, float]) -> list[str]:
    shared = shared_words(v.get("terms", ()), c.get("terms", ()))
    if not shared:
        return ["no words of the vacancy in the person's title, skills or summary"]
    listed = ", ".join(shared[:8]) + (", …" if len(shared) > 8 else "")
    return [f"words in common ({components.get('lexical', 0.0):.2f}): {listed}"]


def _skills(
    required: Sequence[str], hits: Sequence[int], weights: Sequence[float] | None = None
) -> list[str]:
    """Which required skills the person has and lacks; a lacking one the vacancy's
    occupation cannot do without (ESCO's essential skills) is marked so."""
    if not required:
        return []
    if weights is None or len(weights) != len(required):
        weights = [1.0] * len(required)
    met = set(hits)
    missing = [
        f"{skill} (essential)" if weights[i] > 1 else skill
        for i, skill in enumerate(required)
        if i not in met
    ]
    if not hits:
        return [f"has none of the {len(required)} required skills: lacks {', '.join(missing)}"]
    listed = ", ".join(required[i] for i in hits)
    lacks = f"; lacks {', '.join(missing)}" if missing else ""
    return [f"has {len(hits)} of {len(required)} required skills: {listed}{lacks}"]


def _experience(have: float, need: float) -> list[str]:
    if need > 0:
        verb = "meets" if have >= need else "is below"
        return [f"{years(have)} of experience {verb} the {years(need)} wanted"]
    if have > 0:
        return [f"{years(have)} of experience"]
    return []


def _japanese(c: Features, v: Features) -> list[str]:
    have, need = int(c["level"]), int(v["min_level"])
    if have < need:
        return []  # the japanese_level gate says why
    verb = "meets" if have == need else "exceeds"
    return [f"{japanese(c)} {verb} the required {required_level(v)}"]


def _start(c: Features, v: Features) -> list[str]:
    if v["start"]:
        return []
    available = date.fromordinal(int(c["available"])) if c["available"] else None
    return [
        "the vacancy has no start date: it starts when a suitable person is available"
        + (f" (this person from {available.isoformat()})" if available else "")
    ]


def _places(c: Features, v: Features, components: Mapping[str, float]) -> list[str]:
    """The partnership between the person's state and the prefecture, and their preference."""
    state = STATE_NAME.get(int(c["state"]), "an unknown state")
    prefecture = PREFECTURE_NAME.get(int(v["prefecture"]), "the prefecture")
    reasons = []
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
