"""The employer's flow in a real Chromium over a server that matches (the real model): post
a vacancy in Japanese, see ranked candidates with Japanese reasons, shortlist with the
keyboard alone, move the person to placed with the board's buttons, see the name on the
hires page, sign out; an officer reads the demand and plans pages. axe-core on every page."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn

from talentbridge import migrate
from talentbridge.app import create_app
from talentbridge.config import Settings
from talentbridge.matching.toolkit import Toolkit
from tests.conftest import ADMIN, candidate_body
from tests.web.conftest import LOCAL_HOSTS, TIMEOUT_MS, Live, Member, Tab

NASTY = "<script>alert(1)</script>"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def matching_live(tmp_path_factory: pytest.TempPathFactory, tools: Toolkit) -> Iterator[Live]:
    """A uvicorn server with matching (the session's real model) over a migrated SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('employer') / 'talentbridge.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, admin_token=ADMIN, auth_failure_limit=1000)
    app = create_app(settings, tools=tools)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with httpx.Client(base_url=base, timeout=60) as http:
        yield Live(url=base, http=http)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    app.state.engine.dispose()


@pytest.fixture
def mtab(browser: Any, matching_live: Live) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    foreign: list[str] = []
    console: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.on("dialog", lambda d: console.append(f"dialog: {d.message}"))
    yield Tab(page=page, live=matching_live, foreign=foreign, console=console)
    context.close()


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def test_an_employer_posts_in_japanese_shortlists_and_places(
    mtab: Tab, matching_live: Live
) -> None:
    live, page = matching_live, mtab.page
    institute = live.member("institute")
    made = live.http.post(
        "/api/v1/candidates",
        headers=_bearer(institute),
        json=candidate_body(full_name=NASTY, state="Kerala", preferred_prefectures=["Aichi"]),
    )
    assert made.status_code == 201, made.text
    employer = live.member("employer")
    mtab.sign_in(employer)
    mtab.check_axe()
    page.goto(f"{live.url}/app/vacancies/new?lang=ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    mtab.check_axe()
    page.get_by_label("職種名", exact=True).fill("介護職員（特定技能）")
    page.get_by_label("分野", exact=True).select_option("care")
    page.get_by_label("募集人数", exact=True).fill("2")
    page.get_by_label("仕事の内容", exact=True).fill(
        "特別養護老人ホームでの身体介護、食事・入浴介助。日本語N4以上。"
    )
    page.get_by_label("都道府県", exact=True).fill("Aichi")
    page.get_by_role("button", name="求人を掲載").click()
    page.wait_for_url(re.compile(r"/app/vacancies/\d+"))
    vacancy_url = page.url.split("?")[0]
    assert page.get_by_role("heading", name="介護職員（特定技能）").is_visible()
    mtab.check_axe()

    # The ranked candidate, with reasons in Japanese: words, no raw decimals or codes.
    match = page.locator("li.match").first
    reasons = match.locator("ul.reasons li").all_inner_texts()
    assert reasons and all(JAPANESE.search(r) for r in reasons), reasons
    assert not any(re.search(r"\b0\.\d", r) for r in reasons), reasons
    assert match.get_by_role("heading").inner_text() == "Kerala の候補者"  # not yet named

    # Shortlist with the keyboard alone: Tab to the button, press Enter.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "候補リストに追加":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "候補リストに追加"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=shortlisted"))
    assert page.get_by_text("候補リストに追加しました。").is_visible()
    mtab.check_axe()

    # Through the board, in English, to placed.
    page.goto(f"{vacancy_url}?lang=en")
    for move in ("Interviewing", "Offered", "Visa processing", "Placed"):
        page.get_by_role("button", name=move, exact=True).click()
        page.wait_for_url(re.compile(r"done=moved"))
        mtab.check_axe()
    placed = page.locator("section[aria-labelledby='stage-placed'] li.card")
    assert placed.get_by_role("heading").inner_text() == NASTY  # text, not a script
    page.goto(f"{live.url}/app/placements")
    mtab.check_axe()

    page.goto(f"{live.url}/app/hires")
    assert page.get_by_role("cell", name=NASTY, exact=True).is_visible()
    mtab.check_axe()
    page.goto(f"{live.url}/app/vacancies")
    mtab.check_axe()
    mtab.sign_out()
    assert mtab.foreign == [] and mtab.console == []

    # Another employer: the vacancy does not exist for it.
    mtab.sign_in(live.member("employer"))
    assert page.goto(vacancy_url).status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    mtab.sign_out()
    assert mtab.foreign == [] and mtab.console == [  # only the 404 asked for
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]


def test_an_officer_reads_demand_and_plans(mtab: Tab, matching_live: Live) -> None:
    live, page = matching_live, mtab.page
    mtab.sign_in(live.member("officer"))
    for path in (
        "/app/demand",
        "/app/demand?sector=care&lang=ja",
        "/app/plans?lang=en",
        "/app/overrides",
    ):
        assert page.goto(f"{live.url}{path}").status == 200
        assert page.locator("main#main h1").is_visible()
        mtab.check_axe()
    page.goto(f"{live.url}/app/plans")
    page.get_by_role("button", name="Make a plan").click()
    page.wait_for_url(re.compile(r"/app/plans/\d+"))
    assert page.get_by_role("heading", name=re.compile(r"^Plan \d+$")).is_visible()
    mtab.check_axe()
    assert mtab.console == []
    page.goto(f"{live.url}/app/overrides")
    page.get_by_role("button", name="Record the override").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    mtab.check_axe()
    mtab.sign_out()
    assert mtab.foreign == [] and mtab.console == [  # only the refused form's 422
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
