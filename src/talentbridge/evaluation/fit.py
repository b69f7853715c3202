"""`talentbridge model fit`: the component weights fitted by logistic regression.

Two sources of labelled pairs:
- **the development split and ESCO** (default): for every title of the fitting part (never
  the held-back part), the engine's components for each candidate of its sector, labelled 1
  for the right candidate and 0 for the others; in both checks of the evaluation (the
  leave-labels-out one teaches the weights not to lean on label look-ups). The fit is
  checked on the held-back titles against the weights in use, and written to
  `models/match_weights.json` only if it ranks them better.
- **real outcomes** (`--outcomes`): placements that ended placed (1) or rejected (0), with
  the components the engine gives the pair today; fitted on 70 % of them and written only if
  it separates the other 30 % better (ROC AUC) than the weights in use.
"""

import argparse
import json
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from talentbridge.config import get_settings
from talentbridge.evaluation.cases import Case, dev_set, folds, load_cases
from talentbridge.evaluation.run import Evaluation, Ranked, dev_split, leave_labels_out, metrics
from talentbridge.matching.scoring import COMPONENTS
from talentbridge.matching.toolkit import Toolkit, build_tools
from talentbridge.matching.weights import WEIGHTS_FILE, match_weights


def weights_from(model: LogisticRegression) -> dict[str, float]:
    """Coefficients as weights: a negative one (a component that hurts) counts as 0."""
    raw = np.maximum(model.coef_[0], 0.0)
    total = float(raw.sum()) or 1.0
    return {
        name: round(float(value / total), 4) for name, value in zip(COMPONENTS, raw, strict=True)
    }


def _fit(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    return weights_from(model.fit(x, y))


def pairs(tools: Toolkit, cases: Sequence[Case]) -> tuple[np.ndarray, np.ndarray]:
    """(components, labels) of every (case, candidate of its sector) pair, in both checks."""
    rows: list[list[float]] = []
    labels: list[int] = []
    hand = get_settings().weights.normalised()

    def collect(evaluation: Evaluation) -> Any:
        def inspect(case: Case, found: Any) -> None:
            right = evaluation.right[case.uri]
            for match in found:
                rows.append([match.components[name] for name in COMPONENTS])
                labels.append(int(match.record_id == right))

        return inspect

    plain = Evaluation(tools, hand, described=False)
    plain.rank(cases, tools.normaliser, Ranked(), inspect=collect(plain))
    described = Evaluation(tools, hand, described=True)
    for hidden in folds():
        described.rank(
            [c for c in cases if c.uri in hidden],
            tools.normaliser.excluding(hidden),
            Ranked(),
            inspect=collect(described),
        )
    return np.asarray(rows, dtype=np.float64), np.asarray(labels)


def held_back_mrr(
    tools: Toolkit, weights: Mapping[str, float], cases: Sequence[Case]
) -> dict[str, float]:
    return {
        "dev split": round(metrics(dev_split(tools, weights, cases).ranks["engine"])["MRR"], 4),
        "leave-labels-out": round(
            metrics(leave_labels_out(tools, weights, cases).ranks["engine"])["MRR"], 4
        ),
    }


def fit_on_dev_split(args: argparse.Namespace) -> int:
    settings = get_settings()
    path = dev_set(args.data)
    if path is None:
        return 2
    cases = load_cases(path)
    fitting = [c for c in cases if not c.held]
    held = [c for c in cases if c.held]
    if args.limit:
        fitting = random.Random(1).sample(fitting, min(args.limit, len(fitting)))
    tools = build_tools(settings)
    x, y = pairs(tools, fitting)
    print(f"{len(fitting)} fitting titles: {len(y)} pairs, {int(y.sum())} right ones")
    fitted = _fit(x, y)
    current, source = match_weights(settings)
    before = held_back_mrr(tools, current, held)
    after = held_back_mrr(tools, fitted, held)
    print(f"held back ({len(held)} titles) MRR: in use ({source}) {before}; fitted {after}")
    print("fitted weights:", fitted)
    return _ship(
        fitted,
        sum(after.values()) > sum(before.values()),
        args,
        {
            "fitted_on": f"{len(fitting)} development-split titles, both checks, {len(y)} pairs",
            "held_back_mrr": after,
            "replaced_mrr": before,
        },
    )


def outcome_pairs(settings: Any) -> tuple[np.ndarray, np.ndarray]:
    """(components, placed?) of every placement that ended placed or rejected."""
    from talentbridge.evaluation.outcomes import outcome_components  # needs the database

    return outcome_components(settings)


def fit_on_outcomes(args: argparse.Namespace) -> int:
    settings = get_settings()
    x, y = outcome_pairs(settings)
    if len(y) < 50 or y.min() == y.max():
        print(f"{len(y)} ended placements ({int(y.sum())} placed): too few to fit on")
        return 2
    order = np.random.default_rng(0).permutation(len(y))
    cut = int(len(y) * 0.7)
    train, test = order[:cut], order[cut:]
    fitted = _fit(x[train], y[train])
    current, source = match_weights(settings)

    def auc(weights: Mapping[str, float]) -> float:
        scores = x[test] @ np.asarray([weights.get(n, 0.0) for n in COMPONENTS])
        return round(float(roc_auc_score(y[test], scores)), 4)

    before, after = auc(current), auc(fitted)
    print(f"held-out outcomes ({len(test)}): ROC AUC in use ({source}) {before}; fitted {after}")
    return _ship(
        fitted,
        after > before,
        args,
        {
            "fitted_on": f"{len(train)} placement outcomes (placed vs rejected)",
            "held_back_auc": after,
            "replaced_auc": before,
        },
    )


def _ship(
    weights: dict[str, float], better: bool, args: argparse.Namespace, facts: dict[str, Any]
) -> int:
    out = Path(args.out) if args.out else WEIGHTS_FILE
    if not better and not args.force:
        print(f"not written: the fit does not beat the weights in use on held-back data ({out})")
        return 1
    record = {
        "weights": weights,
        "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **facts,
    }
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 0


def main(args: argparse.Namespace) -> int:
    return fit_on_outcomes(args) if args.outcomes else fit_on_dev_split(args)
