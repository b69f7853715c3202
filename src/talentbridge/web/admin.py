"""An organisation's admins: their people (add, deactivate, reset a password) and API keys
(create, revoke); officers: every organisation and its people."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from talentbridge.accounts import service as accounts
from talentbridge.accounts.models import Role
from talentbridge.accounts.schemas import MIN_PASSWORD, UserCreate
from talentbridge.audit import service as audit
from talentbridge.deps import Person, RecordId, SessionDep
from talentbridge.errors import Conflict
from talentbridge.organisations import service as organisations
from talentbridge.web.deps import AdminPerson, CsrfForm, OfficerPerson, T
from talentbridge.web.i18n import N_, Translator
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

# What to say when the schema refuses a field the checks above let through.
FIELD_PROBLEMS = {
    "name": N_("Enter the name on one line, in visible characters"),
    "email": N_("Enter an email address like name@example.org"),
    "password": N_("Enter a password without control characters"),
    "role": N_("Choose a role"),
}


def _log(session: Any, person: Person, action: str, entity: str, entity_id: int) -> None:
    audit.record(
        session=session,
        organisation_id=person.organisation.id,
        action=action,
        entity=entity,
        entity_ids=[entity_id],
    )


def _people_page(
    request: Request,
    t: Translator,
    person: Person,
    session: Any,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    people = accounts.people(session=session, organisation_id=person.organisation.id)
    return render(
        request,
        t,
        "admin/people.html",
        {
            "people": people,
            "errors": errors or {},
            "values": values or {},
            "roles": [(Role.admin, t._("Admin")), (Role.member, t._("Member"))],
        },
        person=person,
        status_code=status_code,
    )


@router.get("/people")
def people(request: Request, t: T, person: AdminPerson, session: SessionDep) -> HTMLResponse:
    return _people_page(request, t, person, session)


def _person_errors(t: Translator, values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not values["name"]:
        errors["name"] = t._("Enter the person's name")
    if "@" not in values["email"].strip("@"):
        errors["email"] = t._("Enter an email address like name@example.org")
    if values["role"] not in (Role.admin, Role.member):
        errors["role"] = t._("Choose a role")
    if len(values["password"]) < MIN_PASSWORD:
        errors["password"] = t._(
            "Enter a password of at least %(count)s characters", count=t.number(MIN_PASSWORD)
        )
    return errors


@router.post("/people", response_model=None)
def add_person(
    request: Request, t: T, person: AdminPerson, form: CsrfForm, session: SessionDep
) -> HTMLResponse | RedirectResponse:
    values = {k: str(form.get(k, "")).strip() for k in ("name", "email", "role")}
    values["password"] = str(form.get("password", ""))
    errors = _person_errors(t, values)
    try:
        user_in = UserCreate.model_validate(values)
    except ValidationError as exc:  # every field's problem at once, the plainer message first
        for error in exc.errors():
            field = str(error["loc"][0])
            errors.setdefault(field, t._(FIELD_PROBLEMS[field]))
    if not errors:
        try:
            user = accounts.create(
                session=session, organisation=person.organisation, user_in=user_in
            )
        except Conflict:
            errors["email"] = t._("Someone already has this email address")
    if errors:
        values.pop("password")  # never sent back into the page
        return _people_page(
            request, t, person, session, errors=errors, values=values, status_code=422
        )
    _log(session, person, "person_added", "user", user.id)
    return RedirectResponse("/app/people?done=person_added", status_code=303)


@router.post("/people/{user_id}/deactivate")
def deactivate(
    user_id: RecordId, person: AdminPerson, form: CsrfForm, session: SessionDep
) -> RedirectResponse:
    user = accounts.get(session=session, user_id=user_id, organisation_id=person.organisation.id)
    accounts.deactivate(session=session, user=user)
    _log(session, person, "person_deactivated", "user", user.id)
    return RedirectResponse("/app/people?done=person_deactivated", status_code=303)


@router.post("/people/{user_id}/password", response_model=None)
def reset_password(
    request: Request,
    t: T,
    user_id: RecordId,
    person: AdminPerson,
    form: CsrfForm,
    session: SessionDep,
) -> HTMLResponse | RedirectResponse:
    user = accounts.get(session=session, user_id=user_id, organisation_id=person.organisation.id)
    password = str(form.get("password", ""))
    if len(password) < MIN_PASSWORD:
        message = t._(
            "Enter a password of at least %(count)s characters", count=t.number(MIN_PASSWORD)
        )
        return _people_page(
            request, t, person, session, errors={f"password-{user.id}": message}, status_code=422
        )
    accounts.set_password(session=session, user=user, password=password)
    _log(session, person, "password_reset", "user", user.id)
    return RedirectResponse("/app/people?done=password_reset", status_code=303)


def _keys_page(
    request: Request, t: Translator, person: Person, session: Any, *, new_key: str | None = None
) -> HTMLResponse:
    keys = organisations.keys(session=session, organisation_id=person.organisation.id)
    return render(request, t, "admin/keys.html", {"keys": keys, "new_key": new_key}, person=person)


@router.get("/keys")
def keys(request: Request, t: T, person: AdminPerson, session: SessionDep) -> HTMLResponse:
    return _keys_page(request, t, person, session)


@router.post("/keys")
def create_key(
    request: Request, t: T, person: AdminPerson, form: CsrfForm, session: SessionDep
) -> HTMLResponse:
    """The new key is shown once, on this answer (not after a redirect)."""
    organisation = organisations.get(session=session, organisation_id=person.organisation.id)
    key = organisations.issue_key(session=session, organisation=organisation)
    _log(session, person, "key_created", "api_key", organisation.id)
    return _keys_page(request, t, person, session, new_key=key)


@router.post("/keys/{key_id}/revoke")
def revoke_key(
    key_id: RecordId, person: AdminPerson, form: CsrfForm, session: SessionDep
) -> RedirectResponse:
    organisations.revoke_key(session=session, organisation_id=person.organisation.id, key_id=key_id)
    _log(session, person, "key_revoked", "api_key", key_id)
    return RedirectResponse("/app/keys?done=key_revoked", status_code=303)


@router.get("/organisations")
def every_organisation(
    request: Request, t: T, person: OfficerPerson, session: SessionDep
) -> HTMLResponse:
    found = organisations.every(session=session)
    return render(request, t, "admin/organisations.html", {"organisations": found}, person=person)


@router.get("/organisations/{organisation_id}")
def one_organisation(
    request: Request, t: T, organisation_id: RecordId, person: OfficerPerson, session: SessionDep
) -> HTMLResponse:
    organisation = organisations.get(session=session, organisation_id=organisation_id)
    people = accounts.people(session=session, organisation_id=organisation.id)
    return render(
        request,
        t,
        "admin/organisation.html",
        {"organisation": organisation, "people": people},
        person=person,
    )
