"""The officers' review of duplicates in a real Chromium: the live server's background
checker lists a pair of two institutes' records of one man; both pages pass axe-core and
the decision buttons work with the keyboard alone (Tab, Enter)."""

import re
import time

from tests.conftest import candidate_body
from tests.web.conftest import Live, Member, Tab


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _tab_to(tab: Tab, label: str) -> None:
    tab.page.locator("body").focus()
    for _ in range(60):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("document.activeElement.textContent.trim()") == label:
            return
    raise AssertionError(f"no {label!r} button reached with Tab")


def test_an_officer_reviews_a_pair_with_the_keyboard(tab: Tab, live: Live) -> None:
    ids = []
    for name in ("Mohammed Irfan Qureshi", "Md. Irfan Qureshi"):
        body = candidate_body(full_name=name, date_of_birth="1994-08-17")
        made = live.http.post(
            "/api/v1/candidates", json=body, headers=_bearer(live.member("institute"))
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    officer = live.member("officer")
    deadline = time.monotonic() + 60
    while True:  # the server's duplicate checker polls its queue every second
        listed = live.http.get("/api/v1/duplicates?limit=500", headers=_bearer(officer))
        found = [p["id"] for p in listed.json()["items"] if p["candidate_ids"] == ids]
        if found:
            break
        assert time.monotonic() < deadline, "the background check did not list the pair"
        time.sleep(0.5)
    pair_id = found[0]

    tab.sign_in(officer)
    page = tab.page
    page.get_by_role("link", name="Possible duplicates").click()
    page.wait_for_url(re.compile(r"/app/duplicates$"))
    tab.check_axe()
    page.goto(f"{live.url}/app/duplicates/{pair_id}")
    assert page.get_by_role("cell", name="Md. Irfan Qureshi").is_visible()
    tab.check_axe()

    _tab_to(tab, "Same person")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=pair_same_person"))
    assert page.get_by_text("Recorded: the two records are one person.").is_visible()
    tab.check_axe()
    _tab_to(tab, "Reopen")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=pair_reopened"))
    assert page.get_by_text("Not decided yet.").is_visible()
    assert tab.foreign == [] and tab.console == []
