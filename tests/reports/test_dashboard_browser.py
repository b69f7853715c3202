"""The dashboard in a real headless Chromium against a real server: it shows what the API says."""

import math
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.accounts import service as account_service
from talentbridge.accounts.schemas import UserCreate
from talentbridge.app import create_app
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.organisations import service as organisation_service
from talentbridge.organisations.models import Organisation
from talentbridge.organisations.schemas import OrganisationCreate
from talentbridge.placements import service as placement_service
from talentbridge.vacancies.models import Vacancy
from tests.conftest import ADMIN

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 10_000

# (days ago, sector, state, prefecture): placements spread over the last year.
PLACED = [
    (335, "manufacturing", "Gujarat", "Shizuoka"),
    (280, "manufacturing", "Gujarat", "Shizuoka"),
    (250, "care", "Tamil Nadu", "Ehime"),
    (190, "construction", "Uttar Pradesh", "Yamanashi"),
    (160, "care", "Kerala", "Tokyo"),
    (125, "manufacturing", "Andhra Pradesh", "Toyama"),
    (95, "agriculture", "Gujarat", "Hokkaido"),
    (60, "care", "Tamil Nadu", "Ehime"),
    (30, "manufacturing", "Gujarat", "Shizuoka"),
    (10, "care", "Kerala", "Osaka"),
]
# Open candidates across more states and prefectures than the charts' top 15.
OPEN_STATES = [
    "Assam",
    "Bihar",
    "Goa",
    "Haryana",
    "Jharkhand",
    "Karnataka",
    "Maharashtra",
    "Odisha",
    "Punjab",
    "Rajasthan",
    "Sikkim",
    "Telangana",
    "Tripura",
    "Uttarakhand",
    "West Bengal",
    "Delhi",
    "Mizoram",
]
OPEN_PREFECTURES = [
    "Aomori",
    "Iwate",
    "Miyagi",
    "Akita",
    "Fukushima",
    "Ibaraki",
    "Tochigi",
    "Gunma",
    "Saitama",
    "Chiba",
    "Kanagawa",
    "Niigata",
    "Ishikawa",
    "Fukui",
    "Nagano",
    "Gifu",
    "Aichi",
]
OPEN_STAGES = ["shortlisted", "interviewing", "offered", "visa_processing"]
INSTITUTE = "Coimbatore Kaigo Care Training Institute"
OFFICER_EMAIL = "officer@example.org"
INSTITUTE_EMAIL = "institute@example.org"
PASSWORD = "a long enough password"


class _Seeder:
    """Placements built through the pipeline service, each in its own vacancy."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.institute = Organisation(kind="institute", name=INSTITUTE, state="Gujarat")
        self.employer = Organisation(kind="employer", name="Employer", prefecture="Shizuoka")
        session.add_all([self.institute, self.employer])
        session.flush()
        self.serial = 0

    def placement(
        self, *, sector: str, state: str, prefecture: str, stage: str, at: datetime
    ) -> None:
        self.serial += 1
        person = Candidate(
            institute_id=self.institute.id,
            external_id=f"R{self.serial}",
            full_name=f"Person {self.serial}",
            date_of_birth=date(1996, 1, 1),
            state=state,
            sector=sector,
            consent_to_share=True,
            # passes the SSW gates the pipeline re-checks
            japanese_level="N4",
            skill_test_passed=True,
            care_language_test_passed=True,
        )
        job = Vacancy(
            employer_id=self.employer.id,
            title="worker",
            sector=sector,
            prefecture=prefecture,
            openings=1,
        )
        self.session.add_all([person, job])
        self.session.flush()
        placement = placement_service.create(
            session=self.session,
            employer=self.employer,
            vacancy_id=job.id,
            candidate_id=person.id,
            at=at - timedelta(days=40),
        )
        if stage == "withdrawn":
            placement_service.move(
                session=self.session,
                placement=placement,
                to=stage,
                organisation=self.institute,
                at=at,
            )
            return
        if stage == "rejected":
            placement_service.move(
                session=self.session,
                placement=placement,
                to=stage,
                organisation=self.employer,
                at=at,
            )
            return
        forward = ["interviewing", "offered", "visa_processing", "placed"]
        steps = forward[: forward.index(stage) + 1] if stage in forward else []
        for n, step in enumerate(steps):
            placement_service.move(
                session=self.session,
                placement=placement,
                to=step,
                organisation=self.employer,
                at=at - timedelta(days=3 * (len(steps) - 1 - n)),
            )


def _seed(session: Session) -> tuple[str, str]:
    """A small, fixed programme; returns an officer's and the institute's API keys."""
    now = datetime.now(UTC)
    seeder = _Seeder(session)
    for days, sector, state, prefecture in PLACED:
        seeder.placement(
            sector=sector,
            state=state,
            prefecture=prefecture,
            stage="placed",
            at=now - timedelta(days=days),
        )
    for n, (state, prefecture) in enumerate(zip(OPEN_STATES, OPEN_PREFECTURES, strict=True)):
        seeder.placement(
            sector=["care", "construction", "agriculture"][n % 3],
            state=state,
            prefecture=prefecture,
            stage=OPEN_STAGES[n % len(OPEN_STAGES)],
            at=now - timedelta(days=5 + n),
        )
    seeder.placement(
        sector="care",
        state="Kerala",
        prefecture="Tokyo",
        stage="rejected",
        at=now - timedelta(days=20),
    )
    seeder.placement(
        sector="manufacturing",
        state="Gujarat",
        prefecture="Shizuoka",
        stage="withdrawn",
        at=now - timedelta(days=15),
    )
    officer, key = organisation_service.create(
        session=session, organisation_in=OrganisationCreate(kind="officer", name="Officer")
    )
    # The people who sign in to the dashboard (the keys stay for the API calls of the test).
    for organisation, email in ((officer, OFFICER_EMAIL), (seeder.institute, INSTITUTE_EMAIL)):
        account_service.create(
            session=session,
            organisation=organisation,
            user_in=UserCreate(
                email=email, name="Dashboard reader", role="member", password=PASSWORD
            ),
        )
    return key, organisation_service.issue_key(session=session, organisation=seeder.institute)


@dataclass
class Live:
    url: str
    key: str
    institute_key: str

    def report(self, key: str | None = None, **params: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.url}/api/v1/reports/progress",
            params=params,
            headers={"Authorization": f"Bearer {key or self.key}"},
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A uvicorn server on a free local port, in a thread, over a seeded SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'talentbridge.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        key, institute_key = _seed(session)
    engine.dispose()

    app = create_app(Settings(database_url=url, admin_token=ADMIN), load_tools=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield Live(url=f"http://127.0.0.1:{port}", key=key, institute_key=institute_key)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    app.state.engine.dispose()


@dataclass
class Tab:
    page: Any
    foreign: list[str]
    errors: list[str]


@pytest.fixture
def tab(browser: Any, live: Live) -> Iterator[Tab]:
    """A fresh browser context at the laptop size; requests off this machine are refused."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    foreign: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("request", lambda request: _note_foreign(request.url, foreign))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield Tab(page=page, foreign=foreign, errors=errors)
    context.close()
    assert errors == [], f"the page raised: {errors}"


def _note_foreign(url: str, foreign: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
        foreign.append(url)


def _sign_in(page: Any, live: Live, email: str, password: str = PASSWORD) -> None:
    """From the dashboard to /app/login and back, signed in as a person."""
    page.goto(f"{live.url}/dashboard")
    page.locator("#signin").wait_for()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _no_key_in_storage(page: Any) -> None:
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0


def _wait_ready(page: Any) -> None:
    page.locator('#dashboard[data-state="ready"]').wait_for(state="attached")


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


def _people(value: float) -> int:
    """People are shown as whole numbers (rounded half up, as the page's Math.round)."""
    return math.floor(value + 0.5)


def _bars(page: Any, chart: str) -> list[tuple[str, int]]:
    pairs = page.eval_on_selector_all(
        f"#{chart} [data-key]", "bars => bars.map(b => [b.dataset.key, Number(b.dataset.value)])"
    )
    return [(key, value) for key, value in pairs]


def _assert_shows(page: Any, report: dict[str, Any]) -> None:
    """Every figure on the page equals the API's, both as data and as the text a reader sees."""
    pace = report["pace"]
    for element, value, shown in (
        ("placed", report["placed"], report["placed"]),
        ("percent", report["percent_of_goal"], report["percent_of_goal"]),
        ("target", report["goal"]["target"], report["goal"]["target"]),
        ("required-per-month", pace["required_per_month"], _people(pace["required_per_month"])),
        ("actual-per-month", pace["actual_per_month"], _people(pace["actual_per_month"])),
    ):
        figure = page.locator(f"#{element}")
        assert float(figure.get_attribute("data-value")) == value, element
        assert _number(figure.inner_text()) == shown, element
    for big in page.locator(".tile .big:visible:not(#percent)").all_inner_texts():
        assert "." not in big, f"people shown with decimals: {big!r}"
    assert page.get_attribute("#goal-end", "data-value") == report["goal"]["end"]
    projection = page.locator("#projection")
    assert projection.get_attribute("data-value") == (pace["projected_completion_date"] or "")
    if pace["projected_completion_date"] is None:
        assert projection.inner_text() == (
            "Not within a century at this pace"
            if pace["actual_per_month"] > 0
            else "No placements in the last 90 days"
        )
    badge = page.locator("#on-track")
    assert badge.get_attribute("data-value") == str(pace["on_track"]).lower()
    assert badge.inner_text() == ("On track" if pace["on_track"] else "Behind")

    def counts(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
        return [(c["key"], c["placed"]) for c in items]

    assert _bars(page, "chart-sector") == counts(report["by_sector"])
    assert _bars(page, "chart-state") == counts(report["by_state"][:15])
    assert _bars(page, "chart-prefecture") == counts(report["by_prefecture"][:15])
    assert _bars(page, "chart-partnership") == [
        (f"{p['state']}–{p['prefecture']}", p["placed"]) for p in report["by_partnership"]
    ]
    assert _bars(page, "chart-funnel") == [(s["stage"], s["count"]) for s in report["funnel"]]
    points = _bars(page, "chart-cumulative")
    assert points == [(m["month"], m["cumulative"]) for m in report["by_month"]]
    last = page.locator('#chart-cumulative [data-series="cumulative"]').last
    assert float(last.get_attribute("data-goal")) == report["by_month"][-1]["goal_line"]
    assert page.inner_text("#scope-banner") == report["scope"]["description"]
    labels = page.eval_on_selector_all(
        "#chart-sector text, #chart-partnership text", "ts => ts.map(t => t.textContent)"
    )
    assert not [t for t in labels if t.endswith("…")], f"labels cut short: {labels}"


def _assert_drawn(page: Any) -> None:
    for chart in ("cumulative", "sector", "state", "prefecture", "partnership", "funnel"):
        box = page.locator(f"#chart-{chart} svg").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50, chart
        drawn = page.eval_on_selector_all(
            f"#chart-{chart} [data-key]",
            "marks => marks.filter(m => { const b = m.getBBox(); "
            "return b.width > 0 && b.height > 0; }).length",
        )
        assert drawn > 0, f"nothing visible drawn in #chart-{chart}"
    line = page.locator("#chart-cumulative polyline.cumulative-line").bounding_box()
    assert line and line["width"] > 100
    # The placed line rises through most of the plot by default, not flat along the axis,
    # and the goal line is still drawn.
    assert line["height"] > 150, line
    assert page.locator('#chart-cumulative polyline[data-series="goal"]').count() == 1


def test_dashboard_shows_the_reports_figures(tab: Tab, live: Live) -> None:
    page = tab.page
    page.goto(f"{live.url}/dashboard")
    page.locator("#signin").wait_for()
    assert not page.locator("#dashboard").is_visible()

    _sign_in(page, live, OFFICER_EMAIL)
    page.wait_for_url(f"{live.url}/dashboard")
    _wait_ready(page)

    report = live.report()
    assert report["placed"] == len(PLACED)
    assert len(report["by_state"]) > 15 and len(report["by_prefecture"]) > 15
    _assert_shows(page, report)
    _assert_drawn(page)
    assert live.key not in page.url
    _no_key_in_storage(page)
    assert page.inner_text("#scope-banner") == "Figures for the whole programme."
    assert page.locator("#on-track").is_visible() and not page.locator("#filter-note").is_visible()
    # The filters offer only values that have figures.
    states = page.eval_on_selector_all("#filter-state option", "os => os.map(o => o.value)")
    assert set(states) == {""} | {c["key"] for c in report["by_state"]}
    assert page.get_attribute("#filter-from", "placeholder") == "YYYY-MM-DD"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert tab.foreign == [], f"requests left this machine: {tab.foreign}"


def test_filters_refetch_and_api_errors_are_shown(tab: Tab, live: Live) -> None:
    page = tab.page
    _sign_in(page, live, OFFICER_EMAIL)
    _wait_ready(page)
    expected = live.report(sector="care")
    assert expected["placed"] != live.report()["placed"]

    page.select_option("#filter-sector", "care")
    page.click("#apply")
    page.locator(f'#placed[data-value="{expected["placed"]}"]').wait_for(state="attached")
    _wait_ready(page)
    _assert_shows(page, expected)
    assert page.locator("#filter-note").is_visible()
    assert page.inner_text("#filter-note") == expected["goal"]["note"]
    assert page.inner_text("#filter-note").startswith("No target is set for this filter")
    assert page.inner_text("#required-per-month") == page.inner_text("#required-per-month")
    assert expected["pace"] == live.report()["pace"]  # the pace does not change

    page.fill("#filter-from", "01/05/2026")
    page.click("#apply")
    page.locator("#error").wait_for()
    assert "YYYY-MM-DD" in page.inner_text("#error")

    page.fill("#filter-from", "2026-05-01")
    page.fill("#filter-to", "2026-01-01")
    page.click("#apply")
    error = page.locator("#error")
    error.wait_for()
    assert "'from' must not be after 'to'" in error.inner_text()
    assert page.locator("#dashboard").is_visible()
    assert tab.foreign == []


def test_a_wrong_password_is_refused_and_the_dashboard_stays_closed(tab: Tab, live: Live) -> None:
    page = tab.page
    _sign_in(page, live, OFFICER_EMAIL, password="not the password at all")
    assert "/app/login" in page.url
    assert "The email address or password is not right" in page.inner_text("#email-error")
    page.goto(f"{live.url}/dashboard")
    page.locator("#signin").wait_for()
    assert not page.locator("#dashboard").is_visible()
    _no_key_in_storage(page)


def test_csv_download_and_sign_out(tab: Tab, live: Live) -> None:
    page = tab.page
    _sign_in(page, live, OFFICER_EMAIL)
    _wait_ready(page)
    with page.expect_download() as download_info:
        page.click("#download-csv")
    downloaded = Path(download_info.value.path()).read_bytes()
    expected = httpx.get(
        f"{live.url}/api/v1/reports/progress.csv", headers={"Authorization": f"Bearer {live.key}"}
    )
    assert downloaded == expected.content
    as_of = live.report()["as_of"]
    assert download_info.value.suggested_filename == f"progress-{as_of}.csv"

    page.click("#signout")
    page.locator("#signin").wait_for()
    _no_key_in_storage(page)
    assert page.evaluate("fetch('/app/session').then(r => r.status)") == 401  # the session ended
    assert page.inner_text("#placed") == "–"
    assert tab.foreign == []


def test_an_institute_sees_its_own_figures_said_to_be_its_own(tab: Tab, live: Live) -> None:
    page = tab.page
    _sign_in(page, live, INSTITUTE_EMAIL)
    _wait_ready(page)
    report = live.report(key=live.institute_key)
    assert report["scope"]["kind"] == "institute"
    banner = page.locator("#scope-banner")
    assert banner.is_visible()
    assert banner.inner_text().startswith(f"Figures for {INSTITUTE} only")
    assert page.get_attribute("#placed", "data-value") == str(report["placed"])
    assert page.inner_text("#placed") == f"{report['placed']:,}"
    pipeline = sum(
        s["count"]
        for s in report["funnel"]
        if s["stage"] in ("shortlisted", "interviewing", "offered", "visa_processing")
    )
    assert page.inner_text("#in-pipeline") == f"{pipeline:,}"
    assert _number(page.inner_text("#contribution")) == report["percent_of_goal"]
    # Not the programme's goal badge, pace or projection, and no goal line to compare with.
    for element in ("#on-track", "#required-per-month", "#projection", "#target"):
        assert not page.locator(element).is_visible(), element
    assert page.locator('#chart-cumulative polyline[data-series="goal"]').count() == 0
    assert "contribution" in page.inner_text("#filter-note")
    for big in page.locator(".tile .big:visible:not(#contribution)").all_inner_texts():
        assert "." not in big, f"people shown with decimals: {big!r}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-institute.png"), full_page=True)
    assert tab.foreign == [], f"requests left this machine: {tab.foreign}"


def test_api_docs_work_with_no_internet(tab: Tab, live: Live) -> None:
    """The README's step: open /docs, press Authorize, paste a key, try an endpoint."""
    page = tab.page
    page.goto(f"{live.url}/docs")
    page.locator("button.authorize").first.click()
    page.locator(".modal-ux input").first.fill(live.key)
    page.locator(".modal-ux button.authorize").first.click()
    page.locator(".modal-ux button.btn-done").first.click()
    operation = page.locator("#operations-reports-progress_api_v1_reports_progress_get")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert '"scope"' in operation.locator(".live-responses-table .microlight").first.inner_text()

    page.goto(f"{live.url}/redoc")
    page.get_by_text("Placements against the goal", exact=False).first.wait_for()
    assert tab.foreign == [], f"requests left this machine: {tab.foreign}"


def test_the_page_is_served_with_a_csp_header_that_forbids_framing(live: Live) -> None:
    """The header (a meta tag cannot forbid framing) that the browser tests above run under."""
    headers = httpx.get(f"{live.url}/dashboard").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "connect-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_the_dashboard_in_japanese(tab: Tab, live: Live) -> None:
    """?lang=ja: the page's own words, the script's (tiles, badge, notes, charts) and the
    names of sectors and prefectures are Japanese; the figures are the API's."""
    page = tab.page
    _sign_in(page, live, OFFICER_EMAIL)
    _wait_ready(page)
    page.goto(f"{live.url}/dashboard?lang=ja")
    _wait_ready(page)
    assert page.get_attribute("html", "lang") == "ja"
    report = live.report()
    for element, value in (("placed", report["placed"]), ("target", report["goal"]["target"])):
        assert _number(page.inner_text(f"#{element}")) == value, element
    assert _number(page.inner_text("#percent")) == report["percent_of_goal"]
    assert page.inner_text("#scope-banner") == "プログラム全体の数値です。"
    assert page.inner_text("#on-track") in ("順調", "遅れあり")
    assert page.get_by_role("heading", name="月別の就労開始累計").is_visible()
    assert page.inner_text("#goal-summary").startswith("目標：")
    sectors = page.eval_on_selector_all("#chart-sector text", "ts => ts.map(t => t.textContent)")
    assert "介護" in sectors, sectors
    prefectures = page.eval_on_selector_all(
        "#filter-prefecture option", "os => os.map(o => o.textContent)"
    )
    assert "東京都" in prefectures, prefectures
    page.select_option("#filter-sector", "care")
    page.click("#apply")
    expected = live.report(sector="care")
    page.locator(f'#placed[data-value="{expected["placed"]}"]').wait_for(state="attached")
    _wait_ready(page)
    assert page.inner_text("#filter-note").startswith("この絞り込みには目標が設定されていません")
    assert page.inner_text("#scope-banner") == "プログラム全体の数値です（絞り込み：分野 介護）。"
    page.fill("#filter-from", "01/05/2026")
    page.click("#apply")
    page.locator("#error").wait_for()
    assert "日付は YYYY-MM-DD の形式で入力してください" in page.inner_text("#error")
    assert tab.foreign == []
