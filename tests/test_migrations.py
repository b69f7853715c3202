"""Migrations go up, down and up again on both databases, and match the models."""

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, insert, inspect, select, text
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.models_registry import Base, Candidate, Organisation, Vacancy
from tests.builders import tallies_and_recount
from tests.conftest import make_database

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _roundtrip(backend, tmp_path):
    db = make_database(backend, tmp_path)
    try:
        migrate.upgrade(db.url)
        assert "placements" in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], diff
        assert migrate.is_current(db.engine)
        migrate.downgrade(db.url)
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        assert not migrate.is_current(db.engine)
        migrate.upgrade(db.url)
        assert migrate.is_current(db.engine)
    finally:
        db.drop()


def test_sqlite_up_down_up(tmp_path):
    _roundtrip("sqlite", tmp_path)


def test_postgresql_up_down_up(tmp_path):
    _roundtrip("postgresql", tmp_path)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tallies_count_placements_made_before_them(backend, tmp_path):
    db = make_database(backend, tmp_path)
    try:
        migrate.upgrade(db.url, "0001")
        with Session(db.engine) as session, session.begin():
            institute = Organisation(kind="institute", name="I", state="Kerala")
            employer = Organisation(kind="employer", name="E", prefecture="Aichi")
            session.add_all([institute, employer])
            session.flush()
            vacancy = Vacancy(
                employer_id=employer.id, title="carer", sector="care", prefecture="Aichi"
            )
            session.add(vacancy)
            session.flush()
            # The placements table as 0001 made it (the model has grown columns since).
            placements = Table("placements", MetaData(), autoload_with=session.connection())
            session.execute(
                insert(placements),
                [
                    dict(
                        vacancy_id=vacancy.id,
                        employer_id=employer.id,
                        institute_id=institute.id,
                        status=status,
                        sector="care",
                        state="Kerala",
                        prefecture="Aichi",
                        placed_on=placed_on,
                        candidate_erased=False,
                        created_at=NOW,
                        updated_at=NOW,
                    )
                    for status, placed_on in (
                        ("placed", date(2026, 1, 31)),
                        ("placed", date(2026, 2, 1)),
                        ("offered", None),
                    )
                ],
            )
        migrate.upgrade(db.url)
        with Session(db.engine) as session:
            kept, recount = tallies_and_recount(session)
        assert kept == recount
        assert kept[1] == {
            ("2026-01", "care", "Kerala", "Aichi"): 1,
            ("2026-02", "care", "Kerala", "Aichi"): 1,
        }
    finally:
        db.drop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0004_keeps_placement_links_and_never_reuses_erased_ids(backend, tmp_path):
    """SQLite rebuilds the candidates table for AUTOINCREMENT: placements keep pointing at
    their candidates, and ids the audit log saw erased before the upgrade stay unused."""
    db = make_database(backend, tmp_path)
    try:
        migrate.upgrade(db.url, "0002")
        with db.engine.begin() as connection:
            meta = MetaData()
            tables = {
                name: Table(name, meta, autoload_with=connection)
                for name in ("organisations", "candidates", "vacancies", "placements", "audit_log")
            }
            org = {"created_at": NOW, "updated_at": NOW}
            institute = connection.execute(
                insert(tables["organisations"]).values(
                    kind="institute", name="I", state="Kerala", **org
                )
            ).inserted_primary_key[0]
            employer = connection.execute(
                insert(tables["organisations"]).values(
                    kind="employer", name="E", prefecture="Aichi", **org
                )
            ).inserted_primary_key[0]
            people = [
                connection.execute(
                    insert(tables["candidates"]).values(
                        institute_id=institute,
                        external_id=f"X{n}",
                        full_name="A",
                        state="Kerala",
                        date_of_birth=date(1990, 1, 1),
                        sector="care",
                        skills=[],
                        experience_years=0,
                        jft_basic_passed=False,
                        skill_test_passed=False,
                        care_language_test_passed=False,
                        preferred_prefectures=[],
                        consent_to_share=True,
                        **org,
                    )
                ).inserted_primary_key[0]
                for n in range(2)
            ]
            vacancy = connection.execute(
                insert(tables["vacancies"]).values(
                    employer_id=employer,
                    title="carer",
                    sector="care",
                    prefecture="Aichi",
                    openings=1,
                    placed_count=0,
                    required_skills=[],
                    min_japanese_level="N4",
                    requires_skill_test=True,
                    min_experience_years=0,
                    status="open",
                    **org,
                )
            ).inserted_primary_key[0]
            connection.execute(
                insert(tables["placements"]).values(
                    vacancy_id=vacancy,
                    candidate_id=people[0],
                    employer_id=employer,
                    institute_id=institute,
                    status="offered",
                    sector="care",
                    state="Kerala",
                    prefecture="Aichi",
                    candidate_erased=False,
                    **org,
                )
            )
            # Someone with a higher id was erased before the upgrade: only the log knows.
            connection.execute(
                insert(tables["audit_log"]).values(
                    at=NOW, action="erase", entity="candidate", entity_id=people[1] + 5
                )
            )
        migrate.upgrade(db.url)
        with Session(db.engine) as session, session.begin():
            if backend == "sqlite":
                schema = session.scalar(
                    text("SELECT sql FROM sqlite_master WHERE name = 'candidates'")
                )
                assert "AUTOINCREMENT" in schema
            linked = session.scalar(text("SELECT candidate_id FROM placements"))
            assert linked == people[0]
            newcomer = Candidate(
                institute_id=institute,
                external_id="NEW",
                full_name="B",
                state="Kerala",
                date_of_birth=date(1991, 1, 1),
                sector="care",
            )
            session.add(newcomer)
            session.flush()
            assert newcomer.id > people[1] + (5 if backend == "sqlite" else 0)
            assert (
                session.scalar(select(Candidate.guardian_consent).where(Candidate.id == people[0]))
                is False
            )
    finally:
        db.drop()
