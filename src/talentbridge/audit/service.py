from collections.abc import Iterable

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from talentbridge.audit import writer
from talentbridge.audit.models import AuditEntry
from talentbridge.db import READ_ONLY


def record(
    *,
    session: Session,
    organisation_id: int | None,
    action: str,
    entity: str,
    entity_ids: Iterable[int | None],
    detail: str | None = None,
    behind: bool = True,
) -> None:
    """Log one access to personal data per record touched.

    behind: a read on SQLite hands its entries to the database's audit writer
    (`audit.writer`) instead of taking the write lock; False writes them in the session
    (its caller commits it)."""
    rows = [
        {
            "organisation_id": organisation_id,
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
