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
from talentbridge.demo.draw import add_months
from talentbridge.demo.history import attach_eligibility, closures, set_start_dates, simulate
from talentbridge.demo.spec import Plan

HISTORY_MONTHS = 18


def make_plan(seed: int, candidates: int, vacancies: int, today: date) -> Plan:
    """Every organisation, person, vacancy and pipeline step, from the seed alone."""
    rng = random.Random(seed)
    start = datetime.combine(add_months(today, -HISTORY_MONTHS), clock(), tzinfo=UTC)
    horizon = datetime.combine(today, clock(), tzinfo=UTC)
    occupations = sector_occupations()
    institutes = plan_institutes(rng)
    employers = plan_employers(rng)
    seekers = plan_seekers(
        rng, candidates, institutes, occupations, start - timedelta(days=60), today
    )
    jobs = plan_jobs(rng, vacancies, employers, occupations, start, today)
    attach_eligibility(seekers, jobs)
    pipelines = simulate(rng, seekers, jobs, horizon)
    to_close = closures(rng, jobs, pipelines, today)
    set_start_dates(rng, jobs, set(to_close), today)
    return Plan(institutes, employers, seekers, jobs, pipelines, to_close)
