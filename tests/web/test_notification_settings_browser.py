"""The email settings page in a real Chromium: reached from the notifications page, chosen
with the radio buttons, saved with a flash; axe-core passes in both languages."""

from tests.web.conftest import Live, Tab


def test_a_person_chooses_english_and_a_daily_digest(tab: Tab, live: Live) -> None:
    tab.sign_in(live.member("employer"))
    tab.page.goto(f"{live.url}/app/notifications")
    tab.page.get_by_role("link", name="Email settings").click()
    assert tab.page.get_by_role("heading", name="Email settings").is_visible()
    assert tab.page.get_by_label("日本語").is_checked()  # an employer's default
    tab.check_axe()
    tab.page.get_by_label("English").check()
    tab.page.get_by_label("A daily digest").check()
    tab.page.get_by_role("button", name="Save settings").click()
    assert tab.page.get_by_text("Your email settings have been saved.").is_visible()
    assert tab.page.get_by_label("English").is_checked()
    assert tab.page.get_by_label("A daily digest").is_checked()
    tab.check_axe()
    tab.page.goto(f"{live.url}/app/notifications/settings?lang=ja")
    assert tab.page.get_by_role("heading", name="メールの設定").is_visible()
    tab.check_axe()
    assert tab.foreign == [] and tab.console == []
