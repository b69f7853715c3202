"""Jobs and the embedding queue: what a bulk upload leaves for the background workers."""

from collections.abc import Sequence

from sqlalchemy import func, insert, literal, or_, select
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.db import utcnow
from talentbridge.errors import NotFound
from talentbridge.ingestion.models import EmbeddingTask, Job
from talentbridge.notifications import events
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.vacancies.models import Vacancy


def start_job(
    *, session: Session, organisation_id: int, kind: str, entity: str, record_ids: Sequence[int]
) -> Job:
    """A job over `record_ids`, queued in the same transaction as the records themselves."""
    job = Job(
        organisation_id=organisation_id,
        kind=kind,
        total=len(record_ids),
        done=0,
        failed=0,
        finished_at=None if record_ids else utcnow(),
    )
    session.add(job)
    session.flush()
    if not record_ids:
        job_finished(session, job.organisation_id, job.id, total=0, done=0, failed=0)
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
