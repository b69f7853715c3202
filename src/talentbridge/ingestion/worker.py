"""Background workers: occupation and vector for every queued record, off the request path.

A batch goes through three steps, none of them holding a lock while the model runs:
1. lease: in one short transaction, take up to `batch_size` tasks whose lease is free
   (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so any number of workers on any host never take
   the same task) and stamp them with this worker's name and a lease end;
2. compute: read the records' texts, embed and normalise them, outside any transaction;
3. commit: in one transaction, write the results of records whose text did not change
   meanwhile, delete the finished tasks and count them done on their jobs.
A worker killed between 1 and 3 commits nothing; its tasks are leased again once their
lease runs out, and the next worker finishes them. A record whose text changed during the
batch keeps its task and is done again with the new text.
"""

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import case, delete, event, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker, undefer

from talentbridge import metrics
from talentbridge.candidates.models import Candidate
from talentbridge.db import unit_of_work, utcnow
from talentbridge.ingestion import service as ingestion
from talentbridge.ingestion.models import EmbeddingTask, Job
from talentbridge.matching.derived import alternatives_of
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.matching.text import profile_text, text_hash, title_of
from talentbridge.matching.titles import (
    embed_titles,
    in_order,
    save_title_vectors,
    title_digest,
)
from talentbridge.vacancies.models import Vacancy

logger = logging.getLogger("talentbridge.worker")

MODELS: dict[str, Any] = {"candidate": Candidate, "vacancy": Vacancy}
MAX_ATTEMPTS = 3


@dataclass
class _Prepared:
    task_id: int
    job_id: int | None
    entity: str
    record_id: int
    digest: str | None = None  # None: the record is gone
    vector: np.ndarray | None = None
    occupation: Any = None
    titles: dict[str, np.ndarray] = field(default_factory=dict)  # its title's vector, by digest


class EmbeddingWorker:
    """Drains the embedding queue in batches; run it in a thread or as `talentbridge worker`."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        normaliser: OccupationNormaliser,
        batch_size: int = 64,
        lease_seconds: float = 120.0,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.embedder = embedder
        self.normaliser = normaliser
        self.batch_size = batch_size
        self.lease_time = timedelta(seconds=lease_seconds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # 1. lease ---------------------------------------------------------------------------
    def _free(self) -> Any:
        """Tasks nobody holds, whose lease ran out, or that this worker still holds from a
        batch it could not finish (the database went away mid-batch): it takes those back
        at once rather than waiting for its own lease to run out."""
        now = utcnow()
        return or_(
            EmbeddingTask.claimed_until.is_(None),
            EmbeddingTask.claimed_until < now,
            EmbeddingTask.claimed_by == self.name,
        )

    def has_work(self) -> bool:
        with unit_of_work(self.sessions, read_only=True) as session:
            return session.scalar(select(EmbeddingTask.id).where(self._free()).limit(1)) is not None

    def lease(self) -> list[_Prepared]:
        with unit_of_work(self.sessions) as session:
            ids = session.scalars(
                select(EmbeddingTask.id)
                .where(self._free())
                .order_by(EmbeddingTask.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not ids:
                return []
            session.execute(
                update(EmbeddingTask)
                .where(EmbeddingTask.id.in_(ids))
                .values(
                    claimed_by=self.name,
                    claimed_until=utcnow() + self.lease_time,
                    attempts=EmbeddingTask.attempts + 1,
                )
            )
            rows = session.execute(
                select(
                    EmbeddingTask.id,
                    EmbeddingTask.job_id,
                    EmbeddingTask.entity,
                    EmbeddingTask.record_id,
                ).where(EmbeddingTask.id.in_(ids))
            ).all()
        return [_Prepared(r.id, r.job_id, r.entity, r.record_id) for r in rows]

    # 2. compute -------------------------------------------------------------------------
    def compute(self, tasks: Sequence[_Prepared]) -> None:
        records: dict[tuple[str, int], Any] = {}
        with unit_of_work(self.sessions, read_only=True) as session:
            for entity, model in MODELS.items():
                ids = [t.record_id for t in tasks if t.entity == entity]
                if ids:
                    for record in session.scalars(select(model).where(model.id.in_(ids))):
                        records[(entity, record.id)] = record
            live = [t for t in tasks if (t.entity, t.record_id) in records]
            mine = [records[(t.entity, t.record_id)] for t in live]
        titles = [title_of(record) for record in mine]
        title_vectors = embed_titles(titles, self.embedder)
        texts = [profile_text(record) for record in mine]
        vectors = self.embedder.encode(texts)
        occupations = self.normaliser.normalise(
            titles,
            [record.sector for record in mine],
            np.asarray(vectors, dtype=np.float32),
            in_order(titles, title_vectors, self.embedder.dimension),
        )
        for task, text, vector, occupation, title in zip(
            live, texts, vectors, occupations, titles, strict=True
        ):
            task.digest = text_hash(text)
            task.vector = np.ascontiguousarray(vector, dtype=np.float32)
            task.occupation = occupation
            digest = title_digest(title)
            if digest is not None:
                task.titles = {digest: title_vectors[digest]}

    # 3. commit --------------------------------------------------------------------------
    def commit(self, tasks: Sequence[_Prepared]) -> int:
        finished: list[_Prepared] = []
        with unit_of_work(self.sessions) as session:
            mine = set(
                session.scalars(
                    select(EmbeddingTask.id).where(
                        EmbeddingTask.id.in_([t.task_id for t in tasks]),
                        EmbeddingTask.claimed_by == self.name,
                    )
                )
            )
            for task in tasks:
                if task.task_id not in mine:
                    continue  # the lease ran out and another worker has it now
                if task.digest is None or self._store(session, task):
                    finished.append(task)
            session.execute(
                update(EmbeddingTask)
                .where(
                    EmbeddingTask.id.in_(mine - {t.task_id for t in finished}),
                    EmbeddingTask.claimed_by == self.name,
                )
                .values(claimed_by=None, claimed_until=None)
            )
            stored = {d: v for t in finished for d, v in t.titles.items()}
            save_title_vectors(session, self.embedder.model_name, stored)
            self._finish(session, finished, field="done")
        return len(finished)

    def _store(self, session: Session, task: _Prepared) -> bool:
        model = MODELS[task.entity]
        record = session.scalars(
            select(model).where(model.id == task.record_id).options(undefer(model.embedding))
        ).one_or_none()
        if record is None:
            return True
        if text_hash(profile_text(record)) != task.digest:
            return False  # changed while we embedded it: do it again with the new text
        assert task.vector is not None
        record.embedding = task.vector.tobytes()
        record.embedding_hash = task.digest
        record.embedding_model = self.embedder.model_name
        match = task.occupation
        record.occupation_uri = match.uri if match else None
        record.occupation_label = match.label if match else None
        record.isco_group = match.isco_group if match else None
        record.occupation_alternatives = alternatives_of(match)
        return True

    def _finish(self, session: Session, tasks: Sequence[_Prepared], *, field: str) -> None:
        if not tasks:
            return
        session.execute(
            delete(EmbeddingTask).where(EmbeddingTask.id.in_([t.task_id for t in tasks]))
        )
        per_job: dict[int, int] = {}
        for task in tasks:
            if task.job_id is not None:
                per_job[task.job_id] = per_job.get(task.job_id, 0) + 1
        column = getattr(Job, field)
        finished = {"finished": 0, "failed": 0}
        now = utcnow()
        for job_id, count in per_job.items():
            session.execute(update(Job).where(Job.id == job_id).values({field: column + count}))
            ended = session.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    Job.finished_at.is_(None),
                    Job.done + Job.failed >= Job.total,
                )
                # never before it was created, whatever this host's clock says
                .values(finished_at=case((Job.created_at > now, Job.created_at), else_=now))
                .returning(Job.organisation_id, Job.total, Job.done, Job.failed)
            ).first()
            if ended is not None:
                organisation_id, total, done, failed = ended
                finished["failed" if failed else "finished"] += 1
                ingestion.job_finished(
                    session, organisation_id, job_id, total=total, done=done, failed=failed
                )
        # Counted once the transaction commits, never for work rolled back.
        event.listen(
            session, "after_commit", lambda _: _count(field, len(tasks), finished), once=True
        )

    def _fail(self, tasks: Sequence[_Prepared], error: Exception) -> None:
        """Give the batch back with the error; a task that failed too often counts as failed."""
        message = f"{type(error).__name__}: {error}"[:500]
        with unit_of_work(self.sessions) as session:
            ids = [t.task_id for t in tasks]
            attempts = dict(
                session.execute(
                    select(EmbeddingTask.id, EmbeddingTask.attempts).where(
                        EmbeddingTask.id.in_(ids), EmbeddingTask.claimed_by == self.name
                    )
                ).all()
            )
            session.execute(
                update(EmbeddingTask)
                .where(EmbeddingTask.id.in_(list(attempts)))
                .values(claimed_by=None, claimed_until=None, last_error=message)
            )
            spent = [t for t in tasks if attempts.get(t.task_id, 0) >= MAX_ATTEMPTS]
            self._finish(session, spent, field="failed")

    # the loop ---------------------------------------------------------------------------
    def run_once(self) -> int:
        """Lease, compute and commit one batch; the number of records finished."""
        tasks = self.lease()
        if not tasks:
            return 0
        try:
            self.compute(tasks)
        except DBAPIError:
            raise  # the database, not the batch: the tasks stay ours and are taken back
        except Exception as exc:
            logger.exception("embedding batch failed; its tasks go back to the queue")
            self._fail(tasks, exc)
            return 0
        return self._commit_while_leased(tasks)

    def _commit_while_leased(self, tasks: Sequence[_Prepared]) -> int:
        """Commit the computed batch, retrying while the database is away and the lease
        lasts, so a restart of the database does not throw the batch's work away."""
        until = time.monotonic() + self.lease_time.total_seconds()
        pause = 0.2
        while True:
            try:
                return self.commit(tasks)
            except DBAPIError as exc:
                if not exc.connection_invalidated and not isinstance(exc, OperationalError):
                    raise
                if time.monotonic() + pause >= until:
                    raise
                logger.warning("database unavailable; retrying the batch's commit")
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    def drain(self) -> int:
        """Run batches until the queue has nothing free to lease."""
        total = 0
        while True:
            done = self.run_once()
            total += done
            if not done and not self.has_work():
                return total

    def run(
        self,
        stop: threading.Event,
        *,
        idle_seconds: float = 0.5,
        every: Sequence[tuple[float, Callable[[], object]]] = (),
    ) -> None:
        """Work until `stop` is set, sleeping while the queue is empty; a database that goes
        away is waited for. `every`: (seconds, call) pairs run between batches that often
        (the maintenance tasks), the first time after one interval."""
        due = [time.monotonic() + seconds for seconds, _ in every]
        while not stop.is_set():
            for i, (seconds, call) in enumerate(every):
                if time.monotonic() >= due[i]:
                    due[i] = time.monotonic() + seconds
                    try:
                        call()
                    except Exception:
                        logger.exception("periodic task failed; it runs again next interval")
            try:
                if self.has_work():
                    finished = self.run_once()
                    if finished:
                        logger.info("%s finished %d records", self.name, finished)
                    continue
            except DBAPIError:
                logger.warning("embedding worker: the database is unavailable; will retry")
            except Exception:
                logger.exception("embedding worker: will retry")
            stop.wait(idle_seconds)


def _count(field: str, records: int, jobs: dict[str, int]) -> None:
    metrics.RECORDS_EMBEDDED.labels(outcome=field).inc(records)
    for outcome, n in jobs.items():
        if n:
            metrics.JOBS.labels(outcome=outcome).inc(n)
