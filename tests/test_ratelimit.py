"""Limits that hold across processes: failed keys and each organisation's requests counted in
the database, so two server processes on one PostgreSQL refuse together; a valid key is
never refused for others' failures."""

import uuid

import httpx
import pytest
from sqlalchemy import text

from talentbridge import migrate
from talentbridge.benchmarks.seed import ADMIN_TOKEN, Server
from talentbridge.config import Settings
from talentbridge.ratelimit import FailureLimiter, SharedLimiter, limiter_for
from tests.conftest import ADMIN, make_database


@pytest.fixture
def settings(database) -> Settings:
    return Settings(
        database_url=database.url,
        admin_token=ADMIN,
        inprocess_worker=False,
        rate_limit_store="memory",
        org_request_limit=3,
        org_request_window_seconds=60,
    )


def _shared(database, clock, *, limit: int = 2, window: float = 10) -> SharedLimiter:
    # A namespace of its own: the counters outlive the test (they are not in its transaction).
    namespace = f"test-{uuid.uuid4().hex[:8]}:"
    return SharedLimiter(
        engine=database.engine, namespace=namespace, limit=limit, window=window, clock=clock
    )


def test_shared_failures_refuse_once_counted_by_any_process(database):
    now = [1000.0]
    one = _shared(database, lambda: now[0])
    other = SharedLimiter(
        engine=database.engine, namespace=one.namespace, limit=2, window=10, clock=lambda: now[0]
    )  # another process: the same table, nothing shared in memory
    one.fail(["client:a"])
    assert other.check(["client:a"]) is None
    other.fail(["client:a", "prefix:tb_x"])
    refusal = one.check(["client:b", "client:a"])
    assert refusal is not None and refusal.retry_after == 10 and refusal.first
    again = other.check(["client:a"])
    assert again is not None and not again.first  # one audit entry per block, not per process
    now[0] += 3.5
    assert one.check(["prefix:tb_x"]) is None  # one failure only
    assert one.check(["client:a"]).retry_after == 7
    now[0] += 7
    assert one.check(["client:a"]) is None  # the window has passed
    one.fail(["client:a"])
    assert other.check(["client:a"]) is None  # a new window, counted from one


def test_shared_requests_are_counted_per_key_and_pruned(database):
    now = [5000.0]
    limiter = _shared(database, lambda: now[0], limit=3, window=60)
    assert [limiter.hit("org:1") for _ in range(3)] == [None] * 3
    refused = limiter.hit("org:1")
    assert refused is not None and refused.retry_after == 60 and refused.first
    assert limiter.hit("org:2") is None  # another organisation counts apart
    now[0] += 61
    assert limiter.hit("org:1") is None
    with database.engine.connect() as connection:
        keys = connection.execute(
            text("SELECT key FROM rate_counters WHERE key LIKE :ns"),
            {"ns": limiter.namespace + "%"},
        ).scalars()
        assert sorted(keys) == [limiter.namespace + "org:1"]  # org:2's passed window pruned


def test_the_store_follows_the_database(database):
    chosen = limiter_for(
        Settings(database_url=database.url),
        database.engine,
        namespace="x:",
        limit=1,
        window=1,
        capacity=1,
    )
    expected = SharedLimiter if database.backend == "postgresql" else FailureLimiter
    assert type(chosen) is expected


def test_the_in_process_limiter_counts_requests_too():
    now = [0.0]
    limiter = FailureLimiter(limit=2, window=10, capacity=10, clock=lambda: now[0])
    assert limiter.hit("org:1") is None and limiter.hit("org:1") is None
    assert limiter.hit("org:1").retry_after == 10
    now[0] = 10.5
    assert limiter.hit("org:1") is None


def test_an_organisation_over_its_request_limit_gets_429_with_retry_after(api):
    busy, quiet = api.org("employer"), api.org("employer")
    answers = [api.client.get("/api/v1/vacancies", headers=api.auth(busy)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert answers[-1].json()["field"] == "Authorization"
    assert api.client.get("/api/v1/vacancies", headers=api.auth(quiet)).status_code == 200


def test_bad_keys_from_an_address_do_not_lock_out_its_good_keys(api):
    good = api.org("institute")
    for n in range(10):
        assert (
            api.client.get("/api/v1/candidates", headers=_bearer(f"tb_bad{n}")).status_code == 401
        )
    assert api.client.get("/api/v1/candidates", headers=_bearer("tb_bad99")).status_code == 429
    assert api.client.get("/api/v1/candidates", headers=api.auth(good)).status_code == 200


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _org(base: str, kind: str, **place: str) -> dict[str, str]:
    made = httpx.post(
        f"{base}/api/v1/organisations",
        json={"kind": kind, "name": f"{kind} of two", **place},
        headers=_bearer(ADMIN_TOKEN),
    )
    assert made.status_code == 201, made.text
    return _bearer(made.json()["api_key"])


def test_two_server_processes_share_one_postgresqls_limits(tmp_path):
    """Two `talentbridge serve` processes, each with its own memory, one database."""
    db = make_database("postgresql", tmp_path)
    servers: list[Server] = []
    try:
        migrate.upgrade(db.url)
        limits = {"auth_failure_limit": "4", "org_request_limit": "6", "inprocess_worker": "false"}
        for _ in range(2):
            servers.append(Server(db.url, **limits))
        a, b = (server.base for server in servers)
        institute = _org(a, "institute", state="Gujarat")
        employer = _org(b, "employer", prefecture="Shizuoka")

        # Failed keys: two at each process make four, so the fifth is refused by either.
        for base in (a, b, a, b):
            assert (
                httpx.get(f"{base}/api/v1/candidates", headers=_bearer("tb_guess")).status_code
                == 401
            )
        refused = httpx.get(f"{b}/api/v1/candidates", headers=_bearer("tb_guess"))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert httpx.get(f"{a}/api/v1/candidates", headers=_bearer("tb_other")).status_code == 429
        # A good key from the same address is admitted by both.
        assert httpx.get(f"{a}/api/v1/candidates", headers=institute).status_code == 200
        assert httpx.get(f"{b}/api/v1/candidates", headers=institute).status_code == 200

        # The employer's six requests are counted together, whichever process answers.
        statuses = [
            httpx.get(f"{(a, b)[n % 2]}/api/v1/vacancies", headers=employer).status_code
            for n in range(7)
        ]
        assert statuses == [200] * 6 + [429]
        over = httpx.get(f"{a}/api/v1/vacancies", headers=employer)
        assert over.status_code == 429 and 1 <= int(over.headers["Retry-After"]) <= 60
        # The institute has used 2 of its 6: still admitted.
        assert httpx.get(f"{b}/api/v1/candidates", headers=institute).status_code == 200
    finally:
        for server in servers:
            server.stop()
        db.drop()
