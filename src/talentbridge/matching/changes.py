"""The change feed: one row per insert, update or delete of a candidate or vacancy.

Database triggers (migration 0003) write it, so every path that changes a record feeds it,
bulk loads with COPY included. `seq` only grows; a deletion is a tombstone row.
"""

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.db import SEQ, Base


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}  # a pruned seq is never handed out again

    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp(), index=True)
