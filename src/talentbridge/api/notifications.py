"""In-app notifications over the API: the caller's organisation's events, read per person."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel

from talentbridge.deps import CurrentOrg, RecordId, SessionDep
from talentbridge.errors import Forbidden
from talentbridge.fields import UtcDateTime
from talentbridge.notifications import service

router = APIRouter(prefix="/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    id: int
    kind: str
    occurred_at: UtcDateTime
    read: bool
    data: dict[str, Any]


class NotificationList(BaseModel):
    items: list[NotificationOut]


def _person_id(request: Request) -> int | None:
    person = getattr(request.state, "person", None)
    return person.user.id if person is not None else None


@router.get("", response_model=NotificationList)
def notifications(
    request: Request,
    organisation: CurrentOrg,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The newest events of your organisation; `read` is the signed-in person's (an API key
    reads nothing)."""
    found = service.listing(
        session=session, organisation_id=organisation.id, user_id=_person_id(request), limit=limit
    )
    return {"items": [n.as_dict() for n in found]}


@router.post("/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def mark_read(
    request: Request, notification_id: RecordId, organisation: CurrentOrg, session: SessionDep
) -> None:
    """Mark a notification read for the signed-in person."""
    user_id = _person_id(request)
    if user_id is None:
        raise Forbidden("notifications are read by people: sign in", field="Authorization")
    service.mark_read(
        session=session, event_id=notification_id, organisation_id=organisation.id, user_id=user_id
    )
