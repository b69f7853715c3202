"""`talentbridge demo` on a fresh SQLite file: what a new user would look at, checked."""

from collections import Counter
from dataclasses import asdict
from datetime import date
from itertools import accumulate
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentbridge import migrate, reference
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine
from talentbridge.demo import MARKER, DemoSummary, make_plan, run_demo
from talentbridge.matching.engine import gate_masks
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations import service as organisation_service
from talentbridge.organisations.models import Organisation
from talentbridge.placements.models import Placement, Stage
from talentbridge.reports.service import Filters, progress
from talentbridge.vacancies.models import Vacancy

TODAY = date(2026, 9, 30)
SIZE = {"candidates": 300, "vacancies": 40}
COUNTS = (
    "institutes",
    "employers",
    "candidates",
    "vacancies",
    "open_vacancies",
    "placements",
    "placed",
    "stages",
)


def _fresh(tmp: Path, name: str) -> Settings:
    url = f"sqlite:///{tmp / name}"
    migrate.upgrade(url)
    return Settings(database_url=url)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, tools: Toolkit) -> tuple[Settings, DemoSummary]:
    settings = _fresh(tmp_path_factory.mktemp("demo"), "demo.db")
    return settings, run_demo(settings, seed=2025, today=TODAY, tools=tools, **SIZE)


@pytest.fixture
def session(demo: tuple[Settings, DemoSummary]):
    engine = make_engine(demo[0].database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_summary_counts_what_was_asked_for(demo):
    _, summary = demo
    assert summary.created
    assert summary.candidates == SIZE["candidates"] and summary.vacancies == SIZE["vacancies"]
    assert 15 <= summary.institutes <= 25 and 50 <= summary.employers <= 70
    assert 0 < summary.open_vacancies <= summary.vacancies
    assert summary.placed > 0 and summary.placements > summary.placed
    assert summary.officer_key.startswith("tb_") and summary.vacancy_id is not None


def test_organisations_sit_in_partner_states_and_prefectures(session):
    states = set(
        session.scalars(select(Organisation.state).where(Organisation.kind == "institute"))
    )
    prefectures = set(
        session.scalars(select(Organisation.prefecture).where(Organisation.kind == "employer"))
    )
    assert {state for state, _ in reference.partnerships()} <= states
    assert {prefecture for _, prefecture in reference.partnerships()} <= prefectures
    assert reference.governors_network() <= prefectures
    assert len(states) > 4 and len(prefectures) > 7  # and others beyond the partners
    assert session.scalar(select(func.count()).where(Organisation.name == MARKER)) == 1


def test_every_sector_has_candidates_and_vacancies(session):
    for model in (Candidate, Vacancy):
        sectors = dict(
            session.execute(select(model.sector, func.count()).group_by(model.sector)).all()
        )
        assert set(sectors) == set(reference.SECTORS), model


def test_records_are_believable(session):
    candidates = session.scalars(select(Candidate)).all()
    ages = [(TODAY - c.date_of_birth).days / 365.25 for c in candidates]
    assert min(ages) >= 19 and max(ages) < 41
    assert all(3 <= len(c.skills) <= 8 and c.occupation_uri for c in candidates)
    consent = sum(c.consent_to_share for c in candidates) / len(candidates)
    assert 0.88 <= consent <= 0.99
    levels = {
        level: sum(c.japanese_level == level for c in candidates)
        for level in ("N5", "N4", "N3", "N2")
    }
    assert levels["N4"] + levels["N5"] > levels["N3"] > levels["N2"]
    vacancies = session.scalars(select(Vacancy)).all()
    assert all(
        1 <= v.openings <= 8 and 180_000 <= (v.monthly_wage_jpy or 0) <= 300_000 for v in vacancies
    )
    assert all(v.occupation_uri and v.description for v in vacancies)
    assert all(v.start_date and v.start_date > TODAY for v in vacancies if v.status == "open")


def test_history_spans_at_least_a_year_and_the_goal_report_shows_it(session, demo):
    months = {p.created_at.strftime("%Y-%m") for p in session.scalars(select(Placement))}
    assert len(months) >= 12
    report = progress(
        session=session, settings=demo[0], organisation=None, filters=Filters(), today=TODAY
    )
    assert report.placed > 0
    # Each month's count is the placements placed in it since the goal's start, counted
    # here from the rows; the cumulative line adds them up, month after month.
    first = date.fromisoformat(f"{report.by_month[0].month}-01")
    since = max(first, demo[0].goal_start)
    placed_on = session.scalars(select(Placement.placed_on).where(Placement.status == Stage.placed))
    expected = Counter(d.strftime("%Y-%m") for d in placed_on if since <= d <= report.as_of)
    assert {m.month: m.placed for m in report.by_month if m.placed} == dict(expected)
    assert len(expected) >= 6  # placements spread over the history, not all in one month
    assert [m.month for m in report.by_month] == _months_between(first, report.as_of)
    cumulative = [m.cumulative for m in report.by_month]
    assert cumulative == list(accumulate(m.placed for m in report.by_month))
    assert cumulative[-1] == report.placed == sum(expected.values())


def _months_between(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def test_pipeline_rules_hold(session):
    placed_twice = session.execute(
        select(Placement.candidate_id)
        .where(Placement.status == Stage.placed)
        .group_by(Placement.candidate_id)
        .having(func.count() > 1)
    ).all()
    assert placed_twice == []
    placed = dict(
        session.execute(
            select(Placement.vacancy_id, func.count())
            .where(Placement.status == Stage.placed)
            .group_by(Placement.vacancy_id)
        ).all()
    )
    for vacancy in session.scalars(select(Vacancy)):
        assert vacancy.placed_count == placed.get(vacancy.id, 0) <= vacancy.openings


def test_every_shortlist_passed_the_matching_gates(session):
    """Same sector, and every SSW gate the engine applies (bar 'still open' and 'not placed')."""
    rows = session.execute(
        select(Placement, Candidate, Vacancy)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .join(Vacancy, Vacancy.id == Placement.vacancy_id)
    ).all()
    assert rows
    for placement, candidate, vacancy in rows:
        assert placement.sector == candidate.sector == vacancy.sector
        c = {
            k: np.asarray(v)
            for k, v in candidate_features(candidate, occ=-1, placed=False).items()
            if not isinstance(v, tuple | frozenset)
        }
        v = {
            k: np.asarray(x)
            for k, x in vacancy_features(vacancy, occ=-1).items()
            if not isinstance(x, tuple)
        }
        v["open"] = np.asarray(True)
        failed = [g for g, ok in gate_masks(c, v, TODAY).items() if not bool(ok)]
        assert failed == [], (placement.id, failed)


def test_running_again_changes_nothing_but_the_keys(demo, tools, session):
    settings, first = demo
    again = run_demo(settings, seed=2025, today=TODAY, tools=tools, **SIZE)
    assert not again.created
    assert {k: asdict(again)[k] for k in COUNTS} == {k: asdict(first)[k] for k in COUNTS}
    assert again.officer_key != first.officer_key
    assert organisation_service.by_key(session=session, key=first.officer_key) is None
    officer = organisation_service.by_key(session=session, key=again.officer_key)
    assert officer is not None and officer.name == MARKER
    employer = organisation_service.by_key(session=session, key=again.employer_key)
    assert employer is not None and employer.name == again.employer_name


def test_the_printout_tells_a_new_user_where_to_go(demo, tools, capsys):
    summary = run_demo(demo[0], seed=2025, today=TODAY, tools=tools, **SIZE)
    out = capsys.readouterr().out
    for text in (
        summary.officer_key,
        summary.institute_key,
        summary.employer_key,
        "http://127.0.0.1:8000/dashboard",
        "http://127.0.0.1:8000/docs",
        f"/api/v1/vacancies/{summary.vacancy_id}/matches",
        "Start the server with `talentbridge serve --port 8000`",
    ):
        assert text in out


def test_the_printout_from_scripts_run_names_its_port_and_no_server_to_start(demo, tools, capsys):
    run_demo(
        demo[0],
        seed=2025,
        today=TODAY,
        tools=tools,
        base_url="http://127.0.0.1:8123",
        serving=True,
        **SIZE,
    )
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/dashboard" in out and "http://127.0.0.1:8123/docs" in out
    assert ":8000" not in out
    assert "Start the server" not in out and "The server is starting now" in out


def test_the_plan_is_repeatable_and_the_seed_matters():
    first, again = (make_plan(2025, 120, 16, TODAY) for _ in range(2))
    names = [s.record.full_name for s in first.seekers]
    assert names == [s.record.full_name for s in again.seekers]
    assert [(p.seeker, p.job, [s.to for s in p.steps]) for p in first.pipelines] == [
        (p.seeker, p.job, [s.to for s in p.steps]) for p in again.pipelines
    ]
    other = make_plan(7, 120, 16, TODAY)
    assert names != [s.record.full_name for s in other.seekers]


def test_another_seed_in_another_database_gives_other_names(demo, tools, tmp_path, session):
    settings = _fresh(tmp_path, "other.db")
    run_demo(settings, seed=7, today=TODAY, tools=tools, candidates=60, vacancies=10)
    engine = make_engine(settings.database_url)
    with Session(engine) as other:
        theirs = set(other.scalars(select(Candidate.full_name)))
        their_orgs = set(other.scalars(select(Organisation.name)))
    engine.dispose()
    ours = set(session.scalars(select(Candidate.full_name)))
    assert theirs - ours  # some names only the other seed produced
    assert their_orgs - set(session.scalars(select(Organisation.name)))
