"""Keys and headers: throttled failures, a strong admin token, headers on every answer,
and a health check that tells a down database from a server error."""

import re
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
        inprocess_worker=False,  # the app shares the test's session: no background threads
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


PAGES = ["/", "/dashboard", "/dashboard/demand", "/docs", "/docs/oauth2-redirect", "/redoc"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_runs_under_a_strict_content_security_policy(client, path):
    page = client.get(path)
    assert page.status_code == 200
    policy = _policy(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    nonces = {s.removeprefix("'nonce-").removesuffix("'") for s in scripts if "nonce-" in s}
    for attributes in INLINE_SCRIPT.findall(page.text):  # inline only with this answer's nonce
        found = re.search(r'nonce="([^"]+)"', attributes)
        assert found and found.group(1) in nonces, attributes
    assert not re.search(r"\son[a-z]+\s*=", page.text, re.IGNORECASE)  # no onclick="..."
    for asset in re.findall(r'(?:src|href)="(/dashboard/assets/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset


def test_a_nonce_is_never_reused(client):
    first, second = (client.get("/docs").headers["content-security-policy"] for _ in range(2))
    assert first != second


def test_only_the_pages_own_assets_are_served(client):
    assert (
        client.get("/dashboard/assets/dashboard.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    for name in ("dashboard.html", "__init__.py", "..%2Fstatic%2F__init__.py"):
        assert client.get(f"/dashboard/assets/{name}").status_code == 404


def test_a_503_always_says_when_to_retry(api):
    # This app runs without matching: asking for matches is a 503 (not the database's).
    api.client.app.state.matcher = None
    employer = api.org("employer")
    vacancy = api.vacancy(employer)
    response = api.client.get(
        f"/api/v1/vacancies/{vacancy['id']}/matches", headers=api.auth(employer)
    )
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/health", "GET"),
        ("TRACE", "/api/v1/candidates/1", "DELETE, GET, PATCH"),
        ("DELETE", "/api/v1/candidates", "GET, POST"),
        ("PATCH", "/api/v1/candidates/bulk", "POST"),  # not candidate "bulk"
    ],
)
def test_an_undeclared_method_is_405_with_allow(api, method, path, allow):
    institute = api.org("institute")
    response = api.client.request(method, path, headers=api.auth(institute), json={})
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert set(response.json()) == {"detail", "field"}


def test_a_body_that_is_not_utf8_json_is_400_naming_the_body(api):
    institute = api.org("institute")
    response = api.client.post(
        "/api/v1/candidates",
        content=b'{"full_name": "\xff\xfe"}',
        headers={**api.auth(institute), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_every_status_an_operation_answers_is_declared_with_the_error_shape(client):
    schema = client.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {"400", "404", "409", "413", "422", "503"}
            if operation.get("security"):
                expected |= {"401", "403", "429"}
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected:
                body = responses[status]["content"]["application/json"]["schema"]
                assert body == error, (method, path, status)
            for status in {"429", "503"} & set(responses):
                assert responses[status]["headers"]["Retry-After"]["required"], (path, status)


def test_a_missing_record_is_named_in_the_singular(api):
    employer, institute = api.org("employer"), api.org("institute")
    vacancy = api.client.get("/api/v1/vacancies/999999", headers=api.auth(employer))
    assert vacancy.json() == {"detail": "vacancy 999999 not found", "field": "vacancy_id"}
    person = api.client.get("/api/v1/candidates/999999", headers=api.auth(institute))
    assert person.json() == {"detail": "candidate 999999 not found", "field": "candidate_id"}
