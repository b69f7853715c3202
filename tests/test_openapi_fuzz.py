"""Property-based run of the app's own OpenAPI schema: no input may cause a 5xx."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from talentbridge import migrate
from talentbridge.app import build_matcher, create_app
from talentbridge.config import Settings
from tests.conftest import ADMIN, Database, make_database

EXAMPLES = 12


def _keys(client: TestClient) -> dict[str, str]:
    keys = {}
    for kind, place in (
        ("institute", {"state": "Gujarat"}),
        ("employer", {"prefecture": "Shizuoka"}),
        ("officer", {}),
    ):
        created = client.post(
            "/api/v1/organisations",
            json={"kind": kind, "name": kind, **place},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        keys[kind] = created.json()["api_key"]
    return keys


@pytest.fixture
def own_database(database: Database, tmp_path: Path) -> Iterator[Database]:
    """A database of its own on the same backend: the app under fuzzing commits what it
    makes, which must not leak into the shared session database other tests count in."""
    db = make_database(database.backend, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def test_no_input_causes_a_server_error(own_database, tools):
    app = create_app(Settings(database_url=own_database.url, admin_token=ADMIN), tools=tools)
    app.state.matcher = build_matcher(tools, app.state.settings)
    keys = _keys(TestClient(app))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    for operation in schema.get_all_operations():
        strategy = operation.ok().as_strategy()
        for kind, key in keys.items():
            _explore(strategy, kind, key, failures)
    assert failures == []


def _explore(strategy, kind: str, key: str, failures: list) -> None:
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def check(case):
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        if response.status_code >= 500:
            failures.append(
                (kind, case.method, case.formatted_path, case.body, response.text[:300])
            )

    check()
