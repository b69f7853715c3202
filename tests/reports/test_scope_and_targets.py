"""Whose figures a report holds, targets that fit the filter, and a CSV that stands alone."""

import csv
import io
from datetime import date

import pytest
from pydantic import ValidationError

from talentbridge.config import Settings
from tests.builders import MOVES
from tests.conftest import ADMIN

TARGETS = {
    "sector_targets": {"care": 40},
    "partnership_targets": {"Uttar Pradesh-Yamanashi": 10},
    "state_targets": {"kerala": 5},
}


@pytest.fixture
def settings(database):
    # inprocess_worker off: the app shares the test's session, no background threads
    return Settings(database_url=database.url, admin_token=ADMIN, inprocess_worker=False, **TARGETS)


def _place(api, institute, employer, sector):
    candidate = api.candidate(institute, sector=sector, care_language_test_passed=True)
    vacancy = api.vacancy(employer, sector=sector)
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    ).json()
    for stage in MOVES:
        moved = api.client.patch(
            f"/api/v1/placements/{placement['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200, moved.text


@pytest.fixture
def programme(api):
    """Two care placements Uttar Pradesh → Yamanashi, one construction Kerala → Yamanashi."""
    lucknow = api.org("institute", state="Uttar Pradesh", name="Lucknow Kaigo Care Institute")
    kochi = api.org("institute", state="Kerala", name="Kochi Building Skills Centre")
    employer = api.org("employer", prefecture="Yamanashi", name="Kofu Care Home")
    builder = api.org("employer", prefecture="Yamanashi", name="Fuji Builders")
    _place(api, lucknow, employer, "care")
    _place(api, lucknow, employer, "care")
    _place(api, kochi, builder, "construction")
    return {"lucknow": lucknow, "employer": employer, "officer": api.org("officer")}


def _report(api, org, **params):
    response = api.client.get("/api/v1/reports/progress", params=params, headers=api.auth(org))
    assert response.status_code == 200, response.text
    return response.json()


NO_FILTERS = {"sector": None, "state": None, "prefecture": None, "from": None, "to": None}


def test_every_report_says_whose_figures_it_holds(api, programme):
    whole = _report(api, programme["officer"])
    assert whole["scope"] == {
        "kind": "programme",
        "organisation": None,
        "filters": NO_FILTERS,
        "description": "Figures for the whole programme.",
    }
    assert whole["placed"] == whole["goal"]["placed"] == 3
    assert whole["goal"]["applies_to"] == "programme" and whole["goal"]["target"] == 50000

    institute = _report(api, programme["lucknow"], **{"from": "2025-09-01"})
    assert institute["scope"] == {
        "kind": "institute",
        "organisation": "Lucknow Kaigo Care Institute",
        "filters": {**NO_FILTERS, "from": "2025-09-01"},
        "description": "Figures for Lucknow Kaigo Care Institute only (the candidates it "
        "submitted), filtered to placed from 2025-09-01.",
    }
    assert institute["placed"] == 2
    assert "contribution" in institute["goal"]["note"]

    employer = _report(api, programme["employer"])
    assert employer["scope"]["kind"] == "employer"
    assert employer["scope"]["organisation"] == "Kofu Care Home"
    assert employer["placed"] == 2


def test_a_filter_with_its_own_target_uses_it(api, programme):
    officer = programme["officer"]
    care = _report(api, officer, sector="care")
    assert care["placed"] == 2
    assert {k: care["goal"][k] for k in ("target", "applies_to", "key", "placed")} == {
        "target": 40,
        "applies_to": "sector",
        "key": "care",
        "placed": 2,
    }
    assert care["percent_of_goal"] == 5.0
    months_left = (date.fromisoformat(care["goal"]["end"]) - date.today()).days / (365.25 / 12)
    assert care["pace"]["required_per_month"] == round(38 / months_left, 2)
    assert [c["key"] for c in care["by_sector"]] == ["care"]  # not every sector at 0

    pair = _report(api, officer, state="uttar pradesh", prefecture="Yamanashi")
    assert (pair["goal"]["applies_to"], pair["goal"]["key"], pair["goal"]["target"]) == (
        "partnership",
        "Uttar Pradesh–Yamanashi",
        10,
    )
    assert pair["percent_of_goal"] == 20.0
    assert [(p["state"], p["prefecture"]) for p in pair["by_partnership"]] == [
        ("Uttar Pradesh", "Yamanashi")
    ]
    kerala = _report(api, officer, state="Kerala")
    assert (kerala["goal"]["applies_to"], kerala["goal"]["target"]) == ("state", 5)
    assert kerala["percent_of_goal"] == 20.0


def test_a_filter_without_a_target_compares_the_whole_programme_and_says_so(api, programme):
    officer = programme["officer"]
    whole = _report(api, officer)
    building = _report(api, officer, sector="construction")
    assert building["placed"] == 1
    assert building["goal"]["applies_to"] == "programme" and building["goal"]["placed"] == 3
    assert building["percent_of_goal"] == whole["percent_of_goal"]
    assert building["pace"] == whole["pace"]
    assert building["goal"]["note"].startswith("No target is set for this filter")


def test_partnership_bars_come_sorted_by_placed(api, programme):
    pairs = _report(api, programme["officer"])["by_partnership"]
    placed = [p["placed"] for p in pairs]
    assert placed == sorted(placed, reverse=True) and placed[0] == 2
    assert (pairs[0]["state"], pairs[0]["prefecture"]) == ("Uttar Pradesh", "Yamanashi")


def test_the_csv_stands_alone(api, programme):
    response = api.client.get(
        "/api/v1/reports/progress.csv",
        params={"sector": "care"},
        headers=api.auth(programme["officer"]),
    )
    assert response.status_code == 200
    report = _report(api, programme["officer"], sector="care")
    as_of = report["as_of"]
    assert f'filename="progress-{as_of}.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    blank = rows.index([])
    summary = dict(rows[1:blank])
    assert rows[0] == ["field", "value"]
    assert summary["as_of"] == as_of and summary["scope"] == "programme"
    assert summary["filter_sector"] == "care" and summary["filter_state"] == "all"
    assert summary["filter_from"] == "2025-08-29" and summary["filter_to"] == as_of
    assert summary["goal_target"] == "40" and summary["goal_applies_to"] == "sector care"
    assert summary["placed"] == "2" and summary["percent_of_goal"] == "5.0"
    pace = report["pace"]
    assert float(summary["required_per_month"]) == pace["required_per_month"]
    assert float(summary["actual_per_month"]) == pace["actual_per_month"]
    assert summary["projected_completion_date"] == (pace["projected_completion_date"] or "none")
    assert summary["on_track"] in ("yes", "no")
    table = rows[blank + 1 :]
    assert table[0] == ["breakdown", "key", "placed", "in_pipeline", "cumulative", "goal_line"]
    assert ["sector", "care", "2", "0", "", ""] in table
    assert {row[0] for row in table[1:]} == {
        "sector",
        "state",
        "prefecture",
        "partnership",
        "month",
        "funnel",
    }


def test_unknown_target_keys_are_refused_at_start():
    for field, value, named in (
        ("sector_targets", {"fishing": 3}, "'fishing' is not a known sector"),
        ("state_targets", {"Narnia": 3}, "'Narnia' is not a known state"),
        ("partnership_targets", {"Kerala-Tokyo": 3}, "not a state–prefecture partnership"),
        ("sector_targets", {"care": 0}, "greater than 0"),
    ):
        with pytest.raises(ValidationError, match=named):
            Settings(**{field: value})
