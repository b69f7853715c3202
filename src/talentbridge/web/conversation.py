"""A placement's page: the person (named only as the visibility policy allows), the vacancy,
the stage, and the conversation between the employer and the candidate's institute, with a
form to write for those two (officers read). The same service as the API's
/api/v1/placements/{id}/messages."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.deps import Person, RecordId, SessionDep
from talentbridge.errors import Invalid
from talentbridge.organisations.models import OrgKind
from talentbridge.placements import conversation
from talentbridge.placements import service as placements
from talentbridge.placements.models import Placement
from talentbridge.placements.schemas import MAX_MESSAGE
from talentbridge.stages import FORWARD, Stage
from talentbridge.vacancies.models import Vacancy
from talentbridge.web.deps import CsrfForm, CurrentPerson, T
from talentbridge.web.i18n import N_, Translator
from talentbridge.web.pipeline import MOVES, STAGES
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

# A stage line, by the kind of organisation that moved the placement: whole sentences.
MOVED_BY: dict[str, str] = {
    OrgKind.employer: N_("Moved from %(was)s to %(now)s by the employer"),
    OrgKind.institute: N_("Moved from %(was)s to %(now)s by the institute"),
}
MOVED = N_("Moved from %(was)s to %(now)s")
SHORTLISTED_BY = N_("Shortlisted by the employer")
# Who wrote a message: the person and their side, or the side alone (an API key).
WRITTEN_BY = {
    "employer": N_("%(name)s (employer)"),
    "institute": N_("%(name)s (institute)"),
}
SIDE = {"employer": N_("The employer"), "institute": N_("The institute")}
BODY_PROBLEM = N_("Enter a message of at most %(limit)s characters")


def stage_sentence(t: Translator, data: dict[str, Any]) -> str:
    """A stage line in the reader's language ("Moved from Shortlisted to Interviewing by the
    employer")."""
    was, now, by = data.get("from"), str(data.get("to")), data.get("by")
    now_label = t._(STAGES[Stage(now)]) if now in STAGES else now
    if was is None:
        if now == Stage.shortlisted and by == OrgKind.employer:
            return t._(SHORTLISTED_BY)
        was_label = "–"
    else:
        was_label = t._(STAGES[Stage(was)]) if was in STAGES else str(was)
    return t._(MOVED_BY.get(str(by), MOVED), was=was_label, now=now_label)


def _side(placement: Placement, organisation_id: int) -> str:
    return "employer" if organisation_id == placement.employer_id else "institute"


def _lines(
    session: Session, t: Translator, person: Person, placement: Placement
) -> list[dict[str, Any]]:
    shown = []
    for line in conversation.listing(
        session=session, placement=placement, reader=person.organisation
    ):
        side = _side(placement, line.organisation_id)
        if line.kind == conversation.STAGE_CHANGE:
            text, who = stage_sentence(t, line.data or {}), None
        else:
            text = line.body or ""
            who = t._(WRITTEN_BY[side], name=line.author) if line.author else t._(SIDE[side])
        shown.append({"line": line, "text": text, "who": who, "side": side})
    return shown


def _name(session: Session, person: Person, placement: Placement) -> str | None:
    """The person's name when the reader may see it (visibility policy), else None."""
    candidate = session.get(Candidate, placement.candidate_id) if placement.candidate_id else None
    if candidate is None:
        return None
    organisation = person.organisation
    if organisation.kind == OrgKind.institute:
        may = candidate.institute_id == organisation.id
    else:
        views = placements.views_of(session=session, viewer=organisation, candidates=[candidate])
        may = views[candidate.id].identity
    if not may:
        return None
    audit.candidates(session, organisation.id, "read", [candidate.id], f"placement {placement.id}")
    return candidate.full_name


def _page(
    request: Request,
    t: Translator,
    person: Person,
    session: Session,
    placement: Placement,
    *,
    errors: dict[str, str] | None = None,
    typed: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    vacancy = session.get(Vacancy, placement.vacancy_id)
    allowed = (
        placements.allowed_moves(placement.status, person.organisation.kind)
        if person.organisation.kind == OrgKind.employer
        else set()
    )
    context = {
        "placement": placement,
        "name": _name(session, person, placement),
        "vacancy": vacancy,
        "stage": t._(STAGES[Stage(placement.status)]),
        "lines": _lines(session, t, person, placement),
        "writes": conversation.writes_here(placement, person.organisation),
        "moves": [(s, t._(MOVES[s])) for s in (*FORWARD, Stage.rejected) if s in allowed],
        "errors": errors or {},
        "typed": typed,
        "limit": t.number(MAX_MESSAGE),
    }
    return render(request, t, "placement.html", context, person=person, status_code=status_code)


@router.get("/placements/{placement_id}")
def placement_page(
    request: Request, t: T, placement_id: RecordId, person: CurrentPerson, session: SessionDep
) -> HTMLResponse:
    found = placements.get(
        session=session, placement_id=placement_id, organisation=person.organisation
    )
    return _page(request, t, person, session, found)


@router.post("/placements/{placement_id}/messages", response_model=None)
def send(
    request: Request,
    t: T,
    placement_id: RecordId,
    person: CurrentPerson,
    form: CsrfForm,
    session: SessionDep,
) -> HTMLResponse | RedirectResponse:
    found = placements.get(
        session=session, placement_id=placement_id, organisation=person.organisation
    )
    typed = str(form.get("body") or "")
    try:
        conversation.post(
            session=session,
            placement=found,
            organisation=person.organisation,
            user_id=person.user.id,
            body=typed,
        )
    except Invalid:
        problem = {"body": t._(BODY_PROBLEM, limit=t.number(MAX_MESSAGE))}
        return _page(
            request, t, person, session, found, errors=problem, typed=typed, status_code=422
        )
    return RedirectResponse(
        f"/app/placements/{found.id}?done=message_sent#conversation", status_code=303
    )
