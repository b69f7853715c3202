"""The change feed: one row per insert, update or delete of a candidate or vacancy.

Database triggers (migration 0003) write it, so every path that changes a record feeds it,
bulk loads with COPY included. `seq` only grows; a deletion is a tombstone row. Rows older
than `CHANGE_FEED_RETENTION_HOURS` are pruned; a reader that was behind them reloads.
"""

from datetime import datetime, timedelta

from sqlalchemy import Boolean, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from talentbridge import maintenance
from talentbridge.config import Settings
from talentbridge.db import SEQ, Base


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}  # a pruned seq is never handed out again

    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp(), index=True)


@maintenance.task("change_feed")
def prune(session: Session, settings: Settings, now: datetime) -> int:
    """Delete feed rows older than the retention, always keeping the newest row (so a seq is
    never handed out again and a reader can tell it fell behind: `first_seq`)."""
    cutoff = now - timedelta(hours=settings.change_feed_retention_hours)
    newest = session.scalar(select(func.max(Change.seq)))
    if newest is None:
        return 0
    bound = session.scalar(select(func.max(Change.seq)).where(Change.at < cutoff))
    if bound is None:
        return 0
    result = session.execute(delete(Change).where(Change.seq <= min(bound, newest - 1)))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def first_seq(session: Session) -> int | None:
    """The oldest seq still in the feed (None: the feed is empty)."""
    return session.scalar(select(func.min(Change.seq)))
