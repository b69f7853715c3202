"""Keys and headers: throttled failures, a strong admin token, headers on every answer,
and a health check that tells a down database from a server error."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from talentbridge.app import create_app
from talentbridge.audit.models import AuditEntry
from talentbridge.config import ConfigError, Settings
from talentbridge.db import make_engine
from talentbridge.ratelimit import FailureLimiter
from tests.conftest import ADMIN, PG_SERVER


@pytest.fixture
def settings(database) -> Settings:
    return Settings(
        database_url=database.url,
        admin_token=ADMIN,
        auth_failure_limit=3,
        auth_failure_window_seconds=60,
        rate_limit_store="memory",
    )


def _get(client, key: str, path: str = "/api/v1/candidates") -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {key}"})


def test_failed_keys_are_throttled_with_retry_after_and_audited(api, session):
    institute = api.org("institute")  # made before any failure
    key = institute["Authorization"].removeprefix("Bearer ")
    throttled = select(AuditEntry).where(AuditEntry.action == "auth_throttled")
    before = len(session.scalars(throttled).all())
    assert [_get(api.client, f"tb_wrong{n}").status_code for n in range(3)] == [401] * 3
    refused = _get(api.client, "tb_wrong9")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["field"] == "Authorization"
    # A good key from the same address is never refused for others' failures.
    assert _get(api.client, key).status_code == 200
    entries = session.scalars(throttled.order_by(AuditEntry.id)).all()[before:]
    assert len(entries) == 1  # once per block, not once per refused request
    assert "client:testclient" in entries[0].detail and key not in entries[0].detail


def test_a_wrong_admin_token_counts_too(client):
    body = {"kind": "officer", "name": "Ministry"}
    for _ in range(3):
        wrong = client.post(
            "/api/v1/organisations", json=body, headers={"Authorization": "Bearer guess"}
        )
        assert wrong.status_code == 401
    refused = client.post(
        "/api/v1/organisations", json=body, headers={"Authorization": "Bearer guess again"}
    )
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    admitted = client.post(
        "/api/v1/organisations", json=body, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert admitted.status_code == 201


def test_the_limiter_forgets_old_failures_and_stays_bounded():
    now = [0.0]
    limiter = FailureLimiter(limit=2, window=10, capacity=100, clock=lambda: now[0])
    limiter.fail(["a"])
    limiter.fail(["a"])
    refusal = limiter.check(["a", "b"])
    assert refusal is not None and refusal.retry_after == 10 and refusal.first
    assert not limiter.check(["a"]).first
    now[0] = 10.5
    assert limiter.check(["a"]) is None
    for n in range(10_000):
        limiter.fail([f"client:{n}"])
    assert len(limiter) == 100


@pytest.mark.parametrize("token", ["test-admin-token", "x" * 31])
def test_the_server_refuses_a_short_admin_token(token):
    with pytest.raises(ConfigError, match="at least 32 characters"):
        create_app(Settings(database_url="sqlite://", admin_token=token), load_tools=False)


def test_security_headers_on_every_response(api):
    institute = api.org("institute")
    person = api.candidate(institute)
    personal = [
        api.client.get(f"/api/v1/candidates/{person['id']}", headers=api.auth(institute)),
        api.client.get("/api/v1/placements", headers=api.auth(institute)),
        api.client.get("/api/v1/candidates/999999", headers=api.auth(institute)),
        api.client.get("/api/v1/candidates"),
    ]
    public = [api.client.get("/health"), api.client.get("/api/v1/meta")]
    for response in personal + public:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert all(r.headers["cache-control"] == "no-store" for r in personal)
    assert all("cache-control" not in r.headers for r in public)
    dashboard = api.client.get("/dashboard")
    csp = dashboard.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert dashboard.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "url",
    [f"{PG_SERVER.rsplit(':', 1)[0]}:1/nowhere", "sqlite:////nonexistent-dir/talentbridge.db"],
)
def test_health_is_503_when_the_database_is_down(url):
    engine = make_engine(url)
    app = create_app(Settings(database_url=url), engine=engine, load_tools=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/health")
    engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"detail": "the database does not answer", "field": "database"}
    assert int(response.headers["Retry-After"]) >= 1


def test_health_is_200_when_it_answers(client):
    assert client.get("/health").json()["status"] == "ok"


def test_even_a_server_error_carries_the_headers(app):
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
