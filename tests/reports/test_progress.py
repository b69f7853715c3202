"""The progress report against counts computed independently on a small fixed data set."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from talentbridge import reference
from talentbridge.config import Settings
from talentbridge.reports import service as reports
from talentbridge.stages import ALL as STAGES
from tests.builders import MOVES, build_pipeline

TODAY = date(2026, 11, 28)
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


@pytest.fixture
def data(session):
    return build_pipeline(session, FIXTURE, TODAY)


def expected(rows, *, start=GOAL.goal_start, end=TODAY):
    counted = [r for r in rows if r[3] == "placed" and start <= TODAY - timedelta(days=r[4]) <= end]
    return counted


def test_every_sector_is_listed_those_without_placements_with_zero(session, data):
    since = TODAY - timedelta(days=50)
    report = reports.progress(
        session=session,
        settings=GOAL,
        organisation=None,
        filters=reports.Filters(date_from=since),
        today=TODAY,
    )
    placed = Counter(r[2] for r in expected(FIXTURE, start=since))
    assert placed == {"care": 2, "manufacturing": 1}
    assert len(report.by_sector) == len(reference.SECTORS) == 4
    assert {c.key: c.placed for c in report.by_sector} == {
        "care": 2,
        "construction": 0,
        "manufacturing": 1,
        "agriculture": 0,
    }


def test_every_breakdown_pace_and_projection(session, data):
    report = reports.progress(
        session=session, settings=GOAL, organisation=None, filters=reports.Filters(), today=TODAY
    )
    placed = expected(FIXTURE)
    assert report.placed == len(placed) == 7
    assert report.percent_of_goal == round(100 * 7 / 1000, 2)
    assert {c.key: c.placed for c in report.by_sector} == Counter(r[2] for r in placed)
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
        **{s: 0 for s in STAGES},
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
    for stage in MOVES:
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


def _placed_through_the_api(api, institute, employer, sector: str, final: str) -> None:
    candidate = api.candidate(institute, sector=sector, job_title=f"{sector} worker")
    vacancy = api.vacancy(employer, sector=sector, title=f"{sector} worker")
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )
    assert placement.status_code == 201, placement.text
    for stage in MOVES[: MOVES.index(final) + 1]:
        moved = api.client.patch(
            f"/api/v1/placements/{placement.json()['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200, moved.text


def test_csv_and_api_agree(api):
    officer = api.org("officer")
    institute = api.org("institute", state="Kerala")
    employer = api.org("employer", prefecture="Aichi")
    for sector, final in (("care", "placed"), ("care", "placed"), ("care", "offered")):
        _placed_through_the_api(api, institute, employer, sector, final)
    _placed_through_the_api(api, institute, employer, "manufacturing", "placed")
    report = api.client.get("/api/v1/reports/progress?sector=care", headers=api.auth(officer))
    csv = api.client.get("/api/v1/reports/progress.csv?sector=care", headers=api.auth(officer))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert "breakdown,key,placed,in_pipeline,cumulative,goal_line" in lines
    body = report.json()
    # The figures are real: two placed and one in the pipeline in care, in Kerala and Aichi,
    # and the manufacturing placement filtered out.
    assert body["placed"] >= 2 and f"placed,{body['placed']}" in lines
    assert "goal_target,50000" in lines
    kerala = next(c for c in body["by_state"] if c["key"] == "Kerala")
    aichi = next(c for c in body["by_prefecture"] if c["key"] == "Aichi")
    assert (kerala["placed"], kerala["in_pipeline"]) == (aichi["placed"], aichi["in_pipeline"])
    assert (kerala["placed"], kerala["in_pipeline"]) == (2, 1)
    assert [c["key"] for c in body["by_sector"]] == ["care"]
    for name in ("by_sector", "by_state", "by_prefecture"):
        for count in body[name]:
            row = f"{name[3:]},{count['key']},{count['placed']},{count['in_pipeline']},,"
            assert row in lines, row
    for stage in body["funnel"]:
        assert f"funnel,{stage['stage']},{stage['count']},,," in lines
    bad = api.client.get(
        "/api/v1/reports/progress?from=2026-05-01&to=2026-01-01", headers=api.auth(officer)
    )
    assert bad.status_code == 422 and bad.json()["field"] == "from"
    for name, value in (("from", "9999-12-15"), ("to", "0001-01-01")):
        far = api.client.get(f"/api/v1/reports/progress?{name}={value}", headers=api.auth(officer))
        assert far.status_code == 422 and far.json()["field"] == name, far.text
    assert (
        api.client.get("/api/v1/reports/progress?state=Narnia", headers=api.auth(officer)).json()[
            "field"
        ]
        == "state"
    )


OPEN = ("shortlisted", "interviewing", "offered", "visa_processing")
WINDOWS = [
    {},
    {"date_from": date(2026, 1, 1)},
    {"date_to": date(2026, 3, 31)},
    {"date_from": date(2025, 12, 15), "date_to": date(2026, 2, 10)},
    {"date_from": date(2026, 6, 3), "date_to": date(2026, 6, 20)},
    {"date_from": date(2026, 5, 1), "date_to": date(2026, 5, 31)},
    {"date_from": date(2026, 9, 14)},
    {"date_to": date(2026, 10, 17)},
    {"date_to": date(2025, 8, 1)},
    {"date_from": date(2026, 12, 5)},
]
PLACES = [{}, {"sector": "care"}, {"state": "Kerala"}, {"prefecture": "Ehime", "sector": "care"}]


def test_tallies_agree_with_the_rows_for_any_window(session):
    """Placements scattered over 17 months: windows that start and end inside months, on
    month edges, inside one month, before the goal and after today, with and without place
    filters. The tallied report equals the one counted from rows, and both equal counts
    made here in Python."""
    r = random.Random(11)
    finals = ("placed",) * 6 + (*OPEN, "rejected", "withdrawn")
    rows = [
        (
            r.choice(("Kerala", "Gujarat", "Tamil Nadu")),
            r.choice(("Aichi", "Shizuoka", "Ehime")),
            r.choice(("care", "construction")),
            r.choice(finals),
            r.randrange(0, 520),
        )
        for _ in range(150)
    ]
    build_pipeline(session, rows, TODAY)
    for window in WINDOWS:
        for place in PLACES:
            chosen = reports.Filters(**window, **place)
            tallied, counted = (
                reports.progress(
                    session=session,
                    settings=GOAL,
                    organisation=None,
                    filters=chosen,
                    today=TODAY,
                    from_rows=from_rows,
                )
                for from_rows in (False, True)
            )
            assert tallied == counted, chosen
            since = max(window.get("date_from", GOAL.goal_start), GOAL.goal_start)
            as_of = min(window.get("date_to", TODAY), TODAY)
            mine = [
                row
                for row in rows
                if all(
                    row[i] == place[k]
                    for i, k in enumerate(("state", "prefecture", "sector"))
                    if k in place
                )
            ]

            def day(row):
                return TODAY - timedelta(days=row[4])

            placed = [row for row in mine if row[3] == "placed" and since <= day(row) <= as_of]
            trail = max(since, as_of - timedelta(days=89))
            recent = sum(trail <= day(row) for row in placed)
            assert tallied.placed == len(placed), chosen
            for i, breakdown in enumerate(
                (tallied.by_state, tallied.by_prefecture, tallied.by_sector)
            ):
                assert {c.key: c.placed for c in breakdown if c.placed} == Counter(
                    row[i] for row in placed
                ), chosen
            assert {m.month: m.placed for m in tallied.by_month if m.placed} == Counter(
                f"{day(row):%Y-%m}" for row in placed
            ), chosen
            if not place:  # under a place filter with no target the pace is the programme's
                assert tallied.pace.actual_per_month == round(recent / (90 / (365.25 / 12)), 2), (
                    chosen
                )
            else:
                whole = reports.progress(
                    session=session,
                    settings=GOAL,
                    organisation=None,
                    filters=reports.Filters(**window),
                    today=TODAY,
                )
                assert (tallied.pace, tallied.percent_of_goal) == (
                    whole.pace,
                    whole.percent_of_goal,
                ), chosen
                assert (
                    tallied.goal.placed == whole.placed and tallied.goal.applies_to == "programme"
                )
            assert {c.key: c.in_pipeline for c in tallied.by_state if c.in_pipeline} == Counter(
                row[0] for row in mine if row[3] in OPEN
            )
            assert {s.stage: s.count for s in tallied.funnel if s.count} == Counter(
                row[3] for row in mine
            )
