"""Cleanup on a schedule: each domain registers what grows without end and how to trim it.

A task is a function `(session, settings, now) -> rows deleted`, registered under a name
with `@maintenance.task("jobs")` in the domain that owns the table. `run_all` runs every
registered task, each in its own transaction (one failing does not stop the others), from
the background worker loop every `MAINTENANCE_INTERVAL_SECONDS` and from `talentbridge
prune`. Every task must be safe to run twice at once (two workers): they only delete rows
past a cutoff, so a second run finds nothing left.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from sqlalchemy.orm import Session, sessionmaker

from talentbridge.config import Settings
from talentbridge.db import unit_of_work, utcnow

logger = logging.getLogger("talentbridge.maintenance")

Task: TypeAlias = Callable[[Session, Settings, datetime], int]
TASKS: dict[str, Task] = {}


def task(name: str) -> Callable[[Task], Task]:
    """Register a cleanup under `name` (registering a name again replaces it)."""

    def register(function: Task) -> Task:
        TASKS[name] = function
        return function

    return register


def run_all(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> dict[str, int]:
    """Run every registered task; rows deleted by each (-1: it failed, and is logged)."""
    from talentbridge import metrics

    now = now or utcnow()
    deleted: dict[str, int] = {}
    for name, function in sorted(TASKS.items()):
        try:
            with unit_of_work(sessions) as session:
                deleted[name] = function(session, settings, now)
        except Exception:
            logger.exception(
                "maintenance task failed; the next run tries again", extra={"task": name}
            )
            deleted[name] = -1
            continue
        if deleted[name]:
            metrics.MAINTENANCE_ROWS.labels(task=name).inc(deleted[name])
            logger.info("maintenance", extra={"task": name, "deleted": deleted[name]})
    return deleted
