from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.db import Base, TimestampMixin
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)
from talentbridge.records import EmbeddedMixin, OccupationMixin


class Vacancy(TimestampMixin, EmbeddedMixin, OccupationMixin, Base):
    __tablename__ = "vacancies"
    __table_args__ = (
        CheckConstraint("openings >= 1", name="openings_positive"),
        CheckConstraint("placed_count <= openings", name="placed_within_openings"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(String(16), index=True)
    prefecture: Mapped[str] = mapped_column(String(32), index=True)
    openings: Mapped[int] = mapped_column(Integer, default=1)
    placed_count: Mapped[int] = mapped_column(Integer, default=0)
    required_skills: Mapped[list[str]] = mapped_column(default=list)
    min_japanese_level: Mapped[str] = mapped_column(String(2), default="N4")
    requires_skill_test: Mapped[bool] = mapped_column(Boolean, default=True)
    min_experience_years: Mapped[float] = mapped_column(Float, default=0.0)
    monthly_wage_jpy: Mapped[int | None]
    start_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)

    @hybrid_property
    def is_open(self) -> bool:
        """Taking people: open, with an opening nobody is placed in yet (the one rule)."""
        return self.status == "open" and (self.placed_count or 0) < self.openings

    @is_open.inplace.expression
    @classmethod
    def _is_open_sql(cls) -> ColumnElement[bool]:
        return and_(cls.status == "open", cls.placed_count < cls.openings)
