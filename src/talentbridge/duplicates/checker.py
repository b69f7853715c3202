"""The background check: every record created or changed is compared with the others.

Database triggers queue a check per change (duplicate_checks). A checker leases a batch in
one short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so checkers in any number of
processes never take the same rows), then compares the records and deletes the rows it
leased in a second one. A record changed again meanwhile has a new row, checked next
time; a checker that dies leaves its lease to run out. It runs beside the embedding worker:
a thread of the server (TALENTBRIDGE_INPROCESS_WORKER) and of `talentbridge worker`.
"""

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from talentbridge.config import Settings
from talentbridge.db import unit_of_work, utcnow
from talentbridge.duplicates import linking
from talentbridge.duplicates.model import LinkageModel
from talentbridge.duplicates.models import DuplicateCheck

logger = logging.getLogger("talentbridge.duplicates")


class DuplicateChecker:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        model: LinkageModel,
        batch_size: int = 200,
        lease_seconds: float = 120.0,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.model = model
        self.batch_size = batch_size
        self.lease_time = timedelta(seconds=lease_seconds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def _free(self) -> Any:
        return or_(DuplicateCheck.claimed_until.is_(None), DuplicateCheck.claimed_until < utcnow())

    def has_work(self) -> bool:
        with unit_of_work(self.sessions, read_only=True) as session:
            query = select(DuplicateCheck.id).where(self._free()).limit(1)
            return session.scalar(query) is not None

    def lease(self) -> dict[int, int]:
        """{check id: candidate id} of the batch this checker now holds."""
        with unit_of_work(self.sessions) as session:
            rows = session.execute(
                select(DuplicateCheck.id, DuplicateCheck.candidate_id)
                .where(self._free())
                .order_by(DuplicateCheck.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if rows:
                session.execute(
                    update(DuplicateCheck)
                    .where(DuplicateCheck.id.in_([r.id for r in rows]))
                    .values(claimed_by=self.name, claimed_until=utcnow() + self.lease_time)
                )
        return {r.id: r.candidate_id for r in rows}

    def run_once(self) -> int:
        """Check one batch; the number of queue rows finished."""
        leased = self.lease()
        if not leased:
            return 0
        with unit_of_work(self.sessions) as session:
            linking.check(session, sorted(set(leased.values())), self.model)
            session.execute(
                delete(DuplicateCheck).where(
                    DuplicateCheck.id.in_(list(leased)), DuplicateCheck.claimed_by == self.name
                )
            )
        return len(leased)

    def drain(self) -> int:
        total = 0
        while done := self.run_once():
            total += done
        return total

    def run(self, stop: threading.Event, *, idle_seconds: float = 1.0) -> None:
        """Work until `stop` is set, sleeping while the queue is empty."""
        while not stop.is_set():
            try:
                if self.run_once():
                    continue
            except Exception:
                logger.exception("duplicate check: will retry")
            stop.wait(idle_seconds)


def model_for(settings: Settings) -> LinkageModel:
    """The linkage parameters the settings name, their threshold overridden if set."""
    model = LinkageModel.load(settings.duplicates_model_file)
    if settings.duplicates_threshold is not None:
        model.threshold = settings.duplicates_threshold
    return model


def start(
    sessions: sessionmaker[Session], settings: Settings, stop: threading.Event
) -> threading.Thread | None:
    """The checker in a daemon thread, unless the settings turn it off."""
    if not settings.duplicates_check:
        return None
    checker = DuplicateChecker(
        sessions=sessions,
        model=model_for(settings),
        batch_size=settings.duplicates_batch_size,
        lease_seconds=settings.duplicates_lease_seconds,
    )
    thread = threading.Thread(target=checker.run, args=(stop,), name="duplicate-checker")
    thread.daemon = True
    thread.start()
    return thread
