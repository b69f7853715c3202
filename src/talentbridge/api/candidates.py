from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from talentbridge.candidates import service
from talentbridge.candidates.models import Candidate
from talentbridge.candidates.schemas import (
    BulkResult,
    CandidateCreate,
    CandidatePage,
    CandidateRead,
    CandidateUpdate,
)
from talentbridge.deps import (
    Institute,
    InstituteOrOfficer,
    OwnedCandidate,
    SessionDep,
    SettingsDep,
    ToolsDep,
    VisibleCandidate,
    WindowDep,
)
from talentbridge.ingestion import parsers
from talentbridge.ingestion import upload as bulk
from talentbridge.placements import service as placement_service
from talentbridge.reports import supply

router = APIRouter(prefix="/candidates", tags=["candidates"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CandidateRead)
def create_candidate(
    body: CandidateCreate, institute: Institute, session: SessionDep, tools: ToolsDep
) -> Candidate:
    """Submit one candidate."""
    return service.create(session=session, institute=institute, candidate_in=body, tools=tools)


BULK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post("/bulk", response_model=BulkResult, openapi_extra=BULK_BODY)
async def bulk_upload(
    request: Request,
    institute: Institute,
    session: SessionDep,
    settings: SettingsDep,
) -> BulkResult:
    """Create or update many candidates by external_id, from a JSON array, a CSV body, or a
    file uploaded as multipart/form-data in the field 'file' (.csv, .json or .xlsx).

    CSV and Excel: a header row with the field names; list fields separated by ';'. Rows are
    numbered from 1 (the first record after the header). Every good row is stored; every bad
    one is reported with its row number and field. The answer comes as soon as the rows are
    stored; `job_id` follows their embedding (GET /api/v1/jobs/{job_id}).
    """
    data = await request.body()
    # Reading a file is CPU work with limits checked as it goes: it runs in a process of its
    # own, so neither the event loop, nor the request threads, nor the lock they run under
    # wait for an upload.
    rows = await parsers.read_upload(settings, data, request.headers.get("content-type", ""))

    def store() -> BulkResult:
        return bulk.upsert(
            session=session, institute=institute, rows=rows, max_rows=settings.bulk_max_rows
        )

    # Writing thousands of rows is blocking work: it runs in a worker thread, so the event
    # loop keeps answering everyone else meanwhile. Embedding is not done here.
    return await run_in_threadpool(store)


@router.get("", response_model=CandidatePage)
def list_candidates(
    organisation: InstituteOrOfficer, session: SessionDep, window: WindowDep
) -> CandidatePage:
    """Your institute's candidates (officers: all), oldest first."""
    found = service.page(
        session=session,
        institute_id=organisation.scope,
        window=window,
        reader=organisation,
    )
    return CandidatePage.of(found, window)


@router.get("/{candidate_id}", response_model=CandidateRead)
def read_candidate(
    candidate: VisibleCandidate, organisation: InstituteOrOfficer, session: SessionDep
) -> Candidate:
    return service.read(session=session, candidate=candidate, reader=organisation)


@router.patch("/{candidate_id}", response_model=CandidateRead)
def update_candidate(
    body: CandidateUpdate, candidate: OwnedCandidate, session: SessionDep, tools: ToolsDep
) -> Candidate:
    """Change the fields sent; the rest stay as they are."""
    return service.update_one(session=session, candidate=candidate, candidate_in=body, tools=tools)


@router.delete("/{candidate_id}", status_code=status.HTTP_204_NO_CONTENT)
def erase_candidate(candidate: OwnedCandidate, session: SessionDep) -> Response:
    """Erase the person's record (privacy request); placement counts are kept anonymised."""
    erased = candidate.id
    placement_service.erase_candidate(session=session, candidate=candidate)
    supply.forget(session, erased)  # the demand report's copy of their facts goes too
    return Response(status_code=status.HTTP_204_NO_CONTENT)
