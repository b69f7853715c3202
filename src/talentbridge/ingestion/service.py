"""Jobs and the embedding queue: what a bulk upload leaves for the background workers."""

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from talentbridge import maintenance
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.csvsafe import neutralise
from talentbridge.db import utcnow
from talentbridge.errors import NotFound
from talentbridge.ingestion.columns import COLUMNS
from talentbridge.ingestion.models import EmbeddingTask, FailedRow, Job
from talentbridge.notifications import events
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.vacancies.models import Vacancy


def start_job(
    *,
    session: Session,
    organisation_id: int,
    kind: str,
    entity: str,
    record_ids: Sequence[int],
    failed: int = 0,
) -> Job:
    """A job over `record_ids`, queued in the same transaction as the records themselves;
    `failed` rows of the upload count in its total as failed from the start."""
    now = utcnow()  # one reading: a job with nothing to do finishes as it is created
    job = Job(
        organisation_id=organisation_id,
        kind=kind,
        total=len(record_ids) + failed,
        done=0,
        failed=failed,
        created_at=now,
        finished_at=None if record_ids else now,
    )
    session.add(job)
    session.flush()
    if not record_ids:
        job_finished(
            session, job.organisation_id, job.id, total=job.total, done=0, failed=job.failed
        )
    if record_ids:
        session.execute(
            insert(EmbeddingTask),
            [
                {"entity": entity, "record_id": record_id, "job_id": job.id, "attempts": 0}
                for record_id in record_ids
            ],
        )
    return job


def job_finished(
    session: Session, organisation_id: int, job_id: int, *, total: int, done: int, failed: int
) -> None:
    """The upload's organisation learns its job is done, and how many records failed."""
    events.emit(
        session,
        events.Kind.upload_finished,
        [organisation_id],
        {"job_id": job_id, "total": total, "done": done, "failed": failed},
    )


def enqueue_stale(*, session: Session, model_name: str) -> int:
    """Queue every record whose vector is missing or from another model (say after the model
    or its backend changed) and is not queued yet; the number queued."""
    queued_total = 0
    for entity, model in (("candidate", Candidate), ("vacancy", Vacancy)):
        waiting = select(EmbeddingTask.id).where(
            EmbeddingTask.entity == entity, EmbeddingTask.record_id == model.id
        )
        stale = select(literal(entity), model.id, literal(0)).where(
            or_(model.embedding_model.is_(None), model.embedding_model != model_name),
            ~waiting.exists(),
        )
        result = session.execute(
            insert(EmbeddingTask).from_select(["entity", "record_id", "attempts"], stale)
        )
        queued_total += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    return queued_total


def get_job(*, session: Session, job_id: int, organisation: Organisation) -> Job:
    """A job of the caller's organisation (officers: any); else NotFound."""
    job = session.get(Job, job_id)
    if job is None or (
        organisation.kind != OrgKind.officer and job.organisation_id != organisation.id
    ):
        raise NotFound(f"job {job_id} not found")
    return job


def queued(*, session: Session) -> int:
    """Records waiting for their vector (for the worker's log)."""
    return session.scalar(select(func.count()).select_from(EmbeddingTask)) or 0


@maintenance.task("jobs")
def forget_finished_jobs(session: Session, settings: Settings, now: datetime) -> int:
    """Delete jobs finished more than `JOB_RETENTION_DAYS` ago (their tasks are long gone)."""
    cutoff = now - timedelta(days=settings.job_retention_days)
    result = session.execute(delete(Job).where(Job.finished_at < cutoff))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def queue_state(*, session: Session, now: datetime | None = None) -> dict[str, Any]:
    """The embedding queue for /metrics and /health: its depth, the age of its oldest task,
    and whether a worker holds a live lease on any of it."""
    now = now or utcnow()
    depth, oldest = session.execute(
        select(func.count(), func.min(EmbeddingTask.queued_at)).select_from(EmbeddingTask)
    ).one()
    leased = session.scalar(
        select(EmbeddingTask.id).where(EmbeddingTask.claimed_until > now).limit(1)
    )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # SQLite's CURRENT_TIMESTAMP is UTC, without zone
    return {
        "depth": int(depth or 0),
        "oldest_seconds": max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        "leased": leased is not None,
    }


def uploaded_job(*, session: Session, job_id: int, organisation: Organisation) -> Job:
    """A job the caller's organisation started itself (no one else: its failed rows hold
    people's details as they were sent); else NotFound."""
    job = session.get(Job, job_id)
    if job is None or job.organisation_id != organisation.id:
        raise NotFound(f"job {job_id} not found")
    return job


ERROR_COLUMN = "error"


def failed_rows_csv(*, session: Session, job: Job) -> str:
    """The job's failed rows as a CSV to fix and upload again: the columns as sent, then an
    `error` column (ignored when the file comes back); formula-like cells neutralised."""
    rows = session.scalars(
        select(FailedRow).where(FailedRow.job_id == job.id).order_by(FailedRow.row)
    ).all()
    columns = list(dict.fromkeys(name for row in rows for name in row.cells)) or list(COLUMNS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in [*columns, ERROR_COLUMN]])
    for row in rows:
        errors = "; ".join(
            f"row {row.row}, {error['field'] or 'the row'}: {error['message']}"
            for error in row.errors
        )
        writer.writerow(
            [neutralise(str(row.cells.get(name, ""))) for name in columns] + [neutralise(errors)]
        )
    return "\ufeff" + buffer.getvalue()  # the BOM: Excel then reads the file as UTF-8


def failed_rows(*, session: Session, job: Job) -> Sequence[FailedRow]:
    """The job's failed rows, by the spreadsheet's row (for the upload's page)."""
    return session.scalars(
        select(FailedRow).where(FailedRow.job_id == job.id).order_by(FailedRow.row)
    ).all()
