"""An institute uploads a spreadsheet: the rows stored, the failed ones listed by the
spreadsheet's own row with their external_id, column and what it accepts, and a progress
bar following the job (the same reading, storing and job services as the API)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from talentbridge.candidates.schemas import BulkResult
from talentbridge.deps import Person, RecordId, SessionDep, SettingsDep
from talentbridge.errors import Invalid
from talentbridge.ingestion import parsers, reading
from talentbridge.ingestion import service as jobs
from talentbridge.ingestion import upload as bulk
from talentbridge.ingestion.models import Job
from talentbridge.web import candidate_form as form_of
from talentbridge.web import problems
from talentbridge.web.deps import CsrfForm, InstitutePerson, T
from talentbridge.web.i18n import Translator
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

SHEET_TYPES = {".xlsx": reading.XLSX_TYPE, ".csv": "text/csv"}


def _upload_page(
    request: Request,
    t: Translator,
    person: Person,
    session: SessionDep,
    *,
    job: Job | None = None,
    result: BulkResult | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    failed = jobs.failed_rows(session=session, job=job) if job is not None else []

    def row_problem(problem: dict[str, Any]) -> str:
        # A failed row's problem is stored in English (the API's failed-rows CSV gives it):
        # a Japanese reader gets what the column accepts, as the candidate form says it.
        accepts = form_of.PROBLEMS.get(str(problem.get("field") or ""))
        return t._(accepts) if accepts and t.lang != "en" else str(problem.get("message", ""))

    return render(
        request,
        t,
        "candidates/upload.html",
        {
            "job": job,
            "result": result,
            "failed": failed,
            "row_problem": row_problem,
            "errors": {"spreadsheet": error} if error else {},
        },
        person=person,
        status_code=status_code,
    )


@router.get("/uploads")
def upload_form(
    request: Request, t: T, person: InstitutePerson, session: SessionDep
) -> HTMLResponse:
    return _upload_page(request, t, person, session)


@router.post("/uploads")
async def upload(
    request: Request,
    t: T,
    person: InstitutePerson,
    form: CsrfForm,
    session: SessionDep,
    settings: SettingsDep,
) -> HTMLResponse:
    sheet = form.get("spreadsheet")
    name = (sheet.filename or "").lower() if isinstance(sheet, UploadFile) else ""
    kind = next((media for end, media in SHEET_TYPES.items() if name.endswith(end)), None)
    if not isinstance(sheet, UploadFile) or not name:
        message = t._("Choose a spreadsheet (.xlsx or .csv) to upload")
    elif kind is None:
        message = t._("Choose an .xlsx or .csv file: %(name)s is neither", name=sheet.filename)
    else:
        message = ""
    if message:
        return await run_in_threadpool(
            _upload_page, request, t, person, session, error=message, status_code=422
        )
    assert isinstance(sheet, UploadFile) and kind is not None
    data = await sheet.read(settings.bulk_max_unpacked_bytes + 1)
    try:
        if len(data) > settings.bulk_max_unpacked_bytes:
            raise Invalid("too large", field="file", code="too_large")
        # read in a process of its own (ingestion/parsers.py), as the API reads files
        rows = await parsers.read_upload(settings, data, kind)
    except Invalid as exc:
        return await run_in_threadpool(_unreadable, request, t, person, session, exc)

    def store() -> HTMLResponse:
        try:
            result = bulk.upsert(
                session=session,
                institute=person.organisation,
                rows=rows,
                max_rows=settings.bulk_max_rows,
            )
        except Invalid as exc:
            return _unreadable(request, t, person, session, exc)
        job = jobs.uploaded_job(
            session=session, job_id=result.job_id, organisation=person.organisation
        )
        return _upload_page(request, t, person, session, job=job, result=result)

    return await run_in_threadpool(store)


def _unreadable(
    request: Request, t: Translator, person: Person, session: SessionDep, exc: Invalid
) -> HTMLResponse:
    """The file as a whole cannot be read: its header, size or format. The service's
    refusal's code says it in the reader's language (web/problems.py)."""
    message = t._("The file could not be read: %(reason)s", reason=problems.say(t, exc))
    return _upload_page(request, t, person, session, error=message, status_code=422)


@router.get("/uploads/{job_id}")
def upload_job(
    request: Request, t: T, job_id: RecordId, person: InstitutePerson, session: SessionDep
) -> HTMLResponse:
    job = jobs.uploaded_job(session=session, job_id=job_id, organisation=person.organisation)
    return _upload_page(request, t, person, session, job=job)
