"""Jobs and the embedding queue: what a bulk upload leaves for the background workers."""

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from talentbridge.db import utcnow
from talentbridge.errors import NotFound
from talentbridge.ingestion.models import EmbeddingTask, Job
from talentbridge.organisations.models import Organisation, OrgKind


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
    if record_ids:
        session.execute(
            insert(EmbeddingTask),
            [
                {"entity": entity, "record_id": record_id, "job_id": job.id, "attempts": 0}
                for record_id in record_ids
            ],
        )
    return job


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
