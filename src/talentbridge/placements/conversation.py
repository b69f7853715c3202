"""A placement's conversation: its employer and the candidate's institute write to each other,
officers read; every stage change adds a line by itself, in the move's own transaction.

Messages are free text and may name the person: they go with the person's record when the
institute erases it (`forget`), as the reasons of the placement's history do; the stage
lines stay (they tell stages, not people).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from talentbridge.accounts.models import User
from talentbridge.audit import service as audit
from talentbridge.db import utcnow
from talentbridge.errors import Forbidden, Invalid, NotFound
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements.models import Placement, PlacementMessage
from talentbridge.placements.schemas import MessageBody

MESSAGE = "message"
STAGE_CHANGE = "stage_change"
MAX_LINES = 500  # the newest lines a listing gives
_body = TypeAdapter(MessageBody)


@dataclass(frozen=True)
class Line:
    """A line as its readers see it: the writer's name rather than their id."""

    id: int
    kind: str
    body: str | None
    data: dict[str, Any] | None
    organisation_id: int
    author: str | None
    created_at: datetime


def writes_here(placement: Placement, organisation: Organisation) -> bool:
    """The placement's employer and the candidate's institute write; nobody else."""
    return (organisation.kind == OrgKind.employer and placement.employer_id == organisation.id) or (
        organisation.kind == OrgKind.institute and placement.institute_id == organisation.id
    )


def _readable(placement: Placement, organisation: Organisation) -> bool:
    return organisation.kind == OrgKind.officer or writes_here(placement, organisation)


def checked_body(body: str) -> str:
    """The message's text, stripped; Invalid naming `body` when empty, too long or not text."""
    try:
        return _body.validate_python(body)
    except ValidationError as exc:
        raise Invalid(exc.errors()[0]["msg"], field="body") from exc


def post(
    *,
    session: Session,
    placement: Placement,
    organisation: Organisation,
    user_id: int | None,
    body: str,
) -> Line:
    """A message from the employer or the institute (user_id: the person; None for an API key).

    Officers are refused (403); any other organisation does not see the placement (404).
    """
    if organisation.kind == OrgKind.officer:
        raise Forbidden("officers read a placement's conversation; they do not write in it")
    if not writes_here(placement, organisation):
        raise NotFound(f"placement {placement.id} not found")
    message = PlacementMessage(
        placement_id=placement.id,
        organisation_id=organisation.id,
        user_id=user_id,
        kind=MESSAGE,
        body=checked_body(body),
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    # The audit log names the message, never its text.
    audit.record(
        session=session,
        organisation_id=organisation.id,
        action="message",
        entity="placement",
        entity_ids=[placement.id],
        detail=f"message {message.id}",
        user_id=user_id,
    )
    author = session.get(User, user_id) if user_id is not None else None
    return _line(message, author.name if author else None)


def stage_line(
    session: Session,
    placement: Placement,
    was: str | None,
    to: str,
    by: Organisation,
    at: datetime | None = None,
) -> None:
    """The line a stage change adds (placements.service calls it in the move's transaction)."""
    session.add(
        PlacementMessage(
            placement_id=placement.id,
            organisation_id=by.id,
            user_id=None,
            kind=STAGE_CHANGE,
            data={"from": was, "to": to, "by": by.kind},
            created_at=at or utcnow(),
        )
    )


def listing(
    *, session: Session, placement: Placement, reader: Organisation, limit: int = MAX_LINES
) -> list[Line]:
    """The newest `limit` lines, oldest first, for a party to the placement or an officer."""
    if not _readable(placement, reader):
        raise NotFound(f"placement {placement.id} not found")
    rows = session.execute(
        select(PlacementMessage, User.name)
        .outerjoin(User, User.id == PlacementMessage.user_id)
        .where(PlacementMessage.placement_id == placement.id)
        .order_by(PlacementMessage.id.desc())
        .limit(limit)
    ).all()
    audit.record(
        session=session,
        organisation_id=reader.id,
        action="read",
        entity="conversation",
        entity_ids=[placement.id],
    )
    return [_line(m, name) for m, name in reversed(rows)]


def _line(message: PlacementMessage, author: str | None) -> Line:
    return Line(
        id=message.id,
        kind=message.kind,
        body=message.body,
        data=message.data,
        organisation_id=message.organisation_id,
        author=author,
        created_at=message.created_at,
    )


def forget(session: Session, placement_ids: Select[Any]) -> None:
    """Delete the messages of these placements (the person's record is erased)."""
    session.execute(
        delete(PlacementMessage)
        .where(PlacementMessage.placement_id.in_(placement_ids), PlacementMessage.kind == MESSAGE)
        .execution_options(synchronize_session=False)
    )
