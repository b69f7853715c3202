"""The placement's conversation in a real Chromium: the employer opens the placement from the
board, writes with the keyboard, the institute replies from the candidate's page; axe-core on
the page, no foreign request, no script error or CSP refusal."""

import re

from tests.conftest import candidate_body
from tests.web.conftest import Live, Tab

NASTY = "<script>alert(1)</script>"


def test_a_conversation_between_the_employer_and_the_institute(tab: Tab, live: Live) -> None:
    employer = live.member("employer", name="Kenji Sato")
    institute = live.member("institute", name="Priya Rao")
    vacancy = live.http.post(
        "/api/v1/vacancies",
        headers={"Authorization": f"Bearer {employer.api_key}"},
        json={"title": "Care worker", "sector": "care", "prefecture": "Aichi"},
    ).json()
    person = live.http.post(
        "/api/v1/candidates",
        headers={"Authorization": f"Bearer {institute.api_key}"},
        json=candidate_body(full_name="Meera Nair", state="Kerala"),
    ).json()
    placement = live.http.post(
        "/api/v1/placements",
        headers={"Authorization": f"Bearer {employer.api_key}"},
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
    ).json()

    tab.sign_in(employer)
    page = tab.page
    page.goto(f"{live.url}/app/placements")
    page.get_by_role("link", name="Meera Nair").click()
    page.wait_for_url(re.compile(rf"/app/placements/{placement['id']}$"))
    tab.check_axe()
    page.get_by_label("Message").fill(f"Can she start in April? {NASTY}")
    page.get_by_label("Message").press("Tab")
    page.keyboard.press("Enter")  # the focus is on Send
    page.wait_for_url(re.compile(r"done=message_sent"))
    assert page.get_by_text(f"Can she start in April? {NASTY}").is_visible()
    tab.check_axe()
    tab.sign_out()

    tab.sign_in(institute)
    page.goto(f"{live.url}/app/candidates/{person['id']}")
    page.get_by_role("link", name="The conversation with the employer about Care worker").click()
    assert page.get_by_text("Shortlisted by the employer").is_visible()
    assert page.get_by_text("Kenji Sato (employer)").is_visible()
    page.get_by_label("Message").fill("Yes, from 1 April.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"done=message_sent"))
    assert page.get_by_text("Priya Rao (institute)").is_visible()
    tab.check_axe()
    assert tab.foreign == [] and tab.console == []
