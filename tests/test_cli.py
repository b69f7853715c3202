"""The talentbridge command as a user runs it."""

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from talentbridge import migrate


def _run(*args, url):
    env = {**os.environ, "TALENTBRIDGE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "talentbridge.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = _run("serve", "--port", "8999", url=f"sqlite:///{tmp_path / 'new.db'}")
    assert result.returncode == 2
    assert "talentbridge migrate" in result.stderr


def test_migrate_then_create_an_organisation(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _run("migrate", url=url).returncode == 0
    result = _run(
        "org",
        "create",
        "--kind",
        "employer",
        "--name",
        "Kofu Care",
        "--prefecture",
        "yamanashi-ken",
        url=url,
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.split("API key (shown once, keep it safe): ")[1].strip()
    with create_engine(url).connect() as connection:
        row = connection.execute(text("SELECT prefecture FROM organisations")).one()
        stored = connection.execute(text("SELECT key_hash FROM api_keys")).scalar_one()
    assert row.prefecture == "Yamanashi"
    assert key not in stored  # only the hash is kept
    bad = _run("org", "create", "--kind", "institute", "--name", "X", "--state", "Narnia", url=url)
    assert bad.returncode == 2 and "state" in bad.stderr


def test_migrations_are_current_after_migrate(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    assert migrate.is_current(engine)


def test_rotating_a_key_revokes_the_old_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    _run("migrate", url=url)
    created = _run("org", "create", "--kind", "officer", "--name", "MEA", url=url)
    old = created.stdout.split("keep it safe): ")[1].strip()
    rotated = _run("org", "rotate-key", "--id", "1", url=url)
    assert rotated.returncode == 0 and "revoked 1 key(s)" in rotated.stdout
    new = rotated.stdout.split("keep it safe): ")[1].strip()
    from fastapi.testclient import TestClient

    from talentbridge.app import create_app
    from talentbridge.config import Settings

    with TestClient(create_app(Settings(database_url=url), load_tools=False)) as client:

        def status(key):
            return client.get(
                "/api/v1/organisations/me", headers={"Authorization": f"Bearer {key}"}
            ).status_code

        assert status(old) == 401
        assert status(new) == 200
