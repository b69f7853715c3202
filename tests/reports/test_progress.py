"""The progress report against counts computed independently on a small fixed data set."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.organisations.models import Organisation
from talentbridge.placements import service as placements
from talentbridge.reports import service as reports
from talentbridge.vacancies.models import Vacancy

TODAY = date(2026, 11, 28)
FORWARD = ["interviewing", "offered", "visa_processing", "placed"]
# (candidate state, vacancy prefecture, sector, final stage, days before TODAY it was reached)
FIXTURE = [
    ("Uttar Pradesh", "Yamanashi", "care", "placed", 10),
    ("Uttar Pradesh", "Yamanashi", "care", "placed", 40),
    ("Uttar Pradesh", "Tokyo", "care", "placed", 100),
    ("Gujarat", "Shizuoka", "manufacturing", "placed", 20),
    ("Gujarat", "Shizuoka", "manufacturing", "placed", 200),
    ("Tamil Nadu", "Ehime", "agriculture", "placed", 300),
    ("Kerala", "Aichi", "construction", "placed", 89),
    ("Kerala", "Aichi", "construction", "placed", 500),  # before the goal started
    ("Bihar", "Osaka", "construction", "offered", 5),
    ("Bihar", "Osaka", "care", "interviewing", 5),
    ("Gujarat", "Toyama", "manufacturing", "shortlisted", 1),
    ("Andhra Pradesh", "Toyama", "manufacturing", "rejected", 3),
    ("Tamil Nadu", "Ehime", "agriculture", "withdrawn", 7),
]
GOAL = Settings(goal_target=1000, goal_start=date(2025, 8, 29), goal_end=date(2030, 8, 29))


def _at(days: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), datetime.min.time(), tzinfo=UTC)


@pytest.fixture
def data(session):
    """Builds FIXTURE through the real services; returns the organisations."""
    institutes, employers = {}, {}
    for number, (state, prefecture, sector, final, days) in enumerate(FIXTURE):
        institute = institutes.get(state) or Organisation(kind="institute", name=state, state=state)
        employer = employers.get(prefecture) or Organisation(
            kind="employer", name=prefecture, prefecture=prefecture
        )
        institutes[state], employers[prefecture] = institute, employer
        session.add_all([institute, employer])
        session.flush()
        candidate = Candidate(
            institute_id=institute.id,
            external_id=f"F{number}",
            full_name="x",
            date_of_birth=date(1995, 1, 1),
            state=state,
            sector=sector,
            consent_to_share=True,
        )
        vacancy = Vacancy(
            employer_id=employer.id, title="job", sector=sector, prefecture=prefecture, openings=5
        )
        session.add_all([candidate, vacancy])
        session.flush()
        placement = placements.create(
            session=session,
            employer=employer,
            vacancy_id=vacancy.id,
            candidate_id=candidate.id,
            at=_at(days + 30),
        )
        path = (
            FORWARD[: FORWARD.index(final) + 1]
            if final in FORWARD
            else ["interviewing", final]
            if final != "shortlisted"
            else []
        )
        for step, stage in enumerate(path):
            actor = institute if stage == "withdrawn" else employer
            placements.move(
                session=session,
                placement=placement,
                to=stage,
                organisation=actor,
                at=_at(days + len(path) - 1 - step),
            )
    return institutes, employers


def expected(rows, *, start=GOAL.goal_start, end=TODAY):
    counted = [r for r in rows if r[3] == "placed" and start <= TODAY - timedelta(days=r[4]) <= end]
    return counted


def test_every_breakdown_pace_and_projection(session, data):
    report = reports.progress(
        session=session, settings=GOAL, organisation=None, filters=reports.Filters(), today=TODAY
    )
    placed = expected(FIXTURE)
    assert report.placed == len(placed) == 7
    assert report.percent_of_goal == round(100 * 7 / 1000, 2)
    assert {c.key: c.placed for c in report.by_sector} == dict(
        Counter({s: 0 for s in ("care", "construction", "manufacturing", "agriculture")})
        + Counter(r[2] for r in placed)
    ) | {s: n for s, n in Counter(r[2] for r in placed).items()}
    assert {c.key: c.placed for c in report.by_state if c.placed} == Counter(r[0] for r in placed)
    assert {c.key: c.placed for c in report.by_prefecture if c.placed} == Counter(
        r[1] for r in placed
    )
    pipeline = Counter(
        r[0]
        for r in FIXTURE
        if r[3] in ("shortlisted", "interviewing", "offered", "visa_processing")
    )
    assert {c.key: c.in_pipeline for c in report.by_state if c.in_pipeline} == pipeline
    partnership = {(p.state, p.prefecture): p.placed for p in report.by_partnership}
    assert partnership == {
        ("Uttar Pradesh", "Yamanashi"): 2,
        ("Gujarat", "Shizuoka"): 2,
        ("Andhra Pradesh", "Toyama"): 0,
        ("Tamil Nadu", "Ehime"): 1,
    }
    assert {s.stage: s.count for s in report.funnel} == {
        **{
            s: 0
            for s in (
                "shortlisted",
                "interviewing",
                "offered",
                "visa_processing",
                "placed",
                "rejected",
                "withdrawn",
            )
        },
        **Counter(r[3] for r in FIXTURE),
    }
    recent = [r for r in placed if r[4] < 90]
    assert report.pace.actual_per_month == round(len(recent) / (90 / (365.25 / 12)), 2)
    months_left = (GOAL.goal_end - TODAY).days / (365.25 / 12)
    assert report.pace.required_per_month == round((1000 - 7) / months_left, 2)
    per_day = len(recent) / 90
    assert report.pace.projected_completion_date == TODAY + timedelta(
        days=round((1000 - 7) / (per_day * 365.25 / 12) * 365.25 / 12)
    )
    assert report.pace.on_track is False
    months = {m.month: m for m in report.by_month}
    assert report.by_month[0].month == "2025-08" and report.by_month[-1].month == "2026-11"
    assert report.by_month[-1].cumulative == 7
    assert sum(m.placed for m in report.by_month) == 7
    first = TODAY - timedelta(days=10)
    assert months[f"{first:%Y-%m}"].placed >= 1
    assert report.by_month[-1].goal_line == pytest.approx(
        1000 * (date(2026, 11, 30) - GOAL.goal_start).days / (GOAL.goal_end - GOAL.goal_start).days,
        abs=0.1,
    )


def test_filters(session, data):
    def run(**kwargs):
        return reports.progress(
            session=session,
            settings=GOAL,
            organisation=None,
            filters=reports.Filters(**kwargs),
            today=TODAY,
        )

    assert run(sector="care").placed == 3
    assert run(state="Gujarat").placed == 2
    assert run(prefecture="Aichi").placed == 1
    since = TODAY - timedelta(days=50)
    assert run(date_from=since).placed == len(expected(FIXTURE, start=since)) == 3
    until = TODAY - timedelta(days=150)
    assert run(date_to=until).placed == len(expected(FIXTURE, end=until)) == 2


def test_scoped_to_an_institute_or_employer(session, data):
    institutes, employers = data
    mine = reports.progress(
        session=session,
        settings=GOAL,
        organisation=institutes["Gujarat"],
        filters=reports.Filters(),
        today=TODAY,
    )
    assert mine.placed == 2 and {c.key for c in mine.by_state if c.placed} == {"Gujarat"}
    employer = reports.progress(
        session=session,
        settings=GOAL,
        organisation=employers["Aichi"],
        filters=reports.Filters(),
        today=TODAY,
    )
    assert employer.placed == 1


def test_erasure_keeps_the_count(api, session):
    institute, employer = api.org("institute"), api.org("employer")
    officer = api.org("officer")
    candidate = api.candidate(institute)
    vacancy = api.vacancy(employer)
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )
    for stage in FORWARD:
        api.client.patch(
            f"/api/v1/placements/{placement.json()['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
    before = api.client.get("/api/v1/reports/progress", headers=api.auth(officer)).json()
    api.client.delete(f"/api/v1/candidates/{candidate['id']}", headers=api.auth(institute))
    after = api.client.get("/api/v1/reports/progress", headers=api.auth(officer)).json()
    assert before["placed"] == after["placed"] == 1
    assert after["by_state"] == before["by_state"]


def test_csv_and_api_agree(api):
    officer = api.org("officer")
    report = api.client.get("/api/v1/reports/progress?sector=care", headers=api.auth(officer))
    csv = api.client.get("/api/v1/reports/progress.csv?sector=care", headers=api.auth(officer))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "breakdown,key,placed,in_pipeline,cumulative,goal_line"
    assert f"total,placed,{report.json()['placed']},,,50000" in lines
    bad = api.client.get(
        "/api/v1/reports/progress?from=2026-05-01&to=2026-01-01", headers=api.auth(officer)
    )
    assert bad.status_code == 422 and bad.json()["field"] == "from"
    assert (
        api.client.get("/api/v1/reports/progress?state=Narnia", headers=api.auth(officer)).json()[
            "field"
        ]
        == "state"
    )
