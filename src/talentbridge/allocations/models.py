from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.candidates import models as _candidates  # noqa: F401 (a foreign key's table)
from talentbridge.db import Base, utcnow
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)
from talentbridge.vacancies import models as _vacancies  # noqa: F401 (a foreign key's table)


class AllocationPlan(Base):
    """One run of the allocation: its scope, how many it placed, and against greedy.

    `unfilled` names vacancies only (no personal data), so it is kept as one JSON list.
    """

    __tablename__ = "allocation_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(64))
    prefecture: Mapped[str | None] = mapped_column(String(32))
    top_k: Mapped[int]
    openings: Mapped[int]
    filled: Mapped[int]
    greedy_filled: Mapped[int]
    total_score: Mapped[float] = mapped_column(Float)
    greedy_total_score: Mapped[float] = mapped_column(Float)
    unfilled: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Assignment(Base):
    """A proposed (vacancy, candidate) pair of a plan; erasing the candidate removes it."""

    __tablename__ = "allocation_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_plans.id", ondelete="CASCADE"), index=True
    )
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(default=list)
