"""`talentbridge bench`: top-20 latency with the gates at scale, beside NumPy brute force.

Synthetic candidates (random unit vectors and random but plausible features; the vectors
need not come from the model here), many vacancies; p50 and p95 per query for the engine
with gates, scoring and explanations, and for a plain `M @ q` + argpartition top-20 over
the same matrix. Also the memory held for vectors against their raw size, and embedding
throughput through the Embedder against calling the model directly.
"""

import argparse
import random
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from talentbridge import reference
from talentbridge.config import get_settings
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.engine import MatchingEngine
from talentbridge.matching.features import SECTOR_CODE, adult_cutoff, alternatives
from talentbridge.matching.lexical import record_terms
from talentbridge.matching.scoring import ESSENTIAL
from talentbridge.reference import esco_occupations

DIMENSION = 384
TODAY = date(2026, 11, 1)


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def fill(engine: MatchingEngine, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    vectors = _unit(rng, n)
    occupations = esco_occupations()
    engine.candidates.reserve(n)
    # One title per occupation (its label), row = occupation index, as records point at them.
    for occ, vector in enumerate(_unit(np.random.default_rng(seed + 1), len(occupations))):
        engine.titles.add(occupations[occ].uri, vector)
    for i in range(n):
        occ = r.randrange(len(occupations))
        skills = tuple(occupations[occ].essential_skills[:5])
        engine.candidates.upsert(
            i + 1,
            vectors[i],
            {
                "sector": SECTOR_CODE[occupations[occ].sector],
                "birth": date(r.randint(1980, 2008), r.randint(1, 12), 1).toordinal(),
                "level": r.choice((1, 2, 2, 2, 3, 3, 4)),
                "skill_test": r.random() < 0.8,
                "care_lang": r.random() < 0.7,
                "consent": r.random() < 0.95,
                "available": 0,
                "placed": r.random() < 0.05,
                "state": r.randrange(len(reference.STATES)),
                "prefs": r.getrandbits(47) & r.getrandbits(47),
                "occ": occ,
                "isco": int(occupations[occ].isco_group),
                "experience": r.uniform(0, 10),
                "skills": skills,
                "skill_keys": frozenset(s.casefold() for s in skills),
                "japanese_level": "N4",
                "jft": False,
                "preferred": (),
                "title": occ,
                "terms": record_terms(occupations[occ].label, skills, None),
                **alternatives(()),
            },
        )


def vacancy(r: random.Random) -> dict[str, Any]:
    occupations = esco_occupations()
    occ = r.randrange(len(occupations))
    skills = tuple(occupations[occ].essential_skills[:4])
    start = date(2027, r.randint(1, 12), 1)
    return {
        "sector": SECTOR_CODE[occupations[occ].sector],
        "start": start.toordinal(),
        "cutoff": adult_cutoff(start),
        "min_level": 2,
        "requires_test": True,
        "open": True,
        "prefecture": r.randrange(47),
        "occ": occ,
        "isco": int(occupations[occ].isco_group),
        "min_experience": 1.0,
        "skills": skills,
        "skill_keys": tuple(s.casefold() for s in skills),
        "skill_weights": (ESSENTIAL,) * len(skills),  # the occupation's essential skills
        "title": occ,
        "terms": record_terms(occupations[occ].label, skills, None),
        **alternatives(()),
    }


def _percentiles(fn: Callable[[int], object], queries: int) -> tuple[float, float]:
    times = []
    for q in range(queries):
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def brute_force(matrix: np.ndarray, query: np.ndarray, k: int = 20) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(scores, -k)[-k:]
    return top[np.argsort(-scores[top])]


def embedding_throughput(texts: list[str]) -> tuple[float, float]:
    """Texts per second through the Embedder and through what it wraps called directly (the
    ONNX encoder, or SentenceTransformer.encode for the torch backend)."""
    embedder = Embedder(get_settings().embedding_model, batch_size=64)
    embedder.encode(texts[:64])  # load and warm up
    ours, direct = [], []
    for _ in range(2):  # alternate, so neither side gets all the warm caches
        started = time.perf_counter()
        embedder.encode(texts)
        ours.append(len(texts) / (time.perf_counter() - started))
        started = time.perf_counter()
        if embedder.backend == "torch":
            embedder.model.encode(texts, batch_size=64, normalize_embeddings=True)
        else:
            embedder.encoder.encode(texts)
        direct.append(len(texts) / (time.perf_counter() - started))
    return max(ours), max(direct)


def main(args: argparse.Namespace) -> int:
    n, queries = args.candidates, args.queries
    engine = MatchingEngine(get_settings().weights.normalised(), DIMENSION)
    started = time.perf_counter()
    fill(engine, n)
    print(f"filled {n} synthetic candidates in {time.perf_counter() - started:.1f} s")
    r = random.Random(99)
    jobs = [vacancy(r) for _ in range(queries)]
    job_vectors = _unit(np.random.default_rng(99), queries)
    matrix = engine.candidates.live_vectors()
    for q in range(5):  # warm-up
        engine.rank_candidates(jobs[q], job_vectors[q], limit=20, today=TODAY)
        brute_force(matrix, job_vectors[q])
    ours = _percentiles(
        lambda q: engine.rank_candidates(jobs[q], job_vectors[q], limit=20, today=TODAY), queries
    )
    base = _percentiles(lambda q: brute_force(matrix, job_vectors[q]), queries)
    raw = n * DIMENSION * 4
    held = engine.candidates.nbytes()
    print(f"\n{n} candidates, {queries} vacancies, top-20\n")
    print("| method | p50 ms | p95 ms |")
    print("|---|---|---|")
    print(f"| engine (gates + score + reasons) | {ours[0]:.1f} | {ours[1]:.1f} |")
    print(f"| NumPy brute-force cosine top-20 | {base[0]:.1f} | {base[1]:.1f} |")
    print(f"\np95 ratio engine / brute force: {ours[1] / base[1]:.2f} (goal ≤ 2; p95 goal ≤ 50 ms)")
    print(
        f"vector memory: {held / 2**20:.1f} MiB for {raw / 2**20:.1f} MiB raw "
        f"= {held / raw:.2f}x (goal ≤ 1.5x)"
    )
    embed_texts = 256 if args.embed_texts is None else args.embed_texts
    if embed_texts:
        texts = [
            f"{o.label}. {o.sector} sector. Skills: {', '.join(o.essential_skills[:6])}"
            for o in esco_occupations()
        ][:embed_texts]
        ours_tp, direct_tp = embedding_throughput(texts)
        print(
            f"embedding: {ours_tp:.0f} texts/s through Embedder, {direct_tp:.0f} texts/s "
            f"calling the model directly ({100 * (1 - ours_tp / direct_tp):+.1f} % slower; "
            "goal within 15 %)"
        )
    return 0
