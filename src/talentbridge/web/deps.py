"""Dependencies of the pages: the signed-in person, their role, the reader's language and
forms checked for their CSRF token."""

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from talentbridge.deps import CSRF_HEADER, Person, SessionOpener, auth_sessions, signed_in
from talentbridge.errors import NotFound
from talentbridge.organisations.models import OrgKind
from talentbridge.web.i18n import Translator, negotiate

LOGIN_CSRF_COOKIE = "tb_login_csrf"  # before sign-in: a double-submit token for the login form


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to /app/login?next=<path>."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class CsrfRefused(Exception):
    """A state-changing form without its token, or with another session's: 403 and a page."""


def translator(request: Request) -> Translator:
    return Translator(negotiate(request))


T = Annotated[Translator, Depends(translator)]


def current_person(
    request: Request, open_session: Annotated[SessionOpener, Depends(auth_sessions)]
) -> Person:
    person = signed_in(request, open_session)
    if person is None:
        raise SignInRequired(request.url.path)
    return person


CurrentPerson = Annotated[Person, Depends(current_person)]


def _admin(person: CurrentPerson) -> Person:
    if person.user.role != "admin":
        raise NotFound("no such page")  # as for any page a person may not see
    return person


AdminPerson = Annotated[Person, Depends(_admin)]


def person_of(*kinds: OrgKind):  # type: ignore[no-untyped-def]
    """A dependency admitting only people of organisations of the given kinds (else 404)."""

    def check(person: CurrentPerson) -> Person:
        if person.organisation.kind not in kinds:
            raise NotFound("no such page")
        return person

    return check


InstitutePerson = Annotated[Person, Depends(person_of(OrgKind.institute))]
EmployerPerson = Annotated[Person, Depends(person_of(OrgKind.employer))]
OfficerPerson = Annotated[Person, Depends(person_of(OrgKind.officer))]


def _matches(presented: object, expected: str) -> bool:
    return (
        isinstance(presented, str)
        and bool(expected)
        and secrets.compare_digest(presented.encode(), expected.encode())
    )


async def csrf_form(request: Request, person: CurrentPerson) -> FormData:
    """The posted form, refused (403) unless it carries the session's CSRF token (the field
    `csrf_token`, or the header X-CSRF-Token when a script posts it)."""
    form = await request.form()
    presented = form.get("csrf_token") or request.headers.get(CSRF_HEADER)
    if not _matches(presented, person.csrf_token):
        raise CsrfRefused
    return form


CsrfForm = Annotated[FormData, Depends(csrf_form)]


async def login_form(request: Request) -> FormData:
    """The login form, refused (403) unless it carries the token of its cookie."""
    form = await request.form()
    if not _matches(form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        raise CsrfRefused
    return form


LoginForm = Annotated[FormData, Depends(login_form)]
