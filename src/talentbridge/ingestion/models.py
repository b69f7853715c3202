"""Bulk-upload jobs and the durable queue of records waiting for their vector."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.db import SEQ, Base, utcnow
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)


class Job(Base):
    """One upload's background work: how many records to prepare, how many are done."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class EmbeddingTask(Base):
    """A record whose occupation and vector must be (re)computed.

    A worker leases a batch (claimed_by, claimed_until), embeds it outside any transaction,
    then in one transaction writes the vectors, deletes the tasks and counts them done. A
    worker that dies mid-batch leaves its tasks to be leased again when the lease runs out.
    """

    __tablename__ = "embedding_tasks"
    # Is this record queued already? (asked for every record when a server starts)
    __table_args__ = (Index("ix_embedding_tasks_record", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))


class FailedRow(Base):
    """A row of an upload that was not stored, as it was sent, with what was wrong: the
    institute downloads these to fix and upload again (deleted with their job)."""

    __tablename__ = "failed_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(100))
    cells: Mapped[dict[str, Any]] = mapped_column(JSON)  # column -> the text sent, in order
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{field, message}]
