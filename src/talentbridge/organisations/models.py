from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbridge.db import Base, TimestampMixin, utcnow


class OrgKind(StrEnum):
    institute = "institute"
    employer = "employer"
    officer = "officer"


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str | None] = mapped_column(String(64))
    prefecture: Mapped[str | None] = mapped_column(String(32))

    api_keys: Mapped[list["ApiKey"]] = relationship(back_populates="organisation")

    @property
    def scope(self) -> int | None:
        """Whose records it sees: its own (its id), or everyone's (None) as an officer."""
        return None if self.kind == OrgKind.officer else self.id


class ApiKey(Base):
    """An API key, stored only as its SHA-256: the plain key is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    organisation: Mapped[Organisation] = relationship(back_populates="api_keys")
