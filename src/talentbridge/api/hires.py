from fastapi import APIRouter

from talentbridge.deps import Employer, SessionDep, WindowDep
from talentbridge.placements import hires as service
from talentbridge.placements.schemas import HirePage

router = APIRouter(prefix="/hires", tags=["placements"])


@router.get("", response_model=HirePage)
def list_hires(employer: Employer, session: SessionDep, window: WindowDep) -> HirePage:
    """The people you placed, newest first, with their names while they consent to sharing
    with employers (docs/privacy.md: what an employer sees after `placed`)."""
    return HirePage.of(service.page(session=session, employer=employer, window=window), window)
