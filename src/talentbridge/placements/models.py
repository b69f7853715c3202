from datetime import date, datetime
from typing import Annotated, Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbridge.accounts import models as _accounts  # noqa: F401 (a foreign key's table)
from talentbridge.candidates import models as _candidates  # noqa: F401 (a foreign key's table)
from talentbridge.db import Base, TimestampMixin, utcnow
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)
from talentbridge.stages import Stage
from talentbridge.vacancies import models as _vacancies  # noqa: F401 (a foreign key's table)

__all__ = [
    "GateOverride",
    "PlacedTally",
    "Placement",
    "PlacementEvent",
    "PlacementMessage",
    "Stage",
    "StageTally",
]


class Placement(TimestampMixin, Base):
    """A candidate in a vacancy's pipeline.

    Sector, state and prefecture are copied at creation so reports keep counting the row
    after the candidate's record is erased (candidate_id becomes NULL).
    """

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("vacancy_id", "candidate_id"),
        # One person, one job: enforced by the database, so racing requests cannot both win.
        Index(
            "uq_placements_candidate_placed",
            "candidate_id",
            unique=True,
            sqlite_where=text("status = 'placed'"),
            postgresql_where=text("status = 'placed'"),
        ),
        # The days of a month a report window covers only in part are counted from the
        # rows: this index alone answers that (an index-only scan), without the table.
        Index(
            "ix_placements_placed",
            "placed_on",
            "sector",
            "state",
            "prefecture",
            sqlite_where=text("status = 'placed'"),
            postgresql_where=text("status = 'placed'"),
        ),
        # The few placements moved past a failed SSW gate on an officer's override,
        # counted by the progress report without reading the rest.
        Index(
            "ix_placements_under_override",
            "placed_on",
            sqlite_where=text("under_override = 1"),
            postgresql_where=text("under_override"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=Stage.shortlisted)
    sector: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(64), index=True)
    prefecture: Mapped[str] = mapped_column(String(32), index=True)
    placed_on: Mapped[date | None]
    candidate_erased: Mapped[bool] = mapped_column(default=False)
    # Set when a shortlisting or move passed a failed SSW gate only by an officer's override.
    under_override: Mapped[bool] = mapped_column(default=False, server_default=false())

    events: Mapped[list["PlacementEvent"]] = relationship(
        back_populates="placement", order_by="PlacementEvent.id", cascade="all, delete-orphan"
    )


class PlacementEvent(Base):
    """One stage change: who moved it, when, and why."""

    __tablename__ = "placement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    placement: Mapped[Placement] = relationship(back_populates="events")


class PlacementMessage(Base):
    """A line of the conversation between a placement's employer and institute: a message a
    person (or an API key: no person) wrote, or the line each stage change adds by itself."""

    __tablename__ = "placement_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # "message" | "stage_change"
    body: Mapped[str | None] = mapped_column(Text)  # a message's text; None for a stage change
    data: Mapped[dict[str, Any] | None]  # a stage change's {"from", "to", "by"}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GateOverride(Base):
    """An officer's recorded exception: these SSW gates do not stop this person's
    placement in this vacancy (e.g. Technical Intern Training (ii) completers are exempt
    from the skills and language tests)."""

    __tablename__ = "gate_overrides"
    __table_args__ = (UniqueConstraint("vacancy_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    gates: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The place a tally counts for: part of each tally's key.
SectorKey = Annotated[str, mapped_column(String(16), primary_key=True)]
StateKey = Annotated[str, mapped_column(String(64), primary_key=True)]
PrefectureKey = Annotated[str, mapped_column(String(32), primary_key=True)]


class StageTally(Base):
    """How many placements stand at each stage, per sector, state and prefecture.

    Kept by placements.service in the transaction that moves the placement, so the
    programme-wide report sums a few thousand cells instead of scanning every placement.
    """

    __tablename__ = "stage_tallies"

    sector: Mapped[SectorKey]
    state: Mapped[StateKey]
    prefecture: Mapped[PrefectureKey]
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int]


class PlacedTally(Base):
    """Placements that reached the final stage, per calendar month ('YYYY-MM') and place."""

    __tablename__ = "placed_tallies"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    sector: Mapped[SectorKey]
    state: Mapped[StateKey]
    prefecture: Mapped[PrefectureKey]
    count: Mapped[int]
