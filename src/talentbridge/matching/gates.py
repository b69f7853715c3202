"""The SSW gates, each written once: its name, its rule (a boolean mask) and its reason.

Ranking (`gate_masks`), the pipeline check (`pair_failed_gates`) and the explanations
(`explain.gate_reasons`) all read `GATES`, so they cannot disagree.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from talentbridge.matching.features import (
    CANDIDATE_COLUMNS,
    CARE,
    VACANCY_COLUMNS,
    adult_cutoff,
)
from talentbridge.matching.names import SECTOR_NAME, day, japanese, required_level
from talentbridge.matching.reasons import Reason

Features = Mapping[str, Any]  # one side's columns: arrays over a store, or one record's values


@dataclass(frozen=True)
class Gate:
    """One SSW rule: `mask` is True where a (candidate, vacancy) pair passes it; `reason`
    gives, for a pair that fails it, the parameters of why (reason kind `gate_<name>`)."""

    name: str
    mask: Callable[[Features, Features, date], Any]
    reason: Callable[[Features, Features, date], dict[str, Any]]


def _start(v: Features, today: date) -> date:
    """The vacancy's start date; no start date means as soon as possible (today)."""
    return date.fromordinal(int(v["start"])) if v["start"] else today


def _age(c: Features, v: Features, today: date) -> Any:
    cutoff = np.where(v["cutoff"] > 0, v["cutoff"], adult_cutoff(today))
    return c["birth"] <= cutoff


def _availability(c: Features, v: Features, today: date) -> Any:
    # No start date: the job starts as soon as a suitable person is available.
    start = np.where(v["start"] > 0, v["start"], today.toordinal())
    return (v["start"] <= 0) | (c["available"] <= start)


def _not_available_by(c: Features, v: Features, today: date) -> dict[str, Any]:
    return {"available": day(c["available"]), "start": _start(v, today).isoformat()}


GATES = (
    Gate(
        "sector",
        lambda c, v, _: c["sector"] == v["sector"],
        lambda c, v, _: {
            "candidate_sector": SECTOR_NAME.get(int(c["sector"])),
            "vacancy_sector": SECTOR_NAME.get(int(v["sector"])),
        },
    ),
    Gate("age", _age, lambda c, v, today: {"date": _start(v, today).isoformat()}),
    Gate(
        "skill_test",
        lambda c, v, _: ~v["requires_test"] | c["skill_test"],
        lambda c, v, _: {"sector": SECTOR_NAME.get(int(v["sector"]))},
    ),
    Gate(
        "japanese_level",
        lambda c, v, _: c["level"] >= v["min_level"],
        lambda c, v, _: {"japanese": japanese(c), "required": required_level(v)},
    ),
    Gate(
        "care_language_test",
        lambda c, v, _: (v["sector"] != CARE) | c["care_lang"],
        lambda c, v, _: {},
    ),
    Gate(
        "consent",
        lambda c, v, _: np.asarray(c["consent"]),
        lambda c, v, _: {},
    ),
    Gate("availability", _availability, _not_available_by),
    Gate(
        "not_placed",
        lambda c, v, _: ~np.asarray(c["placed"]),
        lambda c, v, _: {},
    ),
    Gate(
        "vacancy_open",
        lambda c, v, _: np.asarray(v["open"]),
        lambda c, v, _: {},
    ),
)
GATE_NAMES = tuple(gate.name for gate in GATES)
BY_NAME = {gate.name: gate for gate in GATES}


def gate_masks(c: Features, v: Features, today: date) -> dict[str, np.ndarray]:
    """Each SSW gate as a boolean (array): True where the pair passes it."""
    return {gate.name: gate.mask(c, v, today) for gate in GATES}


def pair_failed_gates(candidate: Features, vacancy: Features, today: date) -> list[str]:
    """The gates one candidate fails for one vacancy, from their feature dicts (the same
    rules the ranking applies, so the pipeline and the matches cannot disagree)."""
    c: dict[str, np.ndarray] = {
        name: np.asarray(candidate[name], dtype=t) for name, t in CANDIDATE_COLUMNS.items()
    }
    v: dict[str, np.ndarray] = {
        name: np.asarray(vacancy[name], dtype=t) for name, t in VACANCY_COLUMNS.items()
    }
    return [gate for gate, passed in gate_masks(c, v, today).items() if not bool(passed)]


def gate_reason(name: str, c: Features, v: Features, today: date) -> Reason:
    """Why a pair fails the gate `name`: the reason `gate_<name>` and its parameters."""
    return Reason(f"gate_{name}", BY_NAME[name].reason(c, v, today))
