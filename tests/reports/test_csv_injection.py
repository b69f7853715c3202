"""Text a user typed comes back from every CSV export as text, never as a formula a
spreadsheet would run (OWASP's CSV injection advice): a leading apostrophe."""

import csv
import io

import pytest

from talentbridge.csvsafe import FORMULA_STARTS

PAYLOADS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]


def _cells(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]


def _harmless(cells: list[str]) -> None:
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            float(cell)  # only a number (a negative gap) may start like a formula


def test_a_vacancys_required_skills_are_neutralised_in_demand_csv(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    api.vacancy(employer, required_skills=[*PAYLOADS, "-2+3", "\tfeed patients"])
    api.candidate(institute)
    for reader in (officer, institute, employer):
        cells = _cells(api.client.get("/api/v1/reports/demand.csv", headers=api.auth(reader)))
        _harmless(cells)
        for payload in PAYLOADS:
            assert "'" + payload in cells, (payload, cells)
        assert "'-2+3" in cells


@pytest.mark.parametrize("name", PAYLOADS)
def test_an_organisations_name_is_neutralised_in_progress_csv(api, name):
    for kind in ("institute", "employer"):
        organisation = api.org(kind, name=name)
        response = api.client.get("/api/v1/reports/progress.csv", headers=api.auth(organisation))
        cells = _cells(response)
        _harmless(cells)
        assert "'" + name in cells
        assert name not in cells


def test_neutralising_leaves_other_values_alone():
    from talentbridge.csvsafe import neutralise

    assert [neutralise(v) for v in ("care", "", -3, 2.5, None, "\rx")] == [
        "care",
        "",
        -3,
        2.5,
        None,
        "'\rx",
    ]
