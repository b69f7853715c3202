"""Webhooks: an organisation's receivers of events, and each delivery attempt to them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from talentbridge.deps import CurrentOrg, RecordId, SessionDep, SettingsDep
from talentbridge.errors import Forbidden
from talentbridge.fields import UtcDateTime
from talentbridge.notifications import webhooks
from talentbridge.notifications.models import Webhook
from talentbridge.organisations.models import Organisation

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


def webhook_owner(request: Request, organisation: CurrentOrg) -> Organisation:
    """An organisation's API key, or a signed-in admin of it (members may not)."""
    person = getattr(request.state, "person", None)
    if person is not None and person.user.role != "admin":
        raise Forbidden("only an admin of the organisation may manage webhooks")
    return organisation


Owner = Annotated[Organisation, Depends(webhook_owner)]


class WebhookCreate(BaseModel):
    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=20)


class WebhookRead(BaseModel):
    id: int
    url: str
    events: list[str]


class WebhookCreated(WebhookRead):
    secret: str  # shown once: HMAC-SHA256 key of X-TalentBridge-Signature


class AttemptRead(BaseModel):
    event_id: int
    kind: str
    status_code: int | None
    attempt: int
    at: UtcDateTime
    error: str | None
    delivery_status: str


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated)
def create(
    body: WebhookCreate, owner: Owner, session: SessionDep, settings: SettingsDep
) -> Webhook:
    """Register a receiver; the answer holds its secret, which is never shown again."""
    return webhooks.create(
        session=session,
        organisation_id=owner.id,
        url=body.url,
        kinds=body.events,
        allow_private=settings.webhook_allow_private,
    )


@router.get("", response_model=list[WebhookRead])
def listing(owner: Owner, session: SessionDep) -> list[Webhook]:
    return webhooks.listing(session=session, organisation_id=owner.id)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(webhook_id: RecordId, owner: Owner, session: SessionDep) -> None:
    hook = webhooks.get(session=session, webhook_id=webhook_id, organisation_id=owner.id)
    webhooks.delete(session=session, hook=hook)


@router.get("/{webhook_id}/deliveries", response_model=list[AttemptRead])
def deliveries(webhook_id: RecordId, owner: Owner, session: SessionDep) -> list[dict[str, Any]]:
    """Every attempt to deliver an event to this webhook, newest first."""
    hook = webhooks.get(session=session, webhook_id=webhook_id, organisation_id=owner.id)
    return webhooks.attempts(session=session, hook=hook)
