"""Officers' pages: the demand report, allocation plans (list, make, one plan) and SSW gate
overrides, through the same services as the API."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from talentbridge.allocations import service as allocations
from talentbridge.allocations.schemas import Scope
from talentbridge.deps import MatcherDep, RecordId, SessionDep, ToolsDep
from talentbridge.pages import Window
from talentbridge.placements import lists as placement_lists
from talentbridge.placements import service as placements
from talentbridge.placements.schemas import OverrideCreate
from talentbridge.reports import demand as demand_service
from talentbridge.web import officer_names as names
from talentbridge.web.deps import CsrfForm, OfficerPerson, T
from talentbridge.web.i18n import N_
from talentbridge.web.render import render
from talentbridge.web.vacancies import SECTORS

router = APIRouter(prefix="/app", include_in_schema=False)
SHOWN = 50  # rows of the demand page's skills and occupations

GATES = {
    "sector": N_("Sector"),
    "skill_test": N_("Skill test"),
    "japanese_level": N_("Japanese level"),
    "care_language_test": N_("Care Japanese test"),
    "availability": N_("Availability"),
}
OVERRIDE_PROBLEMS = {
    "vacancy_id": N_("Enter the vacancy's number"),
    "candidate_id": N_("Enter the candidate's number"),
    "gates": N_("Choose at least one gate"),
    "reason": N_("Enter the reason, from 10 to 500 characters"),
}


def _sector(request: Request) -> str | None:
    chosen = request.query_params.get("sector")
    return chosen if chosen in SECTORS else None


@router.get("/demand")
def demand(request: Request, t: T, person: OfficerPerson, session: SessionDep) -> HTMLResponse:
    sector = _sector(request)
    report = demand_service.demand(
        session=session,
        organisation=person.organisation,
        filters=demand_service.DemandFilters(sector=sector),
    )
    # The largest gaps first, SHOWN of each list: nobody reads 700 rows on a page, and
    # formatting them all cost more than the report (the CSV and the API have every row).
    more = {"skills": len(report.skills), "occupations": len(report.occupations)}
    shown = report.model_copy(
        update={"skills": report.skills[:SHOWN], "occupations": report.occupations[:SHOWN]}
    )
    return render(
        request,
        t,
        "officer/demand.html",
        {
            "report": shown,
            "total": {k: n for k, n in more.items() if n > SHOWN},
            "shown": SHOWN,
            "sector": sector or "",
            "sectors": [("", t._("Every sector"))] + [(k, t._(v)) for k, v in SECTORS.items()],
        },
        person=person,
    )


@router.get("/plans")
def plans(request: Request, t: T, person: OfficerPerson, session: SessionDep) -> HTMLResponse:
    found = allocations.page(session=session, window=Window(100, 0))
    return render(
        request,
        t,
        "officer/plans.html",
        {
            "plans": found.items,
            "total": found.total,
            "sectors": [("", t._("Every sector"))] + [(k, t._(v)) for k, v in SECTORS.items()],
            "errors": {},
        },
        person=person,
    )


@router.post("/plans")
def make_plan(
    person: OfficerPerson,
    form: CsrfForm,
    session: SessionDep,
    matcher: MatcherDep,
    tools: ToolsDep,
) -> RedirectResponse:
    sector = form.get("sector")
    plan = allocations.create_plan(
        session=session,
        matcher=matcher,
        normaliser=tools.normaliser if tools else None,
        organisation=person.organisation,
        scope=Scope(sector=sector if sector in SECTORS else None),
    )
    return RedirectResponse(f"/app/plans/{plan.id}?done=plan_made", 303)


@router.get("/plans/{plan_id}")
def plan(
    request: Request, t: T, plan_id: RecordId, person: OfficerPerson, session: SessionDep
) -> HTMLResponse:
    found = allocations.read(session=session, plan_id=plan_id, locale=t.lang)
    wanted = [a.vacancy_id for a in found.assignments] + [u.vacancy_id for u in found.unfilled]
    context = {
        "plan": found,
        "vacancies": names.vacancies(session, wanted),
        "candidates": names.candidates(session, [a.candidate_id for a in found.assignments]),
    }
    return render(request, t, "officer/plan.html", context, person=person)


def _overrides_page(
    request: Request,
    t: T,
    person: OfficerPerson,
    session: SessionDep,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = placement_lists.overrides(session=session, window=Window(200, 0))
    return render(
        request,
        t,
        "officer/overrides.html",
        {
            "overrides": found.items,
            "vacancies": names.vacancies(session, [o.vacancy_id for o in found.items]),
            "candidates": names.candidates(session, [o.candidate_id for o in found.items]),
            "gates": [(k, t._(v)) for k, v in GATES.items()],
            "gate_names": GATES,
            "errors": errors or {},
            "values": values or {"gates": []},
        },
        person=person,
        status_code=status_code,
    )


@router.get("/overrides")
def overrides(request: Request, t: T, person: OfficerPerson, session: SessionDep) -> HTMLResponse:
    return _overrides_page(request, t, person, session)


@router.post("/overrides", response_model=None)
def record_override(
    request: Request, t: T, person: OfficerPerson, form: CsrfForm, session: SessionDep
) -> HTMLResponse | RedirectResponse:
    values: dict[str, Any] = {
        "vacancy_id": str(form.get("vacancy_id") or "").strip(),
        "candidate_id": str(form.get("candidate_id") or "").strip(),
        "gates": [str(g) for g in form.getlist("gates")],
        "reason": str(form.get("reason") or ""),
    }
    try:
        body = OverrideCreate.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for problem in exc.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "reason"
            errors.setdefault(name, t._(OVERRIDE_PROBLEMS.get(name, OVERRIDE_PROBLEMS["reason"])))
        return _overrides_page(
            request, t, person, session, errors=errors, values=values, status_code=422
        )
    placements.record_override(
        session=session,
        officer=person.organisation,
        vacancy_id=body.vacancy_id,
        candidate_id=body.candidate_id,
        gates=body.gates,
        reason=body.reason,
    )
    return RedirectResponse("/app/overrides?done=override_recorded", 303)
