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


def test_recount_repairs_tallies_after_rows_loaded_behind_the_api(tmp_path):
    url = f"sqlite:///{tmp_path / 'recount.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, kind, name, created_at, updated_at) VALUES "
                "(1, 'employer', 'E', '2026-01-01', '2026-01-01'), "
                "(2, 'institute', 'I', '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO vacancies (id, employer_id, title, sector, prefecture, openings, "
                "placed_count, required_skills, min_japanese_level, requires_skill_test, "
                "min_experience_years, status, created_at, updated_at) VALUES (1, 1, 'carer', "
                "'care', 'Aichi', 2, 1, '[]', 'N4', 1, 0, 'open', '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO placements (vacancy_id, employer_id, institute_id, status, sector, "
                "state, prefecture, placed_on, candidate_erased, created_at, updated_at) VALUES "
                "(1, 1, 2, 'placed', 'care', 'Kerala', 'Aichi', '2026-03-02', 0, "
                "'2026-01-01', '2026-01-01')"
            )
        )
    result = _run("recount", url=url)
    assert result.returncode == 0, result.stderr
    assert "2 cells corrected" in result.stdout  # one stage cell, one placed-month cell
    with engine.connect() as connection:
        assert connection.execute(text("SELECT month, count FROM placed_tallies")).all() == [
            ("2026-03", 1)
        ]
    assert "0 cells corrected" in _run("recount", url=url).stdout


def test_serve_with_a_bad_database_url_says_so_in_one_line(tmp_path):
    for url in (
        "postgresql+psycopg://postgres:secret@127.0.0.1:1/nowhere",
        "not a url",
        f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}",
    ):
        result = _run("serve", "--port", "8999", url=url)
        assert result.returncode == 2, url
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("cannot open the database"), result.stderr
        assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_short_admin_token(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _run("migrate", url=url).returncode == 0
    env = {**os.environ, "TALENTBRIDGE_DATABASE_URL": url, "TALENTBRIDGE_ADMIN_TOKEN": "short"}
    result = subprocess.run(
        [sys.executable, "-m", "talentbridge.cli", "serve", "--port", "8999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "at least 32 characters" in result.stderr


def test_allocate_plans_and_prints_the_summary(tmp_path):
    from datetime import date

    from sqlalchemy.orm import Session

    from talentbridge.allocations.models import AllocationPlan
    from talentbridge.models_registry import Candidate, Organisation, Vacancy

    url = f"sqlite:///{tmp_path / 'plan.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        institute = Organisation(kind="institute", name="I", state="Kerala")
        employer = Organisation(kind="employer", name="E", prefecture="Aichi")
        session.add_all([institute, employer])
        session.flush()
        session.add_all(
            Candidate(
                institute_id=institute.id,
                external_id=f"K{n}",
                full_name="x",
                date_of_birth=date(1995, 1, 1),
                state="Kerala",
                sector="construction",
                japanese_level="N4",
                skill_test_passed=True,
                consent_to_share=True,
            )
            for n in range(3)
        )
        session.add_all(
            Vacancy(employer_id=employer.id, title=t, sector=s, prefecture="Aichi", openings=n)
            for t, s, n in (("scaffolder", "construction", 3), ("carer", "care", 2))
        )
    assert _run("allocate", "--sector", "Mining", url=url).returncode == 2
    result = _run("allocate", url=url)
    assert result.returncode == 0, result.stderr
    assert "3 of 5 openings filled, greedy 3" in result.stdout
    assert "2 openings left: no eligible candidate" in result.stdout
    with Session(engine) as session:
        [plan] = session.query(AllocationPlan).all()
    assert (plan.filled, plan.openings) == (3, 5)
