"""`talentbridge bench allocate`: the allocation plan at scale, beside the greedy baseline.

Synthetic candidates and vacancies as in the matching benchmark (random unit vectors,
plausible features), openings spread over the vacancies; the candidate lists (top-k per
vacancy, every gate and component), the plan (SciPy) and greedy on the same lists, for
the whole programme and for narrower scopes (one sector, one state, one prefecture).
"""

import argparse
import os
import random
import resource
import time
from collections.abc import Callable
from datetime import date

import numpy as np
from tqdm import tqdm

from talentbridge.allocations.edges import Edges, TopK
from talentbridge.allocations.solver import assign, greedy
from talentbridge.benchmarks import engine as matching_bench
from talentbridge.config import get_settings
from talentbridge.matching.engine import MatchingEngine
from talentbridge.matching.features import (
    PREFECTURE_CODE,
    SECTOR_CODE,
    STATE_CODE,
    VACANCY_COLUMNS,
)

TODAY = date(2026, 11, 1)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def openings(n: int, total: int, seed: int = 5) -> np.ndarray:
    """n vacancies with 1–12 openings each (most small), summing to exactly `total`."""
    rng = np.random.default_rng(seed)
    weights = rng.geometric(0.3, n).astype(float)
    counts = np.maximum(1, np.floor(weights * total / weights.sum())).astype(np.int64)
    while counts.sum() != total:  # hand out (or take back) the rounding one by one
        step = 1 if counts.sum() < total else -1
        pick = rng.integers(n)
        if counts[pick] + step >= 1:
            counts[pick] += step
    return np.asarray(counts)


def run_scope(
    engine: MatchingEngine,
    capacity: np.ndarray,
    k: int,
    vacancy_rows: np.ndarray,
    allowed: np.ndarray,
    progress: Callable[[int], object] | None = None,
) -> dict[str, float]:
    c, v = engine.candidates, engine.vacancies
    started, cpu = time.perf_counter(), time.process_time()
    edges: Edges = TopK(engine.weights, engine.partners, TODAY, k).edges(
        {name: c.column(name) for name in c.dtypes},
        c.live_vectors(),
        c.objects["skill_keys"],
        {name: v.column(name)[vacancy_rows] for name in VACANCY_COLUMNS},
        v.live_vectors()[vacancy_rows],
        [v.objects["skill_keys"][i] for i in vacancy_rows],
        skill_weights=[v.objects["skill_weights"][i] for i in vacancy_rows],
        allowed=allowed,
        progress=progress,
    )
    listed, listed_cpu = time.perf_counter(), time.process_time()
    cap = capacity[vacancy_rows]
    plan = assign(edges.vacancy, edges.candidate, edges.score, cap)
    solved = time.perf_counter()
    base = greedy(edges.vacancy, edges.candidate, edges.score, cap)
    return {
        "openings": int(cap.sum()),
        "edges": len(edges.vacancy),
        "filled": len(plan),
        "greedy_filled": len(base),
        "score": float(edges.score[plan].sum()),
        "greedy_score": float(edges.score[base].sum()),
        "lists_s": listed - started,
        "lists_cpu_s": listed_cpu - cpu,
        "solve_s": solved - listed,
        "greedy_s": time.perf_counter() - solved,
    }


def main(args: argparse.Namespace) -> int:
    n, m, k = args.candidates, args.plan_vacancies, args.top_k
    engine = MatchingEngine(get_settings().weights.normalised(), matching_bench.DIMENSION)
    started = time.perf_counter()
    matching_bench.fill(engine, n)
    r = random.Random(99)
    vectors = matching_bench._unit(np.random.default_rng(99), m)
    engine.vacancies.reserve(m)
    for i in range(m):
        engine.vacancies.upsert(i + 1, vectors[i], matching_bench.vacancy(r))
    capacity = openings(m, args.openings)
    print(
        f"filled {n} candidates and {m} vacancies ({capacity.sum()} openings) "
        f"in {time.perf_counter() - started:.1f} s; peak memory {_peak_mib():.0f} MiB"
    )
    everyone = np.ones(n, dtype=bool)
    all_rows = np.arange(m)
    vacancy_sector = engine.vacancies.column("sector")
    state, prefecture = "Uttar Pradesh", "Aichi"
    scopes = [("whole programme", all_rows, everyone)]
    scopes += [
        (f"sector={name}", np.flatnonzero(vacancy_sector == code), everyone)
        for name, code in SECTOR_CODE.items()
    ]
    scopes.append(
        (f"state={state}", all_rows, engine.candidates.column("state") == STATE_CODE[state])
    )
    scopes.append(
        (
            f"prefecture={prefecture}",
            np.flatnonzero(engine.vacancies.column("prefecture") == PREFECTURE_CODE[prefecture]),
            everyone,
        )
    )
    before = _peak_mib()
    rows = []
    for name, vacancy_rows, allowed in scopes:
        with tqdm(total=len(vacancy_rows), desc=name, unit="vacancy", leave=False) as bar:
            rows.append((name, run_scope(engine, capacity, k, vacancy_rows, allowed, bar.update)))
    print(f"\n{n} candidates x {m} vacancies, top-{k} edges per vacancy\n")
    print(
        "| scope | openings | edges | plan filled | greedy filled | plan score | "
        "greedy score | lists s (CPU s) | solve s | greedy s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, x in rows:
        print(
            f"| {name} | {x['openings']} | {x['edges']} | {x['filled']} | {x['greedy_filled']} "
            f"| {x['score']:.1f} | {x['greedy_score']:.1f} "
            f"| {x['lists_s']:.1f} ({x['lists_cpu_s']:.1f}) "
            f"| {x['solve_s']:.1f} | {x['greedy_s']:.1f} |"
        )
    whole = rows[0][1]
    total = whole["lists_s"] + whole["solve_s"]
    print(
        f"\nwhole programme: lists + plan {total:.1f} s (goal under 60 s); "
        f"peak memory {max(before, _peak_mib()):.0f} MiB "
        f"({max(before, _peak_mib()) - before:.0f} MiB above the loaded stores)"
    )
    worse = [name for name, x in rows if x["filled"] < x["greedy_filled"]]
    print("plan fills at least as many as greedy on every scope: " + ("no" if worse else "yes"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min) on {os.cpu_count()} cores: {load}")

    return 1 if worse else 0
