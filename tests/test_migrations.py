"""Migrations go up, down and up again on both databases, and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from talentbridge import migrate
from talentbridge.models_registry import Base
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
