"""People, sessions, CSRF and the pages' rules, over HTTP on SQLite and PostgreSQL."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text

from talentbridge.accounts import service as accounts
from talentbridge.accounts.models import User, UserSession
from talentbridge.app import create_app
from talentbridge.audit.models import AuditEntry
from talentbridge.config import Settings
from talentbridge.db import session_scope, utcnow
from tests.conftest import ADMIN, Database
from tests.web.conftest import PASSWORD, csrf_of, make_member, sign_in_client

ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}


def test_the_first_admin_is_made_with_the_admin_token(web_client: TestClient) -> None:
    member = make_member(web_client, "institute")
    url = f"/api/v1/organisations/{member.organisation_id}/users"
    body = {"email": "Second@Example.org", "name": "B", "role": "member", "password": PASSWORD}
    made = web_client.post(url, json=body, headers=ADMIN_AUTH)
    assert made.status_code == 201
    assert made.json() == {
        "id": made.json()["id"],
        "email": "second@example.org",
        "name": "B",
        "role": "member",
        "organisation_id": member.organisation_id,
    }
    again = web_client.post(url, json=body, headers=ADMIN_AUTH)
    assert (again.status_code, again.json()["field"]) == (409, "email")
    short = web_client.post(
        url, json={**body, "email": "c@example.org", "password": "short"}, headers=ADMIN_AUTH
    )
    assert (short.status_code, short.json()["field"]) == (422, "password")
    key = {"Authorization": f"Bearer {member.api_key}"}
    assert web_client.post(url, json=body, headers=key).status_code == 401
    missing = web_client.post("/api/v1/organisations/999999/users", json=body, headers=ADMIN_AUTH)
    assert missing.status_code == 404


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(database: Database) -> None:
    for https in (False, True):
        settings = Settings(database_url=database.url, admin_token=ADMIN, https=https)
        with TestClient(create_app(settings, engine=database.engine, load_tools=False)) as http:
            member = make_member(http, "employer")
            page = http.get("/app/login")
            answer = http.post(
                "/app/login",
                data={
                    "email": member.email,
                    "password": PASSWORD,
                    "csrf_token": csrf_of(page.text),
                },
                follow_redirects=False,
            )
            cookie = next(
                c for c in answer.headers.get_list("set-cookie") if c.startswith("tb_session=")
            )
            assert "HttpOnly" in cookie and "SameSite=lax" in cookie
            assert ("Secure" in cookie) is https
            assert answer.headers["location"] == "/app/"


def test_a_person_lands_on_their_organisations_home(web_client: TestClient) -> None:
    for kind, home in (
        ("institute", "/app/candidates"),
        ("employer", "/app/vacancies"),
        ("officer", "/app/dashboard"),
    ):
        web_client.cookies.clear()
        sign_in_client(web_client, make_member(web_client, kind))
        landed = web_client.get("/app/", follow_redirects=True)
        assert landed.url.path == home and "Sign out" in landed.text


def test_a_page_without_a_session_asks_to_sign_in(web_client: TestClient) -> None:
    answer = web_client.get("/app/people", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/login?next=/app/people"


def test_forms_without_their_csrf_token_are_refused(web_client: TestClient) -> None:
    member = make_member(web_client, "institute")
    page = web_client.get("/app/login")
    assert csrf_of(page.text)
    refused = web_client.post("/app/login", data={"email": member.email, "password": PASSWORD})
    assert refused.status_code == 403 and "This form could not be sent" in refused.text
    sign_in_client(web_client, member)
    body = {"name": "X", "email": "x@example.org", "role": "member", "password": PASSWORD}
    refused = web_client.post("/app/people", data=body)
    assert refused.status_code == 403 and "This form could not be sent" in refused.text
    wrong = web_client.post("/app/people", data={**body, "csrf_token": "not-the-token"})
    assert wrong.status_code == 403
    assert "x@example.org" not in web_client.get("/app/people").text


def _other_browser(web_client: TestClient) -> TestClient:
    return TestClient(web_client.app, raise_server_exceptions=False)


def test_deactivating_a_person_ends_their_sessions_at_once(web_client: TestClient) -> None:
    admin = make_member(web_client, "employer")
    member = make_member(web_client, "employer", role="member", name="Ken", organisation=admin)
    token = sign_in_client(web_client, admin)
    with _other_browser(web_client) as theirs:
        sign_in_client(theirs, member)
        assert theirs.get("/app/vacancies").status_code == 200
        assert theirs.get("/api/v1/organisations/me").status_code == 200
        done = web_client.post(
            f"/app/people/{member.user_id}/deactivate", data={"csrf_token": token}
        )
        assert done.status_code == 200 and "deactivated" in done.text
        assert theirs.get("/app/vacancies", follow_redirects=False).status_code == 303
        assert theirs.get("/api/v1/organisations/me").status_code == 401
        page = theirs.get("/app/login")
        again = theirs.post(
            "/app/login",
            data={"email": member.email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert again.status_code == 401


def test_changing_a_password_ends_the_persons_sessions(web_client: TestClient) -> None:
    admin = make_member(web_client, "institute")
    member = make_member(web_client, "institute", role="member", organisation=admin)
    token = sign_in_client(web_client, admin)
    with _other_browser(web_client) as theirs:
        sign_in_client(theirs, member)
        short = web_client.post(
            f"/app/people/{member.user_id}/password", data={"csrf_token": token, "password": "x"}
        )
        assert short.status_code == 422 and "at least 12 characters" in short.text
        assert theirs.get("/app/candidates", follow_redirects=False).status_code == 200
        changed = web_client.post(
            f"/app/people/{member.user_id}/password",
            data={"csrf_token": token, "password": "a brand new password"},
        )
        assert changed.status_code == 200
        assert theirs.get("/app/candidates", follow_redirects=False).status_code == 303
        member.password = "a brand new password"
        sign_in_client(theirs, member)


def test_another_organisations_person_is_not_found(web_client: TestClient) -> None:
    mine = make_member(web_client, "institute")
    theirs = make_member(web_client, "institute")
    token = sign_in_client(web_client, mine)
    for action, data in (("deactivate", {}), ("password", {"password": "another password!"})):
        answer = web_client.post(
            f"/app/people/{theirs.user_id}/{action}", data={"csrf_token": token, **data}
        )
        assert answer.status_code == 404 and "Page not found" in answer.text
    with _other_browser(web_client) as other:
        sign_in_client(other, theirs)  # still active, password unchanged
    assert theirs.email not in web_client.get("/app/people").text


def test_members_have_no_admin_pages(web_client: TestClient) -> None:
    admin = make_member(web_client, "employer")
    member = make_member(web_client, "employer", role="member", organisation=admin)
    sign_in_client(web_client, member)
    assert web_client.get("/app/people").status_code == 404
    assert web_client.get("/app/keys").status_code == 404
    assert web_client.get("/app/candidates").status_code == 404  # an institute's page


def test_sign_in_is_throttled_per_account(database: Database) -> None:
    _forget_counted_failures(database)
    settings = Settings(database_url=database.url, admin_token=ADMIN, auth_failure_limit=3)
    with TestClient(create_app(settings, engine=database.engine, load_tools=False)) as http:
        member = make_member(http, "institute")
        for _ in range(3):
            page = http.get("/app/login")
            wrong = http.post(
                "/app/login",
                data={
                    "email": member.email,
                    "password": "wrong password!",
                    "csrf_token": csrf_of(page.text),
                },
            )
            assert wrong.status_code == 401
        page = http.get("/app/login")
        right = http.post(
            "/app/login",
            data={"email": member.email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert right.status_code == 429 and "Too many failed attempts" in right.text
        assert int(right.headers["Retry-After"]) >= 1


def test_a_name_with_markup_is_shown_as_text(web_client: TestClient) -> None:
    admin = make_member(web_client, "officer", name="<script>alert(1)</script>")
    sign_in_client(web_client, admin)
    page = web_client.get("/app/people").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_session_authorises_the_api_with_the_csrf_header(web_client: TestClient) -> None:
    member = make_member(web_client, "institute")
    token = sign_in_client(web_client, member)
    me = web_client.get("/api/v1/organisations/me")
    assert me.status_code == 200 and me.json()["id"] == member.organisation_id
    refused = web_client.post("/api/v1/candidates", json={})
    assert (refused.status_code, refused.json()["field"]) == (403, "X-CSRF-Token")
    admitted = web_client.post("/api/v1/candidates", json={}, headers={"X-CSRF-Token": token})
    assert admitted.status_code == 422  # past the door: the body is what is wrong


def test_the_audit_log_names_the_person(web_client: TestClient, database: Database) -> None:
    admin = make_member(web_client, "employer")
    token = sign_in_client(web_client, admin)
    body = {"name": "New", "email": "new-" + admin.email, "role": "member", "password": PASSWORD}
    assert web_client.post("/app/people", data={**body, "csrf_token": token}).status_code == 200
    with session_scope(database.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "person_added",
                AuditEntry.organisation_id == admin.organisation_id,
            )
        ).one()
        assert entry.user_id == admin.user_id


def test_admins_create_and_revoke_api_keys(web_client: TestClient) -> None:
    admin = make_member(web_client, "institute")
    token = sign_in_client(web_client, admin)
    page = web_client.post("/app/keys", data={"csrf_token": token})
    key = re.search(r'<code class="key">(tb_[^<]+)</code>', page.text)
    assert key, "the new key is shown once"
    bearer = {"Authorization": f"Bearer {key.group(1)}"}
    with _other_browser(web_client) as integration:
        assert integration.get("/api/v1/organisations/me", headers=bearer).status_code == 200
        key_id = re.search(r"/app/keys/(\d+)/revoke", page.text)
        assert key_id
        revoked = web_client.post(f"/app/keys/{key_id.group(1)}/revoke", data={"csrf_token": token})
        assert revoked.status_code == 200 and "revoked" in revoked.text
        integration.cookies.clear()
        assert integration.get("/api/v1/organisations/me", headers=bearer).status_code == 401


def test_officers_see_organisations_and_their_people(web_client: TestClient) -> None:
    institute = make_member(web_client, "institute", name="Priya Nair")
    sign_in_client(web_client, make_member(web_client, "officer"))
    listing = web_client.get("/app/organisations")
    assert (
        listing.status_code == 200
        and f"/app/organisations/{institute.organisation_id}" in listing.text
    )
    one = web_client.get(f"/app/organisations/{institute.organisation_id}")
    assert "Priya Nair" in one.text and institute.email in one.text
    assert web_client.get("/app/organisations/999999").status_code == 404


def test_the_language_is_chosen_remembered_and_negotiated(web_client: TestClient) -> None:
    assert '<html lang="en">' in web_client.get("/app/login").text
    asked = web_client.get("/app/login", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})
    assert '<html lang="ja">' in asked.text and "サインイン" in asked.text
    switched = web_client.get("/app/login?lang=ja")
    assert '<html lang="ja">' in switched.text
    assert '<html lang="ja">' in web_client.get("/app/login").text  # remembered
    back = web_client.get("/app/login?lang=en", headers={"Accept-Language": "ja"})
    assert '<html lang="en">' in back.text and "Sign in" in back.text
    assert (
        '<html lang="en">' in web_client.get("/app/login", headers={"Accept-Language": "ja"}).text
    )


def test_sessions_expire_when_idle_or_old_and_are_pruned(database: Database) -> None:
    with session_scope(database.engine) as session:
        from talentbridge.organisations.models import Organisation

        organisation = Organisation(kind="institute", name="Expiry", state="Goa")
        session.add(organisation)
        session.flush()
        user = User(
            organisation_id=organisation.id,
            email=f"expiry-{organisation.id}@example.org",
            name="E",
            role="member",
            password_hash="x",
        )
        session.add(user)
        session.flush()
        start = utcnow()
        idle = timedelta(minutes=30)
        opened = accounts.open_session(
            session=session, user=user, absolute=timedelta(hours=1), now=start
        )
        found = accounts.by_token(session=session, token=opened.token, idle=idle, now=start)
        assert found is not None
        late = start + timedelta(minutes=31)
        assert accounts.by_token(session=session, token=opened.token, idle=idle, now=late) is None
        found.last_seen_at = start + timedelta(minutes=50)
        session.flush()
        old = start + timedelta(minutes=61)
        assert accounts.by_token(session=session, token=opened.token, idle=idle, now=old) is None
        assert accounts.prune_expired_sessions(session=session, now=old, idle=idle) >= 1
        left = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
        assert left == []


def test_sign_in_is_throttled_per_address(database: Database) -> None:
    _forget_counted_failures(database)
    settings = Settings(database_url=database.url, admin_token=ADMIN, auth_failure_limit=3)
    with TestClient(create_app(settings, engine=database.engine, load_tools=False)) as http:
        member = make_member(http, "employer")
        for n in range(3):  # three different accounts guessed from one address
            page = http.get("/app/login")
            data = {"email": f"guess{n}@example.org", "password": "wrong password!"}
            wrong = http.post("/app/login", data={**data, "csrf_token": csrf_of(page.text)})
            assert wrong.status_code == 401
        page = http.get("/app/login")
        data = {"email": member.email, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        assert http.post("/app/login", data=data).status_code == 429


def test_a_script_reads_its_session_and_signs_out_with_the_header(web_client: TestClient) -> None:
    assert web_client.get("/app/session").status_code == 401
    member = make_member(web_client, "officer")
    token = sign_in_client(web_client, member)
    me = web_client.get("/app/session").json()
    assert (me["id"], me["csrf_token"], me["organisation_kind"]) == (
        member.user_id,
        token,
        "officer",
    )
    assert web_client.post("/app/logout").status_code == 403  # no token: refused
    out = web_client.post("/app/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/app/login?done=signed_out"
    assert web_client.get("/app/session").status_code == 401


def test_the_next_page_after_sign_in_stays_on_this_site(web_client: TestClient) -> None:
    member = make_member(web_client, "institute")
    for asked, landed in (
        ("/dashboard", "/dashboard"),
        ("//evil.example/", "/app/"),
        ("https://evil.example/", "/app/"),
    ):
        web_client.cookies.clear()
        page = web_client.get("/app/login", params={"next": asked})
        data = {
            "email": member.email,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": asked,
        }
        answer = web_client.post("/app/login", data=data, follow_redirects=False)
        assert answer.headers["location"] == landed


def test_the_cli_adds_a_person(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "TALENTBRIDGE_DATABASE_URL": url, "TALENTBRIDGE_USER_PASSWORD": PASSWORD}
    run = [sys.executable, "-m", "talentbridge.cli"]
    subprocess.run([*run, "migrate"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*run, "org", "create", "--kind", "officer", "--name", "Officers"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "created officer 1" in made.stdout
    person = [
        *run,
        "user",
        "create",
        "--organisation",
        "1",
        "--email",
        "o@example.org",
        "--name",
        "O",
    ]
    added = subprocess.run(person, env=env, capture_output=True, text=True)
    assert added.returncode == 0 and "created admin 1: o@example.org" in added.stdout
    again = subprocess.run(person, env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "email: that email is already taken" in again.stderr
    short = subprocess.run(
        [*run, "user", "create", "--organisation", "1", "--email", "p@example.org", "--name", "P"],
        env={**env, "TALENTBRIDGE_USER_PASSWORD": "short"},
        capture_output=True,
        text=True,
    )
    assert short.returncode == 2 and "password" in short.stderr


def test_the_add_person_form_names_each_bad_field(web_client: TestClient) -> None:
    admin = make_member(web_client, "employer")
    token = sign_in_client(web_client, admin)
    body = {"name": "Tab\there", "email": "a b@example.org", "role": "member", "password": "x"}
    answer = web_client.post("/app/people", data={**body, "csrf_token": token})
    assert answer.status_code == 422
    for field in ("name", "email", "password"):
        assert f'href="#{field}"' in answer.text and f'id="{field}-error"' in answer.text
    assert 'value="x"' not in answer.text  # the password is not sent back
    assert 'value="a b@example.org"' in answer.text  # what was typed is kept


def _forget_counted_failures(database: Database) -> None:
    """On PostgreSQL the limits count in the database, shared by every test's app: start afresh."""
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_counters"))


def _password_failures(http: TestClient, token: str) -> float:
    scraped = http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert scraped.status_code == 200, scraped.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
        if sample.name == "talentbridge_sign_in_failures_total"
        and sample.labels == {"kind": "password"}
    )


def test_metrics_count_failed_sign_ins_at_the_login_page(database: Database) -> None:
    _forget_counted_failures(database)
    token = "metrics-token-for-the-test-0123456789"
    settings = Settings(database_url=database.url, admin_token=ADMIN, metrics_token=token)
    with TestClient(create_app(settings, engine=database.engine, load_tools=False)) as http:
        member = make_member(http, "institute")
        before = _password_failures(http, token)
        for password in ("wrong password!", "another wrong one"):
            page = http.get("/app/login")
            wrong = http.post(
                "/app/login",
                data={
                    "email": member.email,
                    "password": password,
                    "csrf_token": csrf_of(page.text),
                },
            )
            assert wrong.status_code == 401
        assert _password_failures(http, token) == before + 2
        sign_in_client(http, member)  # a sign-in that works is no failure
        assert _password_failures(http, token) == before + 2
