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
