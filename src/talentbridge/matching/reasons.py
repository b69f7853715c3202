"""Reasons as data: a kind and its plain parameters, rendered in a reader's language later.

The engine never writes a sentence. Each reason names what it is about (`kind`) and carries
the values a sentence needs (`params`): occupation labels, skill names as the vacancy wrote
them, counts, Japanese levels, ISO dates, state and prefecture names, and where a degree is
needed a small ordinal (`strength`), never a raw score.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STRONG, SOME, WEAK = "strong", "some", "weak"
STRENGTHS = (STRONG, SOME, WEAK)

# Every kind the engine, the gates and the stored plans can give (the renderer has a
# sentence for each in every language: tests/serving/test_reasons.py checks it).
GATE_KINDS = (
    "gate_sector",
    "gate_age",
    "gate_skill_test",
    "gate_japanese_level",
    "gate_care_language_test",
    "gate_consent",
    "gate_availability",
    "gate_not_placed",
    "gate_vacancy_open",
)
COMPONENT_KINDS = (
    "same_occupation",
    "same_occupation_group",
    "related_occupation",
    "title_fits_occupation",
    "title_similarity",
    "title_profile_similarity",
    "profile_similarity",
    "occupation_tasks_similarity",
    "words_in_common",
    "no_words_in_common",
    "skills_held",
    "skills_none",
    "skills_lacking",
    "essential_skills_lacking",
    "experience",
    "experience_meets",
    "experience_below",
    "japanese_meets",
    "japanese_exceeds",
    "skill_test_passed",
    "care_language_test_passed",
    "available_by_start",
    "no_start_date",
    "partner_state",
    "network_state",
    "no_partnership",
    "prefers_prefecture",
    "prefecture_not_preferred",
    "no_preference",
)
ENGINE_KINDS = (*GATE_KINDS, *COMPONENT_KINDS)  # what the engine and the gates give
# Why an allocation plan left a vacancy's openings unfilled (allocations.service).
PLAN_KINDS = (
    "unfilled_no_candidates",
    "unfilled_all_fail_gates",
    "unfilled_too_few_eligible",
    "unfilled_taken_elsewhere",
)
RECORDED = "recorded"  # a sentence stored before reasons were data (old allocation plans)
KINDS = (*ENGINE_KINDS, *PLAN_KINDS, RECORDED)


@dataclass(frozen=True)
class Reason:
    """Why a pair scores as it does or fails a gate: a kind and JSON-able parameters."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """The reason as stored and as the API's `reason_codes` give it."""
        return {"kind": self.kind, "params": self.params}

    @classmethod
    def of(cls, data: Mapping[str, Any] | str) -> "Reason":
        """A reason from its stored form (a sentence stored before reasons were data
        comes back as a `recorded` reason holding it)."""
        if isinstance(data, str):
            return cls(RECORDED, {"text": data})
        return cls(str(data["kind"]), dict(data.get("params") or {}))


def strength(value: float, strong: float = 0.6, some: float = 0.35) -> str:
    """A component's value as an ordinal a person can read: strong, some or weak."""
    if value >= strong:
        return STRONG
    return SOME if value >= some else WEAK
