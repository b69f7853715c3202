"""Audit entries of reads on SQLite, written behind the request by one thread per database.

A `GET` on SQLite reads a WAL snapshot and must not queue for the one write lock, as it
did when each read wrote its own entries in a short writing transaction at its end (at 64
users reads then waited 20 s behind the writers). Instead its entries go to this queue,
and one thread writes whatever has gathered in one transaction, at most `FLUSH_SECONDS`
after the answer. A writing request (which holds the write lock anyway) takes the waiting
entries into its own transaction first, so the log keeps the order things happened in (a
read before an erasure is logged before it).

Durability: an entry is committed within about `FLUSH_SECONDS` of the answer, or with the
next write, whichever is first; a clean shutdown writes the rest (`close_all`); a process
killed outright loses the entries of its last fraction of a second. If the database stays
locked, entries wait and are tried again, never dropped; the queue holds at most
`CAPACITY` entries, and a read finding it full waits for room.
"""

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.orm import Session

from talentbridge.audit.models import AuditEntry
from talentbridge.db import READ_ONLY

logger = logging.getLogger("talentbridge.audit")

FLUSH_SECONDS = 0.2
CAPACITY = 100_000
Row = Mapping[str, Any]


class AuditWriter:
    """The entries of reads waiting to be written, and the thread that writes them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._rows: list[Row] = []
        self._cond = threading.Condition()
        self._closed = False
        self._writing = False
        self.written = 0  # entries committed by this writer's own thread (for /health, tests)
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def put(self, rows: Sequence[Row]) -> None:
        """Queue entries (a read's); returns at once unless the queue is full."""
        with self._cond:
            while len(self._rows) >= CAPACITY and not self._closed:
                self._cond.wait(0.1)
            self._rows.extend(rows)
            self._cond.notify_all()

    def take(self) -> list[Row]:
        """Every waiting entry, for a writer that will insert them itself."""
        with self._cond:
            rows, self._rows = self._rows, []
            self._cond.notify_all()
        return rows

    def pending(self) -> int:
        with self._cond:
            return len(self._rows)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every entry queued so far is written; False on timeout."""
        with self._cond:
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._rows and not self._writing, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(30)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._rows or self._closed)
                if self._closed and not self._rows:
                    return
                self._writing = True
            if not self._closed:
                threading.Event().wait(FLUSH_SECONDS)  # let a batch gather
            rows = self.take()
            try:
                with self.engine.connect() as connection:
                    connection = connection.execution_options(**{READ_ONLY: False})
                    with connection.begin():
                        write(connection, rows)
                self.written += len(rows)
            except Exception:
                logger.exception("audit entries not written yet; trying again")
                with self._cond:
                    self._rows[:0] = rows
                threading.Event().wait(FLUSH_SECONDS)
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()


def write(connection: Connection | Session, rows: Sequence[Row]) -> None:
    if rows:
        connection.execute(insert(AuditEntry), list(rows))


_writers: dict[int, AuditWriter] = {}
_lock = threading.Lock()


def writer_for(engine: Engine) -> AuditWriter:
    """The one writer of this database (engines sharing a pool share it)."""
    key = id(engine.pool)
    with _lock:
        found = _writers.get(key)
        if found is None:
            found = _writers[key] = AuditWriter(engine)
        return found


def waiting_for(engine: Engine) -> AuditWriter | None:
    return _writers.get(id(engine.pool))


def close_all() -> None:
    """Write every waiting entry and stop the threads (at shutdown)."""
    with _lock:
        writers = list(_writers.values())
        _writers.clear()
    for writer in writers:
        writer.close()
