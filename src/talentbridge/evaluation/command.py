"""`talentbridge eval`: the dev split, the leave-labels-out check, the unlisted
occupations and another taxonomy's candidates (`run.CHECKS`), per sector, with 95 %
bootstrap intervals, on the held-back titles (those the weights were never fitted on)."""

import argparse
import time
from collections.abc import Mapping

import numpy as np

from talentbridge.config import get_settings
from talentbridge.evaluation.cases import dev_set, load_cases
from talentbridge.evaluation.japanese import TOP, japanese_titles, twins
from talentbridge.evaluation.run import CHECKS, METHODS, Ranked, bootstrap
from talentbridge.matching.toolkit import Toolkit, build_tools
from talentbridge.matching.weights import match_weights


def table(title: str, ranked: Ranked) -> list[str]:
    """One markdown table: every sector and all of them, each method's metrics with intervals."""
    lines = [
        f"\n{title}\n",
        "| sector | n | method | MRR | Recall@10 | nDCG@10 |",
        "|---|---|---|---|---|---|",
    ]
    sectors = sorted({c.sector for c in ranked.cases})
    for sector in [*sectors, "all"]:
        keep = [sector in ("all", c.sector) for c in ranked.cases]
        for method in METHODS:
            ranks = [r for r, k in zip(ranked.ranks[method], keep, strict=True) if k]
            cells = [f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in bootstrap(ranks).values()]
            lines.append(f"| {sector} | {len(ranks)} | {method} | " + " | ".join(cells) + " |")
    engine = bootstrap(ranked.ranks["engine"])["MRR"][0]
    cosine = bootstrap(ranked.ranks["embedding cosine"])["MRR"][0]
    lines.append(f"\nengine MRR / embedding cosine MRR = {engine / max(cosine, 1e-9):.2f}")
    return lines


def _japanese(tools: Toolkit, weights: Mapping[str, float]) -> list[str]:
    """The Japanese titles' table and the twin check (`evaluation.japanese`)."""
    started = time.perf_counter()
    ranked = japanese_titles(tools, weights)
    took = time.perf_counter() - started
    lines = table(f"Japanese titles ({len(ranked.cases)} vacancies, {took:.0f} s)", ranked)
    pairs = twins(tools, weights)
    lines.append(
        f"\ntwins: {pairs['pairs']} Japanese vacancies and their English twins share "
        f"{pairs['overlap']:.2f} of their top {TOP} on average (goal >= 3); "
        f"{pairs['named']} of {pairs['pairs']} Japanese titles got an occupation (goal >= 10)"
    )
    return lines


def main(args: argparse.Namespace) -> int:
    settings = get_settings()
    path = dev_set(args.data)
    if path is None:
        return 2
    cases = [c for c in load_cases(path, args.limit) if args.all or c.held]
    tools = build_tools(settings)
    weights, source = match_weights(settings)
    known = len(tools.normaliser.known_titles)
    print(
        f"{len(cases)} titles ({'all' if args.all else 'held back'}); weights: {source}; "
        f"known titles: {known}"
    )
    lines = []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        ranked = check(tools, weights, cases)
        took = time.perf_counter() - started
        if not ranked.cases:
            lines.append(f"\n{name}: nothing to measure (its data is missing)")
            continue
        lines += table(f"{name} ({len(ranked.cases)} vacancies, {took:.0f} s)", ranked)
    lines += _japanese(tools, weights)
    print("\n".join(lines))
    print(f"\nmodel {tools.embedder.model_name}; goal: leave-labels-out engine >= 1.3x cosine")
    np.set_printoptions()
    return 0
