"""Fellegi–Sunter scoring with the parameters Splink estimated.

For each comparison and level, m is the share of pairs of one person at that level and u
the share of pairs of two people; Splink estimates them (`duplicates/training.py`, run by
`talentbridge duplicates fit`) and they ship in models/duplicates.json with the data they
came from. A pair's match weight is log2 of its prior odds plus, per known comparison,
log2(m / u), as Splink computes it; its probability follows. Scored here, in NumPy, so the
background check of one record needs neither DuckDB nor a copy of every record.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from talentbridge.duplicates.compare import COMPARISONS, LEVELS, MISSING

MODEL_FILE = Path(__file__).resolve().parents[3] / "models" / "duplicates.json"
FLOOR = 1e-5  # no level is impossible: a typo can land anywhere
Reason = tuple[str, dict[str, Any]]


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
