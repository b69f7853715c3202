"""An employer's vacancies: the list (open and closed), post, edit and close one, and a
vacancy's ranked candidates with their reasons in the page's language, each with Shortlist."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from talentbridge.deps import Person, RecordId, SessionDep, ToolsDep
from talentbridge.errors import DomainError
from talentbridge.pages import Window
from talentbridge.placements import service as placements
from talentbridge.serving import answers
from talentbridge.vacancies import service as vacancies
from talentbridge.vacancies.schemas import VacancyCreate, VacancyUpdate
from talentbridge.web.deps import CsrfForm, EmployerPerson, T
from talentbridge.web.i18n import N_, Translator
from talentbridge.web.pipeline import board
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

SECTORS = {
    "care": N_("Nursing care"),
    "construction": N_("Construction"),
    "manufacturing": N_("Manufacturing"),
    "agriculture": N_("Agriculture"),
}
LEVELS = ("N5", "N4", "N3", "N2", "N1")
TEXT_FIELDS = ("title", "description", "sector", "prefecture", "min_japanese_level")
NUMBER_FIELDS = ("openings", "min_experience_years", "monthly_wage_jpy")
# What to say beside a field the schema refused: what is accepted.
PROBLEMS = {
    "title": N_("Enter a title of up to 200 characters"),
    "description": N_("Enter a description of up to 10,000 characters"),
    "sector": N_("Choose a sector"),
    "prefecture": N_("Enter a Japanese prefecture, like Aichi or 愛知県"),
    "openings": N_("Enter a whole number of openings from 1 to 10,000"),
    "required_skills": N_("Enter up to 100 different skills, one a line"),
    "min_japanese_level": N_("Choose a Japanese level"),
    "min_experience_years": N_("Enter the years of experience as a number from 0 to 60"),
    "monthly_wage_jpy": N_("Enter the monthly wage in yen as a whole number"),
    "start_date": N_("Enter a date like 2027-04-01"),
}
MATCHES_SHOWN = 20


def _values(form: FormData) -> dict[str, str]:
    names = (*TEXT_FIELDS, *NUMBER_FIELDS, "required_skills", "start_date")
    values = {name: str(form.get(name) or "").strip() for name in names}
    values["requires_skill_test"] = "true" if form.get("requires_skill_test") else ""
    return values


def _body(values: dict[str, str], *, partial: bool) -> dict[str, Any]:
    """The form as the API's body: empty optional fields left out (a PATCH keeps them)."""
    body: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, *NUMBER_FIELDS, "start_date"):
        if values[name] or name == "title" or (name == "sector" and not partial):
            body[name] = values[name]
    skills = [s.strip() for s in values["required_skills"].replace(",", "\n").splitlines()]
    body["required_skills"] = [s for s in skills if s]
    body["requires_skill_test"] = bool(values["requires_skill_test"])
    return body


def _parse(
    t: Translator, schema: type[BaseModel], values: dict[str, str], *, partial: bool
) -> tuple[Any, dict[str, str]]:
    try:
        return schema.model_validate(_body(values, partial=partial)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for problem in exc.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "title"
            errors.setdefault(name, t._(PROBLEMS.get(name, PROBLEMS["title"])))
        return None, errors


def _form_page(
    request: Request,
    t: Translator,
    person: Person,
    *,
    vacancy: Any = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if values is None:
        values = {"min_japanese_level": "N4", "requires_skill_test": "true", "openings": "1"}
        if vacancy is not None:
            values = {
                name: "" if getattr(vacancy, name) is None else str(getattr(vacancy, name))
                for name in (*TEXT_FIELDS, *NUMBER_FIELDS, "start_date")
            }
            values["required_skills"] = "\n".join(vacancy.required_skills)
            values["requires_skill_test"] = "true" if vacancy.requires_skill_test else ""
    return render(
        request,
        t,
        "employer/vacancy_form.html",
        {
            "vacancy": vacancy,
            "values": values,
            "errors": errors or {},
            "sectors": [("", t._("Choose a sector"))] + [(k, t._(v)) for k, v in SECTORS.items()],
            "levels": [(level, level) for level in LEVELS],
        },
        person=person,
        status_code=status_code,
    )


@router.get("/vacancies")
def list_vacancies(
    request: Request, t: T, person: EmployerPerson, session: SessionDep
) -> HTMLResponse:
    found = vacancies.page(
        session=session, employer_id=person.organisation.scope, window=Window(500, 0)
    )
    rows = list(found.items)
    return render(
        request,
        t,
        "employer/vacancies.html",
        {
            "open": [v for v in rows if v.status == "open"],
            "closed": [v for v in rows if v.status != "open"],
            "sectors": SECTORS,
            "total": found.total,
        },
        person=person,
    )


@router.get("/vacancies/new")
def new_vacancy(request: Request, t: T, person: EmployerPerson) -> HTMLResponse:
    return _form_page(request, t, person)


@router.post("/vacancies/new", response_model=None)
def post_vacancy(
    request: Request,
    t: T,
    person: EmployerPerson,
    form: CsrfForm,
    session: SessionDep,
    tools: ToolsDep,
) -> HTMLResponse | RedirectResponse:
    values = _values(form)
    body, errors = _parse(t, VacancyCreate, values, partial=False)
    if body is not None:
        try:
            vacancy = vacancies.create(
                session=session, employer=person.organisation, vacancy_in=body, tools=tools
            )
        except DomainError as exc:
            errors = {exc.field or "title": t._(PROBLEMS.get(exc.field or "", PROBLEMS["title"]))}
        else:
            return RedirectResponse(f"/app/vacancies/{vacancy.id}?done=vacancy_posted", 303)
    return _form_page(request, t, person, values=values, errors=errors, status_code=422)


@router.get("/vacancies/{vacancy_id}/edit")
def edit_vacancy(
    request: Request, t: T, vacancy_id: RecordId, person: EmployerPerson, session: SessionDep
) -> HTMLResponse:
    vacancy = vacancies.get(
        session=session, vacancy_id=vacancy_id, employer_id=person.organisation.id
    )
    return _form_page(request, t, person, vacancy=vacancy)


@router.post("/vacancies/{vacancy_id}/edit", response_model=None)
def save_vacancy(
    request: Request,
    t: T,
    vacancy_id: RecordId,
    person: EmployerPerson,
    form: CsrfForm,
    session: SessionDep,
    tools: ToolsDep,
) -> HTMLResponse | RedirectResponse:
    vacancy = vacancies.get(
        session=session, vacancy_id=vacancy_id, employer_id=person.organisation.id
    )
    values = _values(form)
    body, errors = _parse(t, VacancyUpdate, values, partial=True)
    if body is not None:
        try:
            vacancies.update_one(session=session, vacancy=vacancy, vacancy_in=body, tools=tools)
        except DomainError as exc:
            errors = {exc.field or "title": t._(PROBLEMS.get(exc.field or "", PROBLEMS["title"]))}
        else:
            return RedirectResponse(f"/app/vacancies/{vacancy.id}?done=vacancy_saved", 303)
    return _form_page(
        request, t, person, vacancy=vacancy, values=values, errors=errors, status_code=422
    )


@router.post("/vacancies/{vacancy_id}/close")
def close_vacancy(
    vacancy_id: RecordId,
    person: EmployerPerson,
    form: CsrfForm,
    session: SessionDep,
    tools: ToolsDep,
) -> RedirectResponse:
    vacancy = vacancies.get(
        session=session, vacancy_id=vacancy_id, employer_id=person.organisation.id
    )
    vacancies.update_one(
        session=session, vacancy=vacancy, vacancy_in=VacancyUpdate(status="closed"), tools=tools
    )
    return RedirectResponse(f"/app/vacancies/{vacancy.id}?done=vacancy_closed", 303)


@router.get("/vacancies/{vacancy_id}")
def vacancy_page(
    request: Request, t: T, vacancy_id: RecordId, person: EmployerPerson, session: SessionDep
) -> HTMLResponse:
    vacancy = vacancies.get(
        session=session, vacancy_id=vacancy_id, employer_id=person.organisation.id
    )
    matcher = getattr(request.app.state, "matcher", None)
    matches = None
    if matcher is not None and vacancy.status == "open":
        matches = answers.candidates_for_vacancy(
            session, matcher, vacancy, person.organisation, MATCHES_SHOWN, False, t.lang
        ).items
    return render(
        request,
        t,
        "employer/vacancy.html",
        {
            "vacancy": vacancy,
            "sectors": SECTORS,
            "matches": matches,
            "columns": board(session, t, person, vacancy_id=vacancy.id),
        },
        person=person,
    )


@router.post("/vacancies/{vacancy_id}/shortlist")
def shortlist(
    vacancy_id: RecordId, person: EmployerPerson, form: CsrfForm, session: SessionDep
) -> RedirectResponse:
    raw = str(form.get("candidate_id") or "")
    placements.create(
        session=session,
        employer=person.organisation,
        vacancy_id=vacancy_id,
        candidate_id=int(raw) if raw.isdigit() and len(raw) < 12 else 0,
    )
    return RedirectResponse(f"/app/vacancies/{vacancy_id}?done=shortlisted#pipeline", 303)
