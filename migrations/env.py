"""Alembic environment: the URL comes from settings unless the caller passes a connection."""

from alembic import context
from sqlalchemy import Connection

from talentbridge.config import get_settings
from talentbridge.db import make_engine
from talentbridge.models_registry import Base

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild a table (copy, DROP, rename). With foreign keys on, that
        # DROP first deletes every row and fires ON DELETE actions in the tables pointing
        # at it (placements would lose their candidates). The pragma only takes effect
        # outside a transaction, hence the raw connection, before Alembic begins one.
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left broken foreign keys: {broken[:5]}")
    if sqlite:
        _pragma(connection, "PRAGMA foreign_keys=ON")


def _pragma(connection: Connection, statement: str) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(statement)


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=get_settings().database_url, target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
