from fastapi import APIRouter, status

from talentbridge.deps import Admin, CurrentOrg, SessionDep
from talentbridge.organisations import service
from talentbridge.organisations.schemas import (
    OrganisationCreate,
    OrganisationCreated,
    OrganisationRead,
)

router = APIRouter(tags=["organisations"])


@router.post(
    "/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationCreated
)
def create_organisation(
    body: OrganisationCreate, _: Admin, session: SessionDep
) -> OrganisationCreated:
    """Register an institute, employer or officer body (admin token); returns its API key once."""
    organisation, key = service.create(session=session, organisation_in=body)
    return OrganisationCreated(
        **OrganisationRead.model_validate(organisation).model_dump(), api_key=key
    )


@router.get("/organisations/me", response_model=OrganisationRead)
def who_am_i(organisation: CurrentOrg) -> OrganisationRead:
    """The organisation the API key belongs to."""
    return OrganisationRead.model_validate(organisation)
