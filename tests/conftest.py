"""Fixtures: a real SQLite and a real PostgreSQL, migrated once; a transaction per test."""

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.app import build_matcher, create_app
from talentbridge.config import Settings
from talentbridge.db import make_engine
from talentbridge.deps import auth_sessions, get_session
from talentbridge.matching.toolkit import Toolkit, build_tools

PG_SERVER = os.environ.get("TALENTBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
ADMIN = "test-admin-token-of-at-least-32-characters"


def _pg_required() -> bool:
    return bool(os.environ.get("CI"))


class Database:
    """A throw-away database: a SQLite file or a PostgreSQL database made for this run."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.name = f"tb_test_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp / (self.name + '.db')}"
        else:
            admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
            self.url = f"{PG_SERVER}/{self.name}"
        self.engine = make_engine(self.url)

    def drop(self) -> None:
        self.engine.dispose()
        if self.backend == "postgresql":
            admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


def _postgres_available() -> bool:
    try:
        engine = create_engine(f"{PG_SERVER}/postgres")
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def make_database(backend: str, tmp: Path) -> Database:
    if backend == "postgresql" and not _postgres_available():
        if _pg_required():
            pytest.fail("PostgreSQL is required in CI and is not reachable at " + PG_SERVER)
        pytest.skip("PostgreSQL not reachable (outside CI)")
    return Database(backend, tmp)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    db = make_database(request.param, tmp_path_factory.mktemp("db"))
    migrate.upgrade(db.url)
    yield db
    db.drop()


@pytest.fixture(scope="session")
def tools() -> Toolkit:
    """The real model and occupation normaliser, loaded once for the whole run."""
    return build_tools(Settings())


@pytest.fixture
def settings(database: Database) -> Settings:
    # The tests drive the embedding worker themselves (tests/ingestion), not a thread.
    # Limiters count in memory: the database's counters would outlive each test's
    # transaction (tests/test_ratelimit.py tries them, in databases of their own).
    return Settings(
        database_url=database.url,
        admin_token=ADMIN,
        inprocess_worker=False,
        rate_limit_store="memory",
    )


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session inside a transaction rolled back after the test (SQLAlchemy 2.0 recipe)."""
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def app(settings: Settings, database: Database, session: Session, tools: Toolkit) -> Any:
    app = create_app(settings, engine=database.engine, tools=tools)
    app.state.matcher = build_matcher(tools, settings)

    def shared_session() -> Iterator[Session]:
        try:
            yield session
            session.commit()  # releases this request's savepoint; the test's transaction stays
        except BaseException:
            session.rollback()
            raise

    @contextmanager
    def shared_scope() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = shared_session
    app.dependency_overrides[auth_sessions] = lambda: shared_scope
    return app


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


_serial = count(1)


class Api:
    """Small factory helpers over the real HTTP API."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def org(self, kind: str, **place: str) -> dict[str, str]:
        defaults = {
            "institute": {"state": "Uttar Pradesh"},
            "employer": {"prefecture": "Yamanashi"},
            "officer": {},
        }
        body = {"kind": kind, "name": f"{kind} {next(_serial)}", **defaults[kind], **place}
        response = self.client.post(
            "/api/v1/organisations", json=body, headers={"Authorization": f"Bearer {ADMIN}"}
        )
        assert response.status_code == 201, response.text
        created = response.json()
        return {"Authorization": f"Bearer {created['api_key']}", "id": str(created["id"])}

    @staticmethod
    def auth(org: dict[str, str]) -> dict[str, str]:
        return {"Authorization": org["Authorization"]}

    def candidate(self, institute: dict[str, str], **fields: Any) -> dict[str, Any]:
        body = candidate_body(**fields)
        response = self.client.post("/api/v1/candidates", json=body, headers=self.auth(institute))
        assert response.status_code == 201, response.text
        return response.json()

    def vacancy(self, employer: dict[str, str], **fields: Any) -> dict[str, Any]:
        body = vacancy_body(**fields)
        response = self.client.post("/api/v1/vacancies", json=body, headers=self.auth(employer))
        assert response.status_code == 201, response.text
        return response.json()


def candidate_body(**fields: Any) -> dict[str, Any]:
    body = {
        "external_id": f"C-{next(_serial)}",
        "full_name": "Asha Verma",
        "date_of_birth": "1998-04-12",
        "sector": "care",
        "job_title": "care worker",
        "skills": ["assist with personal hygiene", "feed patients"],
        "experience_years": 3,
        "japanese_level": "N4",
        "skill_test_passed": True,
        "care_language_test_passed": True,
        "summary": "Three years in an elderly care home in Lucknow.",
        "preferred_prefectures": ["Yamanashi"],
        "available_from": "2026-01-01",
        "consent_to_share": True,
    }
    body.update(fields)
    return body


def vacancy_body(**fields: Any) -> dict[str, Any]:
    body = {
        "title": "care worker",
        "description": "Care for elderly residents in a nursing home.",
        "sector": "care",
        "openings": 2,
        "required_skills": ["assist with personal hygiene"],
        "min_japanese_level": "N4",
        "requires_skill_test": True,
        "min_experience_years": 1,
        "monthly_wage_jpy": 210000,
        "start_date": "2027-04-01",
    }
    body.update(fields)
    return body


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Debian Chromium for the whole test session (CI fails without it; a laptop skips).
    One per session, never one per module: Playwright's sync API runs its own event loop in
    this thread, and a second one started beside a live first refuses to start."""
    if shutil.which(CHROMIUM) is None:
        message = f"Chromium is needed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright (Python) is needed for the browser tests")
        pytest.skip("playwright (Python) is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


__all__ = ["Api", "Database", "candidate_body", "make_database", "vacancy_body"]
