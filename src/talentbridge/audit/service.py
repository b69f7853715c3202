from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert
from sqlalchemy.orm import Session

from talentbridge import maintenance
from talentbridge.audit import writer
from talentbridge.audit.models import AuditEntry
from talentbridge.config import Settings
from talentbridge.db import READ_ONLY

# session.info key: a callable giving the id of the signed-in person the request acts for
# (set by deps.get_session), so every audit entry names them without each service passing it.
ACTING_PERSON = "acting_person"


def record(
    *,
    session: Session,
    organisation_id: int | None,
    action: str,
    entity: str,
    entity_ids: Iterable[int | None],
    detail: str | None = None,
    user_id: int | None = None,
    behind: bool = True,
) -> None:
    """Log one access to personal data per record touched (by `user_id` when a person
    did it, else by the session's person when signed in: see `acting_person`).

    behind: a read on SQLite hands its entries to the database's audit writer
    (`audit.writer`) instead of taking the write lock; False writes them in the session
    (its caller commits it)."""
    if user_id is None and (acting := session.info.get(ACTING_PERSON)) is not None:
        user_id = acting()
    rows = [
        {
            "organisation_id": organisation_id,
            "user_id": user_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail,
        }
        for entity_id in entity_ids
    ]
    if not rows:
        return
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        session.execute(insert(AuditEntry), rows)  # one statement, no per-object bookkeeping
        return
    engine = bind.engine if isinstance(bind, Connection) else bind
    if session.info.get(READ_ONLY) and behind:
        writer.writer_for(engine).put(rows)
        return
    # A writing session holds the write lock: the reads' waiting entries go first, in order.
    waiting = writer.waiting_for(engine)
    if waiting is not None:
        writer.write(session, waiting.take())
    if session.info.get(READ_ONLY):
        session.connection(execution_options={READ_ONLY: False})
    session.execute(insert(AuditEntry), rows)


def candidates(
    session: Session,
    organisation_id: int | None,
    action: str,
    candidate_ids: Iterable[int | None],
    detail: str | None = None,
) -> None:
    """Log one access to candidates' personal data per candidate touched."""
    record(
        session=session,
        organisation_id=organisation_id,
        action=action,
        entity="candidate",
        entity_ids=candidate_ids,
        detail=detail,
    )


@maintenance.task("audit_log")
def expire(session: Session, settings: Settings, now: datetime) -> int:
    """Delete audit entries older than `AUDIT_RETENTION_DAYS`."""
    cutoff = now - timedelta(days=settings.audit_retention_days)
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)
