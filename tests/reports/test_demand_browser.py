"""The demand view in a real headless Chromium against a real server."""

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest
import uvicorn

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
from talentbridge.vacancies.models import Vacancy
from tests.reports.test_dashboard_browser import TIMEOUT_MS


def _seed(session) -> dict[str, str]:
    institute = Organisation(kind="institute", name="Institute", state="Gujarat")
    other = Organisation(kind="institute", name="Other", state="Kerala")
    employer = Organisation(kind="employer", name="Employer", prefecture="Shizuoka")
    session.add_all([institute, other, employer])
    session.flush()
    session.add_all(
        [
            Vacancy(
                employer_id=employer.id,
                title="carer",
                sector="care",
                prefecture="Shizuoka",
                openings=3,
                required_skills=["Feed patients", "assist with personal hygiene"],
            ),
            Vacancy(
                employer_id=employer.id,
                title="bricklayer",
                sector="construction",
                prefecture="Shizuoka",
                openings=2,
                required_skills=["lay bricks"],
            ),
        ]
    )
    for owner, skills in ((institute, ["feed patients"]), (other, ["Feed-patients"])):
        session.add(
            Candidate(
                institute_id=owner.id,
                external_id="C1",
                full_name="x",
                date_of_birth=date(1995, 1, 1),
                state=owner.state,
                sector="care",
                skills=skills,
                consent_to_share=True,
            )
        )
    officer, _ = organisation_service.create(
        session=session, organisation_in=OrganisationCreate(kind="officer", name="Officer")
    )
    emails = {}  # the person of each who signs in
    for kind, org in (("institute", institute), ("officer", officer)):
        emails[kind] = f"{kind}@example.org"
        account_service.create(
            session=session,
            organisation=org,
            user_in=UserCreate(email=emails[kind], name=kind, role="member", password=PASSWORD),
        )
    return emails


PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demand') / 'talentbridge.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        keys = _seed(session)
    engine.dispose()
    app = create_app(Settings(database_url=url, admin_token=None), load_tools=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", keys
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    app.state.engine.dispose()


def _bars(page, sector: str, chart: str) -> dict[str, int]:
    rows = page.locator(f'[data-sector="{sector}"] [data-chart="{chart}"] .row')
    return {
        rows.nth(i).get_attribute("data-name"): int(rows.nth(i).get_attribute("data-value"))
        for i in range(rows.count())
    }


@pytest.mark.parametrize(
    ("who", "care_skills"),
    [
        # Officers count everyone: both candidates have "feed patients" (two spellings).
        ("officer", {"assist with personal hygiene": 3, "Feed patients": 1}),
        # The institute counts only its own candidate.
        ("institute", {"assist with personal hygiene": 3, "Feed patients": 2}),
    ],
)
def test_the_demand_view_shows_each_sectors_gaps(browser, server, who, care_skills):
    base, keys = server
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/dashboard/demand")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(keys[who])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator('[data-sector="construction"] [data-chart="skills"] .row').first.wait_for()
    assert _bars(page, "care", "skills") == care_skills
    assert _bars(page, "construction", "skills") == {"lay bricks": 2}
    assert _bars(page, "agriculture", "skills") == {}
    assert "not yet placed" in page.locator("#supply-note").inner_text()
    context.close()
    assert errors == []
