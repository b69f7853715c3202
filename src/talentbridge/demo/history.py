"""The demo's history: which candidates each vacancy may shortlist (the matching engine's own
gates), the pipelines that follow over the months, and which vacancies end up closed."""

import heapq
import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np

from talentbridge import reference
from talentbridge.demo.draw import add_months, partners
from talentbridge.demo.spec import Job, Pipeline, Seeker, Step
from talentbridge.demo.vocabulary import vocabulary
from talentbridge.matching.engine import gate_masks
from talentbridge.matching.features import CANDIDATE_COLUMNS, candidate_features, vacancy_features
from talentbridge.placements.models import Stage
from talentbridge.vacancies.models import Vacancy


def attach_eligibility(seekers: Sequence[Seeker], jobs: Sequence[Job]) -> None:
    """For each job, the seekers passing every SSW gate for its intake (sector included)."""
    features = [candidate_features(s.record, occ=-1, placed=False) for s in seekers]
    for sector in reference.SECTORS:
        rows = [i for i, s in enumerate(seekers) if s.record.sector == sector]
        if not rows:
            continue
        c: dict[str, np.ndarray] = {
            name: np.asarray([features[i][name] for i in rows], dtype=dtype)
            for name, dtype in CANDIDATE_COLUMNS.items()
        }
        for job in jobs:
            if job.record.sector != sector:
                continue
            as_planned = SimpleNamespace(
                **{**_vacancy_fields(job.record), "start_date": job.intake}
            )
            v = {
                name: np.asarray(value)
                for name, value in vacancy_features(as_planned, occ=-1).items()
                if not isinstance(value, tuple)
            }
            masks = gate_masks(c, v, job.intake)
            passing = np.logical_and.reduce(
                [np.broadcast_to(m, (len(rows),)) for m in masks.values()]
            )
            job.eligible = [rows[i] for i in np.flatnonzero(passing)]


def _vacancy_fields(v: Vacancy) -> dict[str, Any]:
    names = (
        "sector",
        "start_date",
        "min_japanese_level",
        "requires_skill_test",
        "status",
        "placed_count",
        "openings",
        "prefecture",
        "isco_group",
        "min_experience_years",
        "required_skills",
    )
    return {name: getattr(v, name, None) for name in names} | {"placed_count": 0, "status": "open"}


# --- the pipeline simulation ----------------------------------------------------------------
def simulate(
    rng: random.Random, seekers: list[Seeker], jobs: list[Job], horizon: datetime
) -> list[Pipeline]:
    """Shortlists arrive per vacancy over time; each follows a sampled path up to the horizon.

    Arrivals are handled in time order so a person is in one pipeline at a time, and a path
    only reaches an offer while the vacancy has an uncommitted opening.
    """
    arrivals = [(job.posted + timedelta(days=rng.uniform(2, 10)), j) for j, job in enumerate(jobs)]
    heapq.heapify(arrivals)
    pipelines = []
    while arrivals:
        moment, j = heapq.heappop(arrivals)
        job = jobs[j]
        if moment >= horizon or job.committed >= job.record.openings:
            continue
        chosen = _choose(rng, seekers, job, moment)
        if chosen is not None:
            pipelines.append(_walk(rng, seekers, jobs, chosen, j, moment, horizon))
        gap = timedelta(days=rng.expovariate(1 / job.interval_days) + 1)
        heapq.heappush(arrivals, (moment + gap, j))
    return pipelines


def _choose(rng: random.Random, seekers: list[Seeker], job: Job, moment: datetime) -> int | None:
    free = [
        i
        for i in job.eligible
        if not seekers[i].placed
        and i not in job.tried
        and seekers[i].registered <= moment
        and seekers[i].free_from <= moment
    ]
    if not free:
        return None
    sample = rng.sample(free, min(len(free), 25))
    return max(sample, key=lambda i: _fit(seekers[i], job) + rng.random() * 2)


def _fit(seeker: Seeker, job: Job) -> float:
    """A rough employer's eye: same occupation, same ISCO group, wanted place, partnership."""
    prefecture = job.record.prefecture
    score = 3.0 if seeker.occupation.uri == job.occupation.uri else 0.0
    score += 1.5 if seeker.occupation.isco_group == job.occupation.isco_group else 0.0
    score += 1.0 if prefecture in (seeker.record.preferred_prefectures or []) else 0.0
    if prefecture in partners(seeker.record.state):
        score += 1.0
    return score


def _walk(
    rng: random.Random,
    seekers: list[Seeker],
    jobs: list[Job],
    s: int,
    j: int,
    start: datetime,
    horizon: datetime,
) -> Pipeline:
    """Sample one candidate's path through one vacancy and book its consequences."""
    seeker, job = seekers[s], jobs[j]
    job.tried.add(s)
    steps = _path(rng, start, full=job.committed >= job.record.openings)
    steps = [step for step in steps if step.at < horizon]
    last = steps[-1].to if steps else Stage.shortlisted
    if last in (Stage.offered, Stage.visa_processing, Stage.placed):
        job.committed += 1
    if last == Stage.placed:
        seeker.placed = True
    if last in (Stage.rejected, Stage.withdrawn) and rng.random() < 0.8:
        seeker.free_from = steps[-1].at + timedelta(days=rng.randint(10, 60))
    else:
        seeker.free_from = datetime.max.replace(tzinfo=UTC)  # placed, in progress, or gone
    return Pipeline(seeker=s, job=j, shortlisted=start, steps=steps)


def _path(rng: random.Random, start: datetime, *, full: bool) -> list[Step]:
    """shortlisted → interviewing → offered → visa_processing → placed, or out on the way."""
    words = vocabulary()
    steps: list[Step] = []
    at = start
    plan = (
        (Stage.interviewing, (4, 21), 0.14, 0.08),
        (Stage.offered, (7, 28), 0.30, 0.07),
        (Stage.visa_processing, (5, 20), 0.0, 0.07),
        (Stage.placed, (45, 100), 0.05, 0.0),
    )
    current = Stage.shortlisted
    for to, (low, high), reject, withdraw in plan:
        at = at + timedelta(days=rng.uniform(low, high))
        roll = rng.random()
        if to == Stage.offered and full and roll >= reject + withdraw:
            steps.append(Step(Stage.rejected, at, reason=words.full))
            return steps
        if roll < reject:
            steps.append(Step(Stage.rejected, at, reason=rng.choice(words.rejections[current])))
            return steps
        if roll < reject + withdraw:
            steps.append(
                Step(Stage.withdrawn, at, by_institute=True, reason=rng.choice(words.withdrawals))
            )
            return steps
        steps.append(Step(to, at))
        current = to
    return steps


def closures(
    rng: random.Random, jobs: list[Job], pipelines: list[Pipeline], today: date
) -> list[int]:
    """Vacancies to close: the filled ones, and some stale ones with nobody in progress."""
    placed = Counter(p.job for p in pipelines if p.steps and p.steps[-1].to == Stage.placed)
    busy = {
        p.job
        for p in pipelines
        if not p.steps or p.steps[-1].to not in (Stage.placed, Stage.rejected, Stage.withdrawn)
    }
    close = []
    for j, job in enumerate(jobs):
        filled = placed[j] >= job.record.openings
        stale = job.posted.date() < today - timedelta(days=200) and j not in busy
        if filled or (stale and rng.random() < 0.15):
            close.append(j)
    return close


def set_start_dates(rng: random.Random, jobs: list[Job], closed: set[int], today: date) -> None:
    """Open vacancies take their next intake in the coming months; closed ones keep theirs."""
    for j, job in enumerate(jobs):
        if j not in closed and job.intake <= today + timedelta(days=14):
            job.record.start_date = add_months(today, rng.randint(1, 5))
