from datetime import date

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.db import Base, TimestampMixin
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)
from talentbridge.records import EmbeddedMixin, OccupationMixin


class Candidate(TimestampMixin, EmbeddedMixin, OccupationMixin, Base):
    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("institute_id", "external_id"),
        # An institute's list, newest first, a page at a time (/app/candidates).
        Index("ix_candidates_institute_id_id", "institute_id", "id"),
        # The list's filters (consent, sector) answered from the index alone, newest first.
        Index("ix_candidates_list_filters", "institute_id", "consent_to_share", "sector", "id"),
        # "Any part of the name", "the start of the external_id" (ILIKE) on PostgreSQL.
        *(
            Index(
                f"ix_candidates_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("full_name", "external_id")
        ),
        # Never hand an erased person's id to someone else: audit entries and an
        # employer's old references keep pointing at one person (PostgreSQL sequences
        # never reuse ids anyway).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(index=True)  # under 18 today (demand report)
    state: Mapped[str] = mapped_column(String(64), index=True)
    sector: Mapped[str] = mapped_column(String(16), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(default=list)
    experience_years: Mapped[float] = mapped_column(Float, default=0.0)
    japanese_level: Mapped[str | None] = mapped_column(String(2))
    jft_basic_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    skill_test_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    care_language_test_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    preferred_prefectures: Mapped[list[str]] = mapped_column(default=list)
    available_from: Mapped[date | None]
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
