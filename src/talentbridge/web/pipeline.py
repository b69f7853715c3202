"""An employer's pipeline as a board by stage, the allowed next moves as buttons (the SSW
gates a forward move would fail explained on the card, before it is tried), and its hires."""

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.deps import Person, RecordId, SessionDep
from talentbridge.errors import Invalid
from talentbridge.fields import MAX_ID
from talentbridge.pages import Window
from talentbridge.placements import hires as hire_service
from talentbridge.placements import service as placements
from talentbridge.serving.reasons import render as say
from talentbridge.stages import ALL, FORWARD, Stage
from talentbridge.vacancies.models import Vacancy
from talentbridge.web.deps import CsrfForm, EmployerPerson, T
from talentbridge.web.i18n import N_, Translator
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

STAGES = {
    Stage.shortlisted: N_("Shortlisted"),
    Stage.interviewing: N_("Interviewing"),
    Stage.offered: N_("Offered"),
    Stage.visa_processing: N_("Visa processing"),
    Stage.placed: N_("Placed"),
    Stage.rejected: N_("Rejected"),
    Stage.withdrawn: N_("Withdrawn"),
}
# The buttons: the move's name (the controls' accessible names are a contract, issue 19).
MOVES = {**STAGES, Stage.rejected: N_("Reject")}
BOARD_SIZE = 500


@dataclass
class Card:
    id: int
    vacancy_id: int
    vacancy_title: str
    name: str | None
    moves: list[tuple[str, str]]
    blocking: list[str] = field(default_factory=list)
    waived: list[str] = field(default_factory=list)


def board(
    session: Session, t: Translator, person: Person, *, vacancy_id: int | None = None
) -> list[tuple[str, str, list[Card]]]:
    """The employer's placements (of one vacancy, if given) by stage: (stage, label, cards)."""
    found = placements.page(
        session=session,
        organisation=person.organisation,
        window=Window(BOARD_SIZE, 0),
        vacancy_id=vacancy_id,
    ).items
    people = [p.candidate_id for p in found if p.candidate_id is not None]
    rows = list(session.scalars(select(Candidate).where(Candidate.id.in_(people))))
    views = placements.views_of(session=session, viewer=person.organisation, candidates=rows)
    names = {c.id: c.full_name for c in rows if views[c.id].identity}
    wanted = {p.vacancy_id for p in found}
    titles = {v.id: v.title for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(wanted)))}
    columns: dict[str, list[Card]] = {stage: [] for stage in ALL}
    for p in found:
        allowed = placements.allowed_moves(p.status, person.organisation.kind)
        card = Card(
            id=p.id,
            vacancy_id=p.vacancy_id,
            vacancy_title=titles.get(p.vacancy_id, ""),
            name=names.get(p.candidate_id) if p.candidate_id else None,
            moves=[(s, t._(MOVES[s])) for s in (*FORWARD, Stage.rejected) if s in allowed],
        )
        if any(s in FORWARD for s in allowed):
            check = placements.placement_gates(session=session, placement=p)
            card.blocking = say(check.reasons, t.lang)
            card.waived = check.waived
        columns[p.status].append(card)
    return [(stage, t._(STAGES[stage]), columns[stage]) for stage in ALL]


@router.get("/placements")
def pipeline(
    request: Request,
    t: T,
    person: EmployerPerson,
    session: SessionDep,
    vacancy_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    return render(
        request,
        t,
        "employer/placements.html",
        {"columns": board(session, t, person, vacancy_id=vacancy_id)},
        person=person,
    )


@router.post("/placements/{placement_id}/move")
def move(
    placement_id: RecordId, person: EmployerPerson, form: CsrfForm, session: SessionDep
) -> RedirectResponse:
    found = placements.get(
        session=session, placement_id=placement_id, organisation=person.organisation
    )
    to = str(form.get("status") or "")
    if to not in MOVES:
        raise Invalid("choose one of the moves shown", field="status", code="choose_a_move")
    placements.move(session=session, placement=found, to=to, organisation=person.organisation)
    back = str(form.get("back") or "")
    if back == f"/app/placements/{found.id}":  # the placement's own page
        return RedirectResponse(f"{back}?done=moved#conversation", 303)
    target = (
        back
        if back in ("/app/placements", f"/app/vacancies/{found.vacancy_id}")
        else ("/app/placements")
    )
    return RedirectResponse(f"{target}?done=moved#pipeline", 303)


@router.get("/hires")
def hires(request: Request, t: T, person: EmployerPerson, session: SessionDep) -> HTMLResponse:
    found = hire_service.page(
        session=session, employer=person.organisation, window=Window(BOARD_SIZE, 0)
    )
    context: dict[str, Any] = {"hires": found.items, "total": found.total}
    return render(request, t, "employer/hires.html", context, person=person)
