"""Pairs of records that may be one person, the keys records are filed under, and the queue
of records to check."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.candidates import models as _candidates  # noqa: F401 (a foreign key's table)
from talentbridge.db import SEQ, Base, utcnow
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)


class PairStatus(StrEnum):
    open = "open"
    same_person = "same_person"
    different_people = "different_people"


class DuplicatePair(Base):
    """Two records that may be one person; candidate_a < candidate_b. Erasing either
    record removes the pair (ON DELETE CASCADE)."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (
        UniqueConstraint("candidate_a", "candidate_b"),
        Index("ix_duplicate_pairs_status_score", "status", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_a: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    candidate_b: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=PairStatus.open)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    decided_at: Mapped[datetime | None]
    found_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateKey(Base):
    """A blocking key of a record: records sharing one are compared."""

    __tablename__ = "duplicate_keys"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class DuplicateCheck(Base):
    """A record created or changed, waiting to be compared with the others. Database
    triggers add one per insert and per change of a compared field, whatever the path."""

    __tablename__ = "duplicate_checks"

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(index=True)
