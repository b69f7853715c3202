from typing import Annotated

from fastapi import APIRouter, Path, Response

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


@router.get(
    "/{job_id}/failed-rows.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def failed_rows(
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)], organisation: CurrentOrg, session: SessionDep
) -> Response:
    """An upload's failed rows as sent, with an `error` column: fix them and upload the file
    again (the `error` column is ignored). Only the organisation that uploaded them."""
    job = service.uploaded_job(session=session, job_id=job_id, organisation=organisation)
    return Response(
        service.failed_rows_csv(session=session, job=job),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="job-{job_id}-failed-rows.csv"'},
    )
