"""`talentbridge eval`: ranking quality on the development set, beside two baselines.

Vacancies are the development set's real titles whose labelled ESCO occupation is in the
four sectors; candidates are one per ESCO occupation of those sectors (job title from an
alternative label, skills from essential skills). The right candidate is the labelled
occupation's. Each vacancy carries its occupation's sector (as an employer posting it
would) and all three methods rank only that sector's candidates, so the comparison is
of ranking alone. Reports MRR (over the top 100), Recall@10 and nDCG@10.
"""

import argparse
import csv
import random
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from talentbridge import reference
from talentbridge.config import get_settings
from talentbridge.matching.engine import MatchingEngine
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.text import candidate_text, vacancy_text
from talentbridge.matching.toolkit import build_tools

DEPTH = 100
DEFAULT_DATA = Path("../shared/data/jobbert/jobbert_titles_dev.csv")


def synthetic_candidates(seed: int = 7) -> list[SimpleNamespace]:
    """One eligible candidate per sector occupation, titled by one of its alternative labels."""
    rng = random.Random(seed)
    out = []
    for occupation in reference.esco_occupations():
        title = rng.choice(occupation.alt_labels) if occupation.alt_labels else occupation.label
        skills = list(occupation.essential_skills[:8])
        out.append(
            SimpleNamespace(
                uri=occupation.uri,
                job_title=title,
                sector=occupation.sector,
                skills=skills,
                summary=None,
                date_of_birth=date(1995, 1, 1),
                japanese_level="N4",
                jft_basic_passed=False,
                skill_test_passed=True,
                care_language_test_passed=True,
                consent_to_share=True,
                available_from=None,
                state="Kerala",
                preferred_prefectures=[],
                experience_years=2.0,
                occupation_uri=None,
                isco_group=None,
            )
        )
    return out


def load_titles(path: Path, limit: int | None) -> list[tuple[str, str]]:
    """(title, uri of the labelled occupation) for titles labelled with a sector occupation."""
    by_label = {o.label: o.uri for o in reference.esco_occupations()}
    with path.open(encoding="utf-8") as handle:
        rows = [
            (r["text"].strip(), by_label[r["label"]])
            for r in csv.DictReader(handle)
            if r["label"] in by_label and r["text"].strip()
        ]
    return random.Random(0).sample(rows, limit) if limit and limit < len(rows) else rows


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """MRR, Recall@10 and nDCG@10 from the 1-based rank of the right answer (None: not found)."""
    found = [r for r in ranks if r is not None]
    n = len(ranks)
    return {
        "MRR": sum(1 / r for r in found) / n,
        "Recall@10": sum(1 for r in found if r <= 10) / n,
        "nDCG@10": sum(1 / np.log2(r + 1) for r in found if r <= 10) / n,
    }


def _rank_of(order: np.ndarray, right: int) -> int | None:
    hits = np.flatnonzero(order[:DEPTH] == right)
    return int(hits[0]) + 1 if len(hits) else None


def evaluate(
    titles: list[tuple[str, str]], tools: Any, weights: dict[str, float]
) -> dict[str, dict[str, float]]:
    embedder, normaliser = tools.embedder, tools.normaliser
    people = synthetic_candidates()
    uris = [p.uri for p in people]
    index_of = {uri: i for i, uri in enumerate(uris)}
    for person, match in zip(
        people, normaliser.normalise([p.job_title for p in people]), strict=True
    ):
        person.occupation_uri = match.uri if match else None
        person.isco_group = match.isco_group if match else None
    texts = [candidate_text(p) for p in people]
    vectors = embedder.encode(texts, progress=True)

    engine = MatchingEngine(weights, vectors.shape[1])
    for i, (person, vector) in enumerate(zip(people, vectors, strict=True)):
        occ = normaliser.index_of(person.occupation_uri)
        engine.candidates.upsert(i, vector, candidate_features(person, occ=occ, placed=False))

    sector_of = {o.uri: o.sector for o in reference.esco_occupations()}
    jobs = [
        SimpleNamespace(
            title=t,
            sector=sector_of[uri],
            required_skills=[],
            description=None,
            start_date=None,
            min_japanese_level="N4",
            requires_skill_test=True,
            status="open",
            placed_count=0,
            openings=1,
            prefecture="Tokyo",
            min_experience_years=0,
            isco_group=None,
            occupation_uri=None,
        )
        for t, uri in titles
    ]
    for job, match in zip(jobs, normaliser.normalise([j.title for j in jobs]), strict=True):
        job.occupation_uri = match.uri if match else None
        job.isco_group = match.isco_group if match else None
    job_vectors = embedder.encode([vacancy_text(j) for j in jobs], progress=True)
    tfidf = TfidfVectorizer(sublinear_tf=True).fit(texts)
    candidate_tfidf = tfidf.transform(texts)
    job_tfidf = tfidf.transform([vacancy_text(j) for j in jobs])

    sectors = np.asarray([p.sector for p in people])
    ranks: dict[str, list[int | None]] = {"engine": [], "embedding cosine": [], "TF-IDF": []}
    started = time.perf_counter()
    for q, ((_, uri), job) in enumerate(zip(titles, jobs, strict=True)):
        right = index_of[uri]
        features = vacancy_features(job, occ=normaliser.index_of(job.occupation_uri))
        features["occ_scores"] = normaliser.occupation_scores(job.title, job_vectors[q])
        results = engine.rank_candidates(
            features, job_vectors[q], limit=DEPTH, explain=False, today=date(2026, 1, 1)
        )
        order = np.asarray([r.record_id for r in results])
        ranks["engine"].append(_rank_of(order, right))
        other_sector = sectors != job.sector
        cosine = np.where(other_sector, -np.inf, vectors @ job_vectors[q])
        ranks["embedding cosine"].append(_rank_of(np.argsort(-cosine), right))
        lexical = (candidate_tfidf @ job_tfidf[q].T).toarray().ravel()
        ranks["TF-IDF"].append(
            _rank_of(np.argsort(-np.where(other_sector, -np.inf, lexical)), right)
        )
    print(f"ranked {len(titles)} vacancies in {time.perf_counter() - started:.1f} s")
    return {name: metrics(values) for name, values in ranks.items()}


def main(args: argparse.Namespace) -> int:
    settings = get_settings()
    path = Path(args.data) if args.data else DEFAULT_DATA
    if not path.exists():
        print(f"development set not found at {path}: pass --data PATH")
        return 2
    titles = load_titles(path, args.limit)
    tools = build_tools(settings)
    results = evaluate(titles, tools, settings.weights.normalised())
    print(
        f"\n{len(titles)} vacancy titles, {len(reference.esco_occupations())} candidates "
        f"(one per sector occupation), model {settings.embedding_model}\n"
    )
    print("| method | MRR | Recall@10 | nDCG@10 |")
    print("|---|---|---|---|")
    for name, values in results.items():
        print(
            f"| {name} | {values['MRR']:.3f} | {values['Recall@10']:.3f} | "
            f"{values['nDCG@10']:.3f} |"
        )
    ratio = results["engine"]["MRR"] / max(results["embedding cosine"]["MRR"], 1e-9)
    print(f"\nengine MRR / embedding cosine MRR = {ratio:.2f} (goal: at least 1.5)")
    return 0
