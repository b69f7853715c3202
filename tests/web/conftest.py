"""The pages' fixtures: a live server (SQLite), one Chromium per test session, a fresh tab per
test, organisations with an admin person, signing in (in a browser or an HTTP client), and
the axe-core check. See docs/web.md, "Testing a page"."""

import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from talentbridge import migrate
from talentbridge.app import create_app
from talentbridge.config import Settings
from tests.conftest import ADMIN, Database, make_database

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 10_000
PASSWORD = "a long enough password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Member:
    """A person of a fresh organisation, made through the API with the admin token."""

    organisation_id: int
    kind: str
    api_key: str
    user_id: int
    email: str
    name: str
    password: str
    role: str


PLACE = {"institute": {"state": "Gujarat"}, "employer": {"prefecture": "Shizuoka"}, "officer": {}}


def make_member(
    http: httpx.Client | TestClient,
    kind: str,
    *,
    role: str = "admin",
    name: str = "Asha Patel",
    organisation: Member | None = None,
) -> Member:
    """A person (admin by default) of a new organisation of `kind`, or of `organisation`'s."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    if organisation is None:
        body = {"kind": kind, "name": f"{kind.title()} {uuid.uuid4().hex[:6]}", **PLACE[kind]}
        created = http.post("/api/v1/organisations", json=body, headers=admin)
        assert created.status_code == 201, created.text
        organisation_id, key = created.json()["id"], created.json()["api_key"]
    else:
        organisation_id, key = organisation.organisation_id, organisation.api_key
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    user = http.post(
        f"/api/v1/organisations/{organisation_id}/users",
        json={"email": email, "name": name, "role": role, "password": PASSWORD},
        headers=admin,
    )
    assert user.status_code == 201, user.text
    return Member(organisation_id, kind, key, user.json()["id"], email, name, PASSWORD, role)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in_client(http: httpx.Client | TestClient, member: Member) -> str:
    """Signs the client in as `member` (the cookie stays in the client); returns the session's
    CSRF token, for forms (`csrf_token`) and for the API (`X-CSRF-Token`)."""
    page = http.get("/app/login")
    answer = http.post(
        "/app/login",
        data={"email": member.email, "password": member.password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(http.get("/app/", follow_redirects=True).text)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The web tests' own databases: their apps commit for real (a person's session must
    outlive a request), so what they make must not show up in other packages' tests."""
    db = make_database(request.param, tmp_path_factory.mktemp("web-db"))
    migrate.upgrade(db.url)
    yield db
    db.drop()


@pytest.fixture
def web_client(database: Database) -> Iterator[TestClient]:
    """An app without matching over the test database (SQLite and PostgreSQL), committing for
    real (sessions must outlive a request); each test makes its own organisations."""
    settings = Settings(database_url=database.url, admin_token=ADMIN, inprocess_worker=False)
    app = create_app(settings, engine=database.engine, load_tools=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@dataclass
class Live:
    url: str
    http: httpx.Client

    def member(self, kind: str, **kw: Any) -> Member:
        return make_member(self.http, kind, **kw)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A uvicorn server on a free local port, in a thread, over a migrated SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'talentbridge.db'}"
    migrate.upgrade(url)
    app = create_app(
        Settings(database_url=url, admin_token=ADMIN, auth_failure_limit=1000), load_tools=False
    )
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
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as http:
        yield Live(url=base, http=http)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    app.state.engine.dispose()


@dataclass
class Tab:
    page: Any
    live: Live
    foreign: list[str]
    console: list[str]

    def sign_in(self, member: Member) -> None:
        """Signs in through the login form, as a person would, and waits for their home."""
        self.page.goto(f"{self.live.url}/app/login")
        self.page.get_by_label("Email").fill(member.email)
        self.page.get_by_label("Password").fill(member.password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"/app/(candidates|vacancies|dashboard)$"))

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(re.compile(r"/app/login"))

    def check_axe(self) -> None:
        """axe-core (from the axe-playwright-python wheel) on the page as it is now: no
        serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{self.page.url}: " + "; ".join(bad)


@pytest.fixture
def tab(browser: Any, live: Live) -> Iterator[Tab]:
    """A fresh browser context (its own cookies); requests off this machine are refused and
    console errors (a CSP refusal, a script error) collected for the test to assert on."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
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
    yield Tab(page=page, live=live, foreign=foreign, console=console)
    context.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
