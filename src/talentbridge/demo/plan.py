"""The whole demo programme as a plan: what to create, from the seed alone (no database)."""

import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from talentbridge.demo.cast import (
    plan_employers,
    plan_institutes,
    plan_jobs,
    plan_seekers,
    sector_occupations,
)
from talentbridge.demo.draw import add_months, growing_moments
from talentbridge.demo.history import attach_eligibility, closures, set_start_dates, simulate
from talentbridge.demo.spec import Plan

HISTORY_MONTHS = 18
GROWTH = 1.6  # exponential growth of registrations over the history window (about 5x)
VACANCY_GROWTH = 2.2  # vacancies grow faster: most of today's listings are recent


def make_plan(seed: int, candidates: int, vacancies: int, today: date) -> Plan:
    """Every organisation, person, vacancy and pipeline step, from the seed alone."""
    rng = random.Random(seed)
    start = datetime.combine(add_months(today, -HISTORY_MONTHS), clock(), tzinfo=UTC)
    horizon = datetime.combine(today, clock(), tzinfo=UTC)
    occupations = sector_occupations()
    institutes = plan_institutes(rng)
    employers = plan_employers(rng)
    # Registrations begin two months before the history and stop three days before today;
    # postings begin ten days into it and stop five days before today.
    registered = growing_moments(
        rng, candidates, start - timedelta(days=60), horizon - timedelta(days=3), GROWTH
    )
    seekers = plan_seekers(rng, registered, institutes, occupations, today)
    posted = growing_moments(
        rng, vacancies, start + timedelta(days=10), horizon - timedelta(days=5), VACANCY_GROWTH
    )
    jobs = plan_jobs(rng, posted, employers, occupations)
    attach_eligibility(seekers, jobs)
    pipelines = simulate(rng, seekers, jobs, horizon)
    to_close = closures(rng, jobs, pipelines, today)
    set_start_dates(rng, jobs, set(to_close), today)
    return Plan(institutes, employers, seekers, jobs, pipelines, to_close)
