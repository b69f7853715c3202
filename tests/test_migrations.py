"""Migrations go up, down and up again on both databases, and match the models."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.models_registry import Base, Organisation, Placement, Vacancy
from tests.builders import tallies_and_recount
from tests.conftest import make_database


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
            session.add_all(
                Placement(
                    vacancy_id=vacancy.id,
                    employer_id=employer.id,
                    institute_id=institute.id,
                    status=status,
                    sector="care",
                    state="Kerala",
                    prefecture="Aichi",
                    placed_on=placed_on,
                )
                for status, placed_on in (
                    ("placed", date(2026, 1, 31)),
                    ("placed", date(2026, 2, 1)),
                    ("offered", None),
                )
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
