"""Fellegi–Sunter: how much each comparison's level says for "one person" or "two".

For each comparison and level, m is the share of pairs of one person at that level and u
the share of pairs of two people. u comes from random pairs (almost all of them two
people); m and the share of matches among compared pairs (lambda) from expectation
maximisation over the blocked pairs, u held fixed (as Splink estimates them). A pair's
match weight is log2 of its prior odds plus, per known comparison, log2(m / u); its
probability follows. Fitted on the programme's own records by `talentbridge duplicates
fit`; the parameters ship in models/duplicates.json with the data they came from.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from talentbridge.duplicates.compare import (
    COMPARISONS,
    LEVELS,
    MISSING,
    Record,
    blocked_pairs,
    compare_pairs,
)

MODEL_FILE = Path(__file__).resolve().parents[3] / "models" / "duplicates.json"
FLOOR = 1e-5  # no level is impossible: a typo can land anywhere
Reason = tuple[str, dict[str, Any]]
# Levels that say "another person" all but by definition, held rather than fitted: no word
# or only some words of the names alike, a birth date three or more digits off. Left free,
# EM takes twins and namesakes (as common among blocked pairs as they are among people)
# for a second kind of match and lets them through.
HELD_M = {("name", 0): 0.005, ("name", 1): 0.002, ("birth_date", 0): 0.01}


@dataclass
class LinkageModel:
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # lambda: the share of blocked pairs that are one person
    threshold: float = 0.95  # the probability from which a pair is listed for review
    fitted_on: dict[str, Any] = field(default_factory=dict)
    _ratios: tuple[tuple[int, int], list[np.ndarray]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _log_ratios(self) -> list[np.ndarray]:
        key = (id(self.m), id(self.u))  # m and u are replaced, never changed in place
        if self._ratios is None or self._ratios[0] != key:
            self._ratios = (key, self._compute_ratios())
        return self._ratios[1]

    def _compute_ratios(self) -> list[np.ndarray]:
        return [
            np.log2(np.maximum(self.m[c], FLOOR)) - np.log2(np.maximum(self.u[c], FLOOR))
            for c in COMPARISONS
        ]

    def weights(self, levels: np.ndarray) -> np.ndarray:
        """Match weight of each row of levels (log2 odds of one person)."""
        total = np.full(len(levels), math.log2(self.prior / (1 - self.prior)))
        for column, ratios in enumerate(self._log_ratios()):
            known = levels[:, column] != MISSING
            total[known] += ratios[levels[known, column]]
        return total

    def probabilities(self, levels: np.ndarray) -> np.ndarray:
        odds: np.ndarray = np.exp2(-self.weights(levels))
        return 1.0 / (1.0 + odds)

    def reasons(self, levels: Sequence[int]) -> list[Reason]:
        """What each comparison found and how much it weighed, strongest first:
        [("birth_date", {"level": "day_month_swapped", "weight": 6.1}), ...]."""
        out = []
        for column, ratios in enumerate(self._log_ratios()):
            level = int(levels[column])
            if level == MISSING:
                continue
            name = COMPARISONS[column]
            weight = round(float(ratios[level]), 2)
            out.append((name, {"level": LEVELS[name][level], "weight": weight}))
        return sorted(out, key=lambda r: -abs(r[1]["weight"]))

    def save(self, path: Path) -> None:
        saved = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        path.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> "LinkageModel":
        """The shipped parameters (or those in `path`); the starting guess if none."""
        try:
            raw = json.loads((path or MODEL_FILE).read_text(encoding="utf-8"))
            return cls(**raw)
        except (OSError, ValueError, TypeError):
            return starting_guess()


def starting_guess() -> LinkageModel:
    """Parameters before any fit: agreement likely for one person, rare for two."""
    m, u = {}, {}
    for name, levels in LEVELS.items():
        rising = np.exp2(np.arange(len(levels)) * 2.0)
        m[name] = list(rising / rising.sum())
        u[name] = list((rising / rising.sum())[::-1])
    return LinkageModel(m=m, u=u, prior=0.01, fitted_on={"source": "starting guess"})


def _shares(levels: np.ndarray, weights: np.ndarray | None = None) -> dict[str, list[float]]:
    out = {}
    for column, name in enumerate(COMPARISONS):
        counts = np.zeros(len(LEVELS[name]))
        known = levels[:, column] != MISSING
        w = np.ones(len(levels)) if weights is None else weights
        np.add.at(counts, levels[known, column], w[known])
        counts = np.maximum(counts, FLOOR * max(counts.sum(), 1.0))
        out[name] = list(counts / counts.sum())
    return out


def _held(m: dict[str, list[float]]) -> dict[str, list[float]]:
    out = dict(m)
    for name in {n for n, _ in HELD_M}:
        held = {lv: v for (n, lv), v in HELD_M.items() if n == name}
        free = sum(v for i, v in enumerate(out[name]) if i not in held)
        scale = (1 - sum(held.values())) / max(free, 1e-12)
        out[name] = [held.get(i, v * scale) for i, v in enumerate(out[name])]
    return out


def estimate_u(records: Sequence[Record], *, samples: int, seed: int) -> dict[str, list[float]]:
    """u from random pairs of records: nearly all are two people."""
    rng = np.random.default_rng(seed)
    n = len(records)
    pairs = rng.integers(0, n, size=(samples, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return _shares(compare_pairs(records, pairs))


def expectation_maximisation(
    levels: np.ndarray,
    u: dict[str, list[float]],
    *,
    known: dict[str, list[float]] | None = None,
    rounds: int = 100,
) -> tuple[dict[str, list[float]], float]:
    """m and lambda among compared pairs by expectation maximisation, u held at its value
    among random pairs (true of two people whatever the blocking, for the comparisons the
    blocking did not use). m in `known` is held too."""
    known = known or {}
    start = starting_guess()
    model = LinkageModel({**start.m, **known}, u, start.prior)
    for _ in range(rounds):
        p = model.probabilities(levels)
        prior = float(np.clip(p.mean(), 1e-6, 0.5))
        m = _held({**_shares(levels, p), **known})
        change = max(abs(a - b) for c in COMPARISONS for a, b in zip(m[c], model.m[c], strict=True))
        model = LinkageModel(m, u, prior)
        if change < 1e-5:
            break
    return model.m, model.prior


def fit(
    records: Sequence[Record], *, samples: int = 200_000, seed: int = 7, source: str
) -> LinkageModel:
    """Parameters fitted on these records (the programme's, or a generated set).

    Each training session blocks on one comparison and so learns nothing of it (Splink's
    way): first pairs of one birth date (day and month either way) teach m of the name,
    state and occupation; then pairs of one name's sound teach m of the birth date, the
    occupation held at what the first session found.
    """
    u = estimate_u(records, samples=samples, seed=seed)
    sizes = {}
    pairs = blocked_pairs(records, rule="birth_date")
    sizes["birth_date"] = len(pairs)
    levels = compare_pairs(records, pairs)
    levels[:, COMPARISONS.index("birth_date")] = MISSING
    m, _ = expectation_maximisation(levels, u)
    pairs = blocked_pairs(records, rule="name")
    sizes["name"] = len(pairs)
    levels = compare_pairs(records, pairs)
    # Names run in regions, so people of one name share a state more often than random
    # pairs do: the state says nothing here either.
    for masked in ("name", "state"):
        levels[:, COMPARISONS.index(masked)] = MISSING
    held = {c: m[c] for c in COMPARISONS if c not in ("name", "birth_date")}
    learnt, _ = expectation_maximisation(levels, u, known=held)
    m["birth_date"] = learnt["birth_date"]
    # lambda over all pairs: about one in `duplicate_share` records has a second record.
    all_pairs = blocked_pairs(records)
    model = LinkageModel(m, u, 0.5)
    expected = float(model.probabilities(compare_pairs(records, all_pairs)).sum())
    everyone = len(records) * (len(records) - 1) / 2
    model.prior = float(np.clip(expected / max(everyone, 1.0), 1e-12, 0.5))
    model.fitted_on = {
        "source": source,
        "records": len(records),
        "training_pairs": sizes,
        "random_pairs_for_u": samples,
        "seed": seed,
    }
    return model
