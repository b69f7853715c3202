"""Reasons as data, for each component and each failed gate (see `reasons`).

What is said here is what a person weighing the pair wants to know: the occupation, the
skills held and lacking, Japanese and the tests, experience, availability, the places and
the partnership. Similarities are given as an ordinal (`strength`), never as a number; the
sentences are written by the application's renderer, in the reader's language.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from talentbridge.matching.features import CARE
from talentbridge.matching.gates import gate_reason
from talentbridge.matching.lexical import shared_words
from talentbridge.matching.names import (
    PREFECTURE_NAME,
    SECTOR_NAME,
    STATE_NAME,
    day,
    japanese,
    required_level,
)
from talentbridge.matching.reasons import Reason, strength
from talentbridge.matching.scoring import skill_overlap

__all__ = ["Reason", "component_reasons", "gate_reasons"]

Features = Mapping[str, Any]
WORDS_SHOWN = 8  # words in common named in a reason
# The similarity components and the reason kind each is told as.
SIMILARITIES = {
    "title": "title_similarity",
    "title_profile": "title_profile_similarity",
    "semantic": "profile_similarity",
    "expanded": "occupation_tasks_similarity",
}


def gate_reasons(c: Features, v: Features, failed: Sequence[str], today: date) -> list[Reason]:
    """One reason per failed gate, in the order given (each gate's own reason)."""
    return [gate_reason(gate, c, v, today) for gate in failed]


def component_reasons(
    c: Features,
    v: Features,
    components: Mapping[str, float],
    occupation_labels: Sequence[str],
    isco_labels: Mapping[str, str],
    query_is_vacancy: bool = True,
    skill_hits: Sequence[int] | None = None,
) -> list[Reason]:
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
        *_tests(c, v),
        *_start(c, v),
        *_places(c, v, components),
    ]


def _occupation(
    c: Features, v: Features, occupation_labels: Sequence[str], isco_labels: Mapping[str, str]
) -> list[Reason]:
    c_occ, v_occ, c_isco, v_isco = (int(c["occ"]), int(v["occ"]), int(c["isco"]), int(v["isco"]))
    if c_occ >= 0 and c_occ == v_occ and c_occ < len(occupation_labels):
        return [Reason("same_occupation", {"occupation": occupation_labels[c_occ]})]
    if c_isco >= 0 and c_isco == v_isco:
        group = isco_labels.get(f"{v_isco:04d}")
        return [Reason("same_occupation_group", {"group": group})]
    if c_isco >= 0 and c_isco // 10 == v_isco // 10:
        return [Reason("related_occupation")]
    return []


def _title_fit(score: float, stored_occ: int, occupation_labels: Sequence[str]) -> list[Reason]:
    if score >= 0.5 and 0 <= stored_occ < len(occupation_labels):
        params = {"occupation": occupation_labels[stored_occ], "strength": strength(score, 0.75)}
        return [Reason("title_fits_occupation", params)]
    return []


def _similarities(components: Mapping[str, float]) -> list[Reason]:
    return [
        Reason(kind, {"strength": strength(float(components.get(name, 0.0)))})
        for name, kind in SIMILARITIES.items()
    ]


def _words(c: Features, v: Features, components: Mapping[str, float]) -> list[Reason]:
    shared = shared_words(v.get("terms", ()), c.get("terms", ()))
    if not shared:
        return [Reason("no_words_in_common")]
    params = {
        "words": list(shared[:WORDS_SHOWN]),
        "count": len(shared),
        "strength": strength(float(components.get("lexical", 0.0)), 0.5, 0.2),
    }
    return [Reason("words_in_common", params)]


def _skills(
    required: Sequence[str], hits: Sequence[int], weights: Sequence[float] | None = None
) -> list[Reason]:
    """Which required skills (as the vacancy wrote them) the person holds and lacks; those
    lacking that the vacancy's occupation cannot do without (ESCO's essential skills) apart."""
    if not required:
        return []
    if weights is None or len(weights) != len(required):
        weights = [1.0] * len(required)
    met = set(hits)
    lacking = [str(s) for i, s in enumerate(required) if i not in met and weights[i] <= 1]
    essential = [str(s) for i, s in enumerate(required) if i not in met and weights[i] > 1]
    if hits:
        held = [str(required[i]) for i in hits]
        counts = {"held_count": len(held), "required_count": len(required)}
        reasons = [Reason("skills_held", {**counts, "skills": held})]
    else:
        reasons = [Reason("skills_none", {"required_count": len(required)})]
    if essential:
        reasons.append(
            Reason("essential_skills_lacking", {"skills": essential, "count": len(essential)})
        )
    if lacking:
        reasons.append(Reason("skills_lacking", {"skills": lacking, "count": len(lacking)}))
    return reasons


def _experience(have: float, need: float) -> list[Reason]:
    years = {"years": round(have, 1)}
    if need > 0:
        kind = "experience_meets" if have >= need else "experience_below"
        return [Reason(kind, {**years, "wanted": round(need, 1)})]
    return [Reason("experience", years)] if have > 0 else []


def _japanese(c: Features, v: Features) -> list[Reason]:
    have, need = int(c["level"]), int(v["min_level"])
    if have < need:
        return []  # the japanese_level gate says why
    kind = "japanese_meets" if have == need else "japanese_exceeds"
    return [Reason(kind, {"japanese": japanese(c), "required": required_level(v)})]


def _tests(c: Features, v: Features) -> list[Reason]:
    """The tests the person has passed that count for this vacancy's sector."""
    reasons = []
    if bool(c["skill_test"]) and int(c["sector"]) == int(v["sector"]):
        reasons.append(Reason("skill_test_passed", {"sector": SECTOR_NAME.get(int(v["sector"]))}))
    if bool(c["care_lang"]) and int(v["sector"]) == CARE:
        reasons.append(Reason("care_language_test_passed"))
    return reasons


def _start(c: Features, v: Features) -> list[Reason]:
    available = day(c["available"])
    if not v["start"]:
        return [Reason("no_start_date", {"available": available})]
    if int(c["available"]) <= int(v["start"]):
        return [Reason("available_by_start", {"available": available, "start": day(v["start"])})]
    return []  # the availability gate says why


def _places(c: Features, v: Features, components: Mapping[str, float]) -> list[Reason]:
    """The partnership between the person's state and the prefecture, and their preference."""
    where = {
        "state": STATE_NAME.get(int(c["state"])),
        "prefecture": PREFECTURE_NAME.get(int(v["prefecture"])),
    }
    reasons = []
    if components["partnership"] >= 1.0:
        reasons.append(Reason("partner_state", where))
    elif components["partnership"] > 0:
        reasons.append(Reason("network_state", where))
    else:
        reasons.append(Reason("no_partnership", where))
    prefecture = {"prefecture": where["prefecture"]}
    if components["preference"] >= 1.0:
        reasons.append(Reason("prefers_prefecture", prefecture))
    elif components["preference"] == 0:
        reasons.append(Reason("prefecture_not_preferred", prefecture))
    else:
        reasons.append(Reason("no_preference"))
    return reasons
