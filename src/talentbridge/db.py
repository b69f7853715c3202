"""Engine, sessions and the declarative base shared by every domain."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from talentbridge.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(UTC)


# A counter that only grows: BIGINT on PostgreSQL, SQLite's INTEGER rowid alias.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: DateTime(timezone=True)}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


def _sqlite_pragmas(dbapi_connection: Any, busy_seconds: float) -> None:
    # Let SQLAlchemy, not pysqlite, decide when a transaction begins (SQLAlchemy docs,
    # "Serializable isolation / Savepoints / Transactional DDL" for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # A writer waits this long for the write lock; then the request answers 503.
    cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
    cursor.close()


READ_ONLY = "talentbridge_read_only"  # execution option: a transaction that will not write


class WriteTurns:
    """SQLite writers of one process take turns on a lock before BEGIN IMMEDIATE.

    SQLite's busy handler polls for its write lock with growing sleeps, so under load a
    writer could lose every race for 10 s and answer 503 while later ones got through (the
    11 s tail at 32 users); waiting on a lock here gives the lock to writers in about the
    order they asked. Another process's writers still meet the busy handler."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()

    def begin(self, conn: Any) -> None:
        # A writing transaction takes the write lock up front (IMMEDIATE), so two racing
        # writers queue instead of one failing with "database is locked" halfway through. A
        # read-only one begins DEFERRED: under WAL it reads a snapshot and never waits for,
        # or blocks, a writer.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        if not self._lock.acquire(timeout=self.seconds):
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("locked"))
        conn.info[_TURN] = self
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    @staticmethod
    def end(conn: Any, *_: Any) -> None:
        turns = conn.info.pop(_TURN, None)
        if turns is not None:
            turns._lock.release()


_TURN = "talentbridge_write_turn"


def _released(dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool never keeps a write turn (its transaction is over)."""
    turns = record.info.pop(_TURN, None) if record is not None else None
    if turns is not None:
        turns._lock.release()


def make_engine(
    url: str,
    *,
    pool_size: int = 32,
    max_overflow: int = 8,
    pool_timeout: float = 10.0,
    sqlite_busy_seconds: float = 10.0,
) -> Engine:
    """An engine for either database, with SQLite set up for concurrent use.

    The pool should hold at least as many connections as the server has worker threads, so
    a thread never waits for a connection held by a request that is itself waiting for a
    thread; when it is exhausted anyway, a checkout gives up after `pool_timeout` seconds
    and the request answers 503.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_seconds},
            hide_parameters=True,  # errors and logs never carry a record's values
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
        )
        event.listen(engine, "connect", lambda conn, _: _sqlite_pragmas(conn, sqlite_busy_seconds))
        turns = WriteTurns(sqlite_busy_seconds)
        event.listen(engine, "begin", turns.begin)
        for ended in ("commit", "rollback"):
            event.listen(engine, ended, WriteTurns.end)
        event.listen(engine.pool, "checkin", _released)
        return engine
    return create_engine(
        url,
        hide_parameters=True,  # errors and logs never carry a record's values
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
    )


def engine_from(settings: Settings) -> Engine:
    """The engine the settings describe, pool included."""
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        sqlite_busy_seconds=settings.sqlite_busy_seconds,
    )


@cache
def get_engine() -> Engine:
    """The process's engine, built from settings on first use."""
    return engine_from(get_settings())


@cache
def _session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work for the CLI and background jobs: commit, or roll back on error."""
    with unit_of_work(_session_factory(engine or get_engine())) as session:
        yield session


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """A session that commits on success, rolls back on error and always closes.

    `read_only` is for requests that only read personal data and log that they did: on
    SQLite their transaction begins DEFERRED (a WAL snapshot that never holds the write
    lock), and the audit entries they add are written afterwards in a short writing
    transaction, before the caller sees the result. Nothing else may be written in one.
    """
    if read_only:
        session = factory(bind=_reading(factory.kw["bind"]))
        session.autoflush = False
        session.info[READ_ONLY] = True
    else:
        session = factory()
    try:
        yield session
        if read_only and session.bind is not None and session.bind.dialect.name == "sqlite":
            _commit_after_read(session)
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@cache
def _reading(engine: Engine) -> Engine:
    return engine.execution_options(**{READ_ONLY: True})


def _set_aside(session: Session) -> list[Any]:
    """The audit entries a read-only unit of work has added, taken out of the session so that
    ending its read snapshot writes nothing."""
    pending = list(session.new)
    if session.dirty or session.deleted:
        raise RuntimeError("a read-only unit of work changed stored records")
    for instance in pending:
        session.expunge(instance)
    return pending


def _commit_after_read(session: Session) -> None:
    pending = _set_aside(session)
    session.commit()  # ends the read snapshot
    if pending:
        session.add_all(pending)
        session.connection(execution_options={READ_ONLY: False})
        session.commit()


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """A short writing transaction inside a read-only unit of work, for a read that must first
    bring something up to date (the demand report folding pending supply changes).

    On SQLite a DEFERRED read snapshot that then writes fails at once with "database is
    locked" whenever another connection is writing (SQLite cannot upgrade it without a
    deadlock), so the snapshot ends, the writes take their turn under BEGIN IMMEDIATE and
    commit, and the reads after them see a new snapshot. Elsewhere it only runs the block."""
    if not session.info.get(READ_ONLY) or session.get_bind().dialect.name != "sqlite":
        yield
        return
    pending = _set_aside(session)
    session.commit()
    session.connection(execution_options={READ_ONLY: False})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.add_all(pending)
