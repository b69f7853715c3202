"""A placement's conversation over the API: its employer and institute write, officers read."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from talentbridge.deps import CurrentOrg, PartyTo, SessionDep
from talentbridge.placements import conversation
from talentbridge.placements.schemas import MessageCreate, MessageList, MessageRead

router = APIRouter(prefix="/placements", tags=["placements"])


@router.get("/{placement_id}/messages", response_model=MessageList)
def messages(
    placement: PartyTo,
    organisation: CurrentOrg,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=conversation.MAX_LINES)] = conversation.MAX_LINES,
) -> dict[str, Any]:
    """The placement's conversation, oldest first (the newest `limit` lines): the messages of
    its employer and the candidate's institute, and a `stage_change` line for every move
    (`data`: `from`, `to`, `by`). Officers read it too."""
    found = conversation.listing(
        session=session, placement=placement, reader=organisation, limit=limit
    )
    return {"items": found}


@router.post(
    "/{placement_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessageRead
)
def post_message(
    request: Request,
    placement: PartyTo,
    body: MessageCreate,
    organisation: CurrentOrg,
    session: SessionDep,
) -> conversation.Line:
    """Write to the other side of the placement (the employer or the candidate's institute).
    Officers read but do not write (403); `author` is the signed-in person (null with an API
    key)."""
    return conversation.post(
        session=session,
        placement=placement,
        organisation=organisation,
        user_id=getattr(request.state, "person_id", None),
        body=body.body,
    )
