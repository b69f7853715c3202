"""Limiters of failed authentication attempts and of requests, in-process or shared.

Both kinds answer the same three questions about string keys (a client address, a key
prefix, an account, an organisation):

- `check(keys)`: is any of them over its limit? (a `Refusal` with the seconds to wait, or None)
- `fail(keys)`: count one failed attempt against each;
- `hit(key)`: count one request against the key, refusing it when that passes the limit.

`FailureLimiter` keeps a sliding window per key in this process, bounded to `capacity` keys
of `limit` timestamps each (least recently failed forgotten first), so an attacker cycling
addresses or prefixes cannot grow memory. `SharedLimiter` keeps one row per key in the
`rate_counters` table, so every server process on one database counts the same failures and
requests: a window opens at a key's first count and lasts `window` seconds; its rows are
deleted once their window has passed. `limiter_for` picks one for the settings and engine.
"""

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from sqlalchemy import (
    Boolean,
    Connection,
    Engine,
    Float,
    Integer,
    String,
    Table,
    bindparam,
    case,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.config import Settings
from talentbridge.db import Base


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # whole seconds until another attempt is considered
    first: bool  # the first refusal of this block (worth an audit entry)


class Limiter(Protocol):
    limit: int
    window: float

    def check(self, keys: Sequence[str]) -> Refusal | None: ...

    def fail(self, keys: Sequence[str]) -> None: ...

    def hit(self, key: str) -> Refusal | None: ...


def _wait(started: float, window: float, now: float) -> int:
    return max(1, math.ceil(started + window - now))


@dataclass
class _Failures:
    times: deque[float]
    reported: bool = field(default=False)


class FailureLimiter:
    """In this process only: with several server processes each counts its own."""

    def __init__(
        self,
        *,
        limit: int,
        window: float,
        capacity: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.capacity = capacity
        self.clock = clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def check(self, keys: Sequence[str]) -> Refusal | None:
        """A refusal when any of the keys has used up its failures; else None."""
        now = self.clock()
        worst: Refusal | None = None
        with self._lock:
            for key in keys:
                entry = self._keys.get(key)
                if entry is None:
                    continue
                while entry.times and entry.times[0] <= now - self.window:
                    entry.times.popleft()
                if len(entry.times) < self.limit:
                    continue
                wait = _wait(entry.times[0], self.window, now)
                first = not entry.reported or (worst is not None and worst.first)
                entry.reported = True
                if worst is None or wait > worst.retry_after:
                    worst = Refusal(retry_after=wait, first=first)
                else:
                    worst = Refusal(retry_after=worst.retry_after, first=first)
        return worst

    def fail(self, keys: Sequence[str]) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                entry = self._keys.pop(key, None) or _Failures(deque(maxlen=self.limit))
                entry.times.append(now)
                entry.reported = False
                self._keys[key] = entry  # most recent last
                while len(self._keys) > self.capacity:
                    self._keys.popitem(last=False)

    def hit(self, key: str) -> Refusal | None:
        """Count a request; a refusal (not counted) when `limit` are in the window already."""
        refusal = self.check([key])
        if refusal is None:
            self.fail([key])
        return refusal


class RateCounter(Base):
    """One key's count in its current window, shared by every process on the database."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch
    count: Mapped[int] = mapped_column(Integer)
    reported: Mapped[bool] = mapped_column(Boolean, default=False)


COUNTERS = cast(Table, RateCounter.__table__)


class SharedLimiter:
    """Counts in the database: each call is one short transaction of its own, atomic across
    processes (an upsert), and apart from the request's unit of work, so a request that
    fails still leaves its failure counted."""

    def __init__(
        self,
        *,
        engine: Engine,
        namespace: str,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.namespace = namespace  # prefixed to every key: limiters share the table
        self.limit = limit
        self.window = window
        self.clock = clock
        self._pruned = clock()

    def check(self, keys: Sequence[str]) -> Refusal | None:
        """A refusal when any of the keys has used up its failures; else None."""
        now = self.clock()
        table = COUNTERS
        with self._transaction() as connection:
            rows = connection.execute(
                select(table.c.key, table.c.window_start, table.c.count).where(
                    table.c.key.in_([self.namespace + key for key in keys]),
                    table.c.window_start > now - self.window,
                    table.c.count >= self.limit,
                )
            ).all()
            if not rows:
                return None
            # Marked in the same statement that reads the flag: one process reports a block.
            newly = connection.execute(
                update(table)
                .where(table.c.key.in_([row.key for row in rows]), table.c.reported.is_(False))
                .values(reported=True)
            ).rowcount
        wait = max(_wait(row.window_start, self.window, now) for row in rows)
        return Refusal(retry_after=wait, first=bool(newly))

    def fail(self, keys: Sequence[str]) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._transaction() as connection:
            for key in keys:
                connection.execute(self._count(now), {"key": self.namespace + key})
        self._prune(now)

    def hit(self, key: str) -> Refusal | None:
        """Count a request; a refusal when it is past `limit` in the key's window."""
        now = self.clock()
        with self._transaction() as connection:
            counted = connection.execute(self._count(now), {"key": self.namespace + key})
            count, started = counted.one()
        self._prune(now)
        if count <= self.limit:
            return None
        return Refusal(retry_after=_wait(started, self.window, now), first=count == self.limit + 1)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # A counter lost in a crash costs nothing: no wait for the disk per request.
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield connection

    def _count(self, now: float) -> Any:
        """INSERT … ON CONFLICT DO UPDATE: one more in the key's window, or a new window."""
        table = COUNTERS
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values(
            key=bindparam("key"), window_start=now, count=1, reported=False
        )
        expired = table.c.window_start <= now - self.window
        return insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((expired, 1), else_=table.c.count + 1),
                "reported": case((expired, False), else_=table.c.reported),
                "window_start": case((expired, now), else_=table.c.window_start),
            },
        ).returning(table.c.count, table.c.window_start)

    def _prune(self, now: float) -> None:
        """Rows whose window has passed, at most once per window per process."""
        if now - self._pruned < self.window:
            return
        self._pruned = now
        table = COUNTERS
        with self._transaction() as connection:
            connection.execute(
                delete(table).where(
                    table.c.window_start < now - self.window,
                    table.c.key.startswith(self.namespace, autoescape=True),
                )
            )


def limiter_for(
    settings: Settings,
    engine: Engine,
    *,
    namespace: str,
    limit: int,
    window: float,
    capacity: int,
) -> Limiter:
    """The shared limiter on PostgreSQL (or whenever `rate_limit_store` says "database"),
    the in-process one on SQLite (or when it says "memory")."""
    store = settings.rate_limit_store
    if store == "auto":
        store = "database" if engine.dialect.name == "postgresql" else "memory"
    if store == "database":
        return SharedLimiter(engine=engine, namespace=namespace, limit=limit, window=window)
    return FailureLimiter(limit=limit, window=window, capacity=capacity)
