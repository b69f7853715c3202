"""The frame in a real Chromium: sign in as each role, axe-core on every page, the keyboard
alone, sign out; no request leaves this machine and no script or CSP error."""

import re

import pytest

from tests.web.conftest import Live, Tab

ROLE_PAGES = {
    "institute": ["/app/candidates", "/app/people", "/app/keys"],
    "employer": ["/app/vacancies", "/app/people", "/app/keys"],
    "officer": ["/app/dashboard", "/app/organisations", "/app/people", "/app/keys"],
}


@pytest.mark.parametrize("kind", sorted(ROLE_PAGES))
def test_each_role_signs_in_and_every_page_passes_axe(tab: Tab, live: Live, kind: str) -> None:
    member = live.member(kind)
    tab.page.goto(f"{live.url}/app/login")
    tab.check_axe()
    tab.sign_in(member)
    for path in ROLE_PAGES[kind]:
        tab.page.goto(f"{live.url}{path}")
        assert tab.page.get_by_role("button", name="Sign out").is_visible()
        tab.check_axe()
    tab.page.goto(f"{live.url}/app/people?lang=ja")
    assert tab.page.locator("html").get_attribute("lang") == "ja"
    tab.check_axe()
    tab.page.goto(f"{live.url}/app/people?lang=en")
    tab.sign_out()
    tab.page.goto(f"{live.url}/app/people")
    assert "/app/login" in tab.page.url  # the session ended
    assert tab.foreign == [] and tab.console == []


def test_error_pages_pass_axe(tab: Tab, live: Live) -> None:
    tab.sign_in(live.member("institute", role="admin"))
    tab.page.goto(f"{live.url}/app/organisations/1")  # an officer's page: not found
    assert tab.page.get_by_role("heading", name="Page not found").is_visible()
    tab.check_axe()
    tab.page.goto(f"{live.url}/app/people")
    tab.page.get_by_role("button", name="Add person").click()
    assert tab.page.get_by_role("heading", name="There is a problem").is_visible()
    tab.check_axe()


def test_sign_in_with_the_keyboard_alone(tab: Tab, live: Live) -> None:
    member = live.member("employer")
    page = tab.page
    page.goto(f"{live.url}/app/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    for _ in range(10):  # past the header's links to the first field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    page.keyboard.type(member.password)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign in"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/app/vacancies$"))


def test_a_wrong_password_is_shown_beside_the_field_and_in_the_summary(
    tab: Tab, live: Live
) -> None:
    member = live.member("institute")
    page = tab.page
    page.goto(f"{live.url}/app/login?lang=ja")
    page.get_by_label("メールアドレス").fill(member.email)
    page.get_by_label("パスワード").fill("not the password")
    page.get_by_role("button", name="サインイン").click()
    summary = page.locator(".error-summary a")
    assert summary.get_attribute("href") == "#email"
    assert (
        page.locator("#email-error")
        .inner_text()
        .endswith("メールアドレスまたはパスワードが正しくありません")
    )
    assert page.locator("#email").get_attribute("aria-describedby") == "email-error"
    tab.check_axe()


def test_a_name_with_markup_is_text_in_the_browser(tab: Tab, live: Live) -> None:
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    member = live.member("officer", name="<script>alert(1)</script>")
    tab.sign_in(member)
    tab.page.goto(f"{live.url}/app/people")
    assert tab.page.get_by_role("cell", name="<script>alert(1)</script>", exact=True).is_visible()
    tab.page.goto(f"{live.url}/app/organisations/{member.organisation_id}")
    assert tab.page.get_by_role("cell", name="<script>alert(1)</script>", exact=True).is_visible()
    assert dialogs == []
