"""The institute's candidates: the list (search, filters, pages), a candidate's page, and
the form to add, edit and erase one; the same services as /api/v1/candidates."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from talentbridge.candidates import service as candidates
from talentbridge.candidates.models import Candidate
from talentbridge.deps import Person, RecordId, SessionDep, ToolsDep
from talentbridge.errors import DomainError
from talentbridge.pages import Window
from talentbridge.placements import lists as placement_lists
from talentbridge.placements import service as placements
from talentbridge.reports import supply
from talentbridge.serving import answers
from talentbridge.serving.sync import MatchService
from talentbridge.stages import ALL
from talentbridge.web import candidate_form as form_of
from talentbridge.web.deps import CsrfForm, InstitutePerson, T
from talentbridge.web.i18n import Translator
from talentbridge.web.pipeline import STAGES  # the stages as the board names them
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

PER_PAGE = 50
MAX_PAGE = 10_000
NO_STAGE = "none"
MATCHES_SHOWN = 10


def _page_number(raw: str | None) -> int:
    return max(1, min(MAX_PAGE, int(raw))) if raw and raw.isdigit() and len(raw) < 7 else 1


@router.get("/candidates")
def candidate_list(
    request: Request, t: T, person: InstitutePerson, session: SessionDep
) -> HTMLResponse:
    asked = request.query_params
    text = asked.get("q", "")[:200]
    sector = asked.get("sector") if asked.get("sector") in form_of.SECTORS else None
    consent = {"yes": True, "no": False}.get(asked.get("consent", ""))
    stage = asked.get("stage", "")
    stage = stage if stage in ALL or stage == NO_STAGE else ""
    number = _page_number(asked.get("page"))
    scope = person.organisation.id
    found = candidates.search(
        session=session,
        institute_id=scope,
        window=Window(limit=PER_PAGE, offset=(number - 1) * PER_PAGE),
        reader=person.organisation,
        text=text,
        sector=sector,
        consent=consent,
        among=placement_lists.candidates_at(institute_id=scope, stage=stage)
        if stage in ALL
        else None,
        not_among=(
            placement_lists.candidates_at(institute_id=scope, stage=None)
            if stage == NO_STAGE
            else None
        ),
    )
    capped = found.total > candidates.COUNT_CAP
    pages = max(1, -(-min(found.total, candidates.COUNT_CAP) // PER_PAGE))
    filters = {
        "q": text,
        "sector": sector or "",
        "consent": asked.get("consent", ""),
        "stage": stage,
    }
    return render(
        request,
        t,
        "candidates/list.html",
        {
            "found": found,
            "number": number,
            "pages": pages,
            "capped": capped,
            "cap": candidates.COUNT_CAP,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "sectors": [("", t._("Any sector"))]
            + [(k, t._(v)) for k, v in form_of.SECTORS.items()],
            "consents": [("", t._("Either")), ("yes", t._("Consents")), ("no", t._("Not yet"))],
            "stages": [("", t._("Any stage")), (NO_STAGE, t._("In no pipeline"))]
            + [(k, t._(v)) for k, v in STAGES.items()],
            "sector_names": {k: t._(v) for k, v in form_of.SECTORS.items()},
        },
        person=person,
    )


def _form_page(
    request: Request,
    t: Translator,
    person: Person,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    candidate: Candidate | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        t,
        "candidates/form.html",
        {
            "fields": form_of.fields(t),
            "values": values,
            "errors": errors or {},
            "candidate": candidate,
        },
        person=person,
        status_code=status_code,
    )


def _service_error(t: Translator, exc: DomainError) -> dict[str, str]:
    field = exc.field if exc.field in form_of.PROBLEMS else "external_id"
    if exc.status_code == 409:
        return {"external_id": t._(form_of.TAKEN)}
    return {field: t._(form_of.PROBLEMS[field])}


@router.get("/candidates/new")
def new_candidate(request: Request, t: T, person: InstitutePerson) -> HTMLResponse:
    return _form_page(request, t, person, values={})


@router.post("/candidates/new", response_model=None)
def add_candidate(
    request: Request,
    t: T,
    person: InstitutePerson,
    form: CsrfForm,
    session: SessionDep,
    tools: ToolsDep,
) -> HTMLResponse | RedirectResponse:
    values = form_of.typed(form)
    candidate_in, errors = form_of.to_create(t, values)
    if candidate_in is not None:
        try:
            made = candidates.create(
                session=session,
                institute=person.organisation,
                candidate_in=candidate_in,
                tools=tools,
            )
        except DomainError as exc:
            session.rollback()
            errors = _service_error(t, exc)
    if errors:
        return _form_page(request, t, person, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/app/candidates/{made.id}?done=candidate_added", status_code=303)


def _own(session: Any, person: Person, candidate_id: int) -> Candidate:
    """The institute's own candidate; another's is 404, as in the API."""
    return candidates.get(
        session=session, candidate_id=candidate_id, institute_id=person.organisation.id
    )


@router.get("/candidates/{candidate_id}")
def candidate_page(
    request: Request, t: T, candidate_id: RecordId, person: InstitutePerson, session: SessionDep
) -> HTMLResponse:
    candidate = candidates.read(
        session=session, candidate=_own(session, person, candidate_id), reader=person.organisation
    )
    matcher: MatchService | None = getattr(request.app.state, "matcher", None)
    matches = (
        answers.vacancies_for_candidate(
            session, matcher, candidate, MATCHES_SHOWN, False, locale=t.lang
        ).items
        if matcher is not None
        else None
    )
    return render(
        request,
        t,
        "candidates/one.html",
        {
            "candidate": candidate,
            "matches": matches,
            "history": placement_lists.history_of(session=session, candidate=candidate),
            "stage_names": {k: t._(v) for k, v in STAGES.items()},
            "sector_names": {k: t._(v) for k, v in form_of.SECTORS.items()},
            "labels": {k: t._(v) for k, v in form_of.LABELS.items()},
        },
        person=person,
    )


@router.get("/candidates/{candidate_id}/edit")
def edit_candidate(
    request: Request, t: T, candidate_id: RecordId, person: InstitutePerson, session: SessionDep
) -> HTMLResponse:
    candidate = _own(session, person, candidate_id)
    return _form_page(request, t, person, values=form_of.values_of(candidate), candidate=candidate)


@router.post("/candidates/{candidate_id}/edit", response_model=None)
def save_candidate(
    request: Request,
    t: T,
    candidate_id: RecordId,
    person: InstitutePerson,
    form: CsrfForm,
    session: SessionDep,
    tools: ToolsDep,
) -> HTMLResponse | RedirectResponse:
    candidate = _own(session, person, candidate_id)
    values = form_of.typed(form)
    candidate_in, errors = form_of.to_update(t, values)
    if candidate_in is not None:
        try:
            candidates.update_one(
                session=session, candidate=candidate, candidate_in=candidate_in, tools=tools
            )
        except DomainError as exc:
            session.rollback()
            candidate = _own(session, person, candidate_id)
            errors = _service_error(t, exc)
    if errors:
        return _form_page(
            request, t, person, values=values, errors=errors, candidate=candidate, status_code=422
        )
    return RedirectResponse(f"/app/candidates/{candidate.id}?done=candidate_saved", status_code=303)


@router.post("/candidates/{candidate_id}/erase")
def erase_candidate(
    candidate_id: RecordId, person: InstitutePerson, form: CsrfForm, session: SessionDep
) -> RedirectResponse:
    placements.erase_candidate(session=session, candidate=_own(session, person, candidate_id))
    supply.forget(session, candidate_id)  # the demand report's copy of their facts goes too
    return RedirectResponse("/app/candidates?done=candidate_erased", status_code=303)
