from typing import Annotated

from fastapi import APIRouter, Path

from talentbridge.deps import CurrentOrg, SessionDep
from talentbridge.fields import MAX_ID
from talentbridge.ingestion import service
from talentbridge.ingestion.models import Job
from talentbridge.ingestion.schemas import JobRead

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobRead)
def read_job(
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)], organisation: CurrentOrg, session: SessionDep
) -> Job:
    """How far an upload's records are from being matchable (done, total, failed)."""
    return service.get_job(session=session, job_id=job_id, organisation=organisation)
