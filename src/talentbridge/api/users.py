from fastapi import APIRouter, status

from talentbridge.accounts import service
from talentbridge.accounts.schemas import UserCreate, UserRead
from talentbridge.deps import Admin, RecordId, SessionDep
from talentbridge.organisations import service as organisation_service

router = APIRouter(tags=["organisations"])


@router.post(
    "/organisations/{organisation_id}/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
)
def create_user(
    organisation_id: RecordId, body: UserCreate, _: Admin, session: SessionDep
) -> UserRead:
    """A person of an organisation (admin token): the first admin, who adds the others."""
    organisation = organisation_service.get(session=session, organisation_id=organisation_id)
    user = service.create(session=session, organisation=organisation, user_in=body)
    return UserRead.model_validate(user)
