from collections.abc import Iterable

from sqlalchemy.orm import Session

from talentbridge.audit.models import AuditEntry


def record(
    *,
    session: Session,
    organisation_id: int | None,
    action: str,
    entity: str,
    entity_ids: Iterable[int | None],
    detail: str | None = None,
) -> None:
    """Log one access to personal data per record touched."""
    session.add_all(
        AuditEntry(
            organisation_id=organisation_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
        )
        for entity_id in entity_ids
    )


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
