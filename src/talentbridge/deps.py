"""FastAPI dependencies: sessions, the caller's organisation, and role checks."""

import inspect
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from talentbridge import metrics
from talentbridge.accounts import service as account_service
from talentbridge.accounts.models import User
from talentbridge.audit import service as audit
from talentbridge.candidates import service as candidate_service
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import unit_of_work
from talentbridge.errors import Forbidden, TooManyRequests, Unauthorized, Unavailable
from talentbridge.fields import MAX_ID
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations import service as organisation_service
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.pages import MAX_LIMIT, MAX_OFFSET, Window
from talentbridge.placements import service as placement_service
from talentbridge.placements.models import Placement
from talentbridge.serving.reasons import negotiate
from talentbridge.serving.sync import MatchService
from talentbridge.vacancies import service as vacancy_service
from talentbridge.vacancies.models import Vacancy

bearer = HTTPBearer(auto_error=False, description="API key of an organisation")


READ_METHODS = {"GET", "HEAD"}


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit on success, roll back on error, always close.

    A GET only reads (and logs who read what), so on SQLite it never takes the write lock.
    """
    read_only = request.method in READ_METHODS
    with unit_of_work(request.app.state.session_factory, read_only=read_only) as session:
        session.info[audit.ACTING_PERSON] = lambda: getattr(request.state, "person_id", None)
        yield session


# scope="function": the session commits when the endpoint returns, before the response is
# sent, so a 201 is never seen before its record is readable, and a failed commit is an error.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


SessionOpener = Callable[[], AbstractContextManager[Session]]


def auth_sessions(request: Request) -> SessionOpener:
    """Short read-only sessions for checking keys, apart from the request's unit of work."""
    return lambda: unit_of_work(request.app.state.session_factory, read_only=True)


def _attempt_keys(request: Request, presented: str) -> list[str]:
    """Failed attempts count per client address and per key prefix (as stored: 10 chars)."""
    client = request.client.host if request.client else "unknown"
    return [f"client:{client}", f"prefix:{presented[:10]}"]


def _refuse_if_throttled(request: Request, open_session: SessionOpener, keys: list[str]) -> None:
    """429 when the address or the prefix of a key that did NOT verify has failed too often;
    else the failure is counted. A key that verifies is never refused for others' failures:
    ten bad keys from an address (a misconfigured client, a shared NAT) must not lock every
    organisation behind it out. Keys are 256 random bits, so the throttle slows guessing
    and floods down rather than guarding a secret that could be guessed."""
    limiter = request.app.state.auth_limiter
    refusal = limiter.check(keys)
    if refusal is None:
        limiter.fail(keys)
        return
    if refusal.first:
        with open_session() as session:  # committed before the request fails
            audit.record(
                session=session,
                organisation_id=None,
                action="auth_throttled",
                entity="api_key",
                entity_ids=[None],
                detail=", ".join(keys)[:500],
            )
    raise TooManyRequests(
        f"too many failed authentication attempts; retry after {refusal.retry_after} s",
        field="Authorization",
        headers={"Retry-After": str(refusal.retry_after)},
    )


def _refuse_if_too_busy(request: Request, organisation: Organisation) -> None:
    """The organisation's request rate limit (`org_request_limit` per window), if set."""
    limiter = request.app.state.org_limiter
    if limiter is None:
        return
    refusal = limiter.hit(f"org:{organisation.id}")
    if refusal is not None:
        raise TooManyRequests(
            f"over {limiter.limit} requests in {limiter.window:g} s for this organisation; "
            f"retry after {refusal.retry_after} s",
            field="Authorization",
            headers={"Retry-After": str(refusal.retry_after)},
        )


SESSION_COOKIE = "tb_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Person:
    """The signed-in person of a request, their organisation and their session's CSRF token."""

    user: User
    organisation: Organisation
    csrf_token: str
    session_id: int


def signed_in(request: Request, open_session: SessionOpener) -> Person | None:
    """The person whose live session the cookie names, or None; once per request."""
    if hasattr(request.state, "person"):
        cached: Person | None = request.state.person
        return cached
    person, stale = None, False
    token = request.cookies.get(SESSION_COOKIE)
    settings: Settings = request.app.state.settings
    if token:
        idle = timedelta(minutes=settings.session_idle_minutes)
        with open_session() as session:
            found = account_service.by_token(session=session, token=token, idle=idle)
            if found is not None:
                person = Person(
                    user=found.user,
                    organisation=found.user.organisation,
                    csrf_token=found.csrf_token,
                    session_id=found.id,
                )
                stale = account_service.needs_touch(found)
        if person is not None and stale:
            with unit_of_work(request.app.state.session_factory) as session:
                account_service.touch(session=session, session_id=person.session_id)
    request.state.person = person
    request.state.person_id = person.user.id if person else None
    return person


def check_csrf(person: Person, presented: str | None) -> None:
    if not presented or not secrets.compare_digest(presented, person.csrf_token):
        raise Forbidden(
            f"missing or wrong CSRF token: send the {CSRF_HEADER} header", field=CSRF_HEADER
        )


def current_org(
    request: Request,
    open_session: Annotated[SessionOpener, Depends(auth_sessions)],
    credentials: Credentials,
) -> Organisation:
    """The caller's organisation, read in a session of its own that closes at once: the API
    key's, else the signed-in person's (cookie; unsafe methods also need the CSRF header).

    So a writing request takes SQLite's write lock only when its own work begins, not while
    its key is checked, and no connection waits on the thread pool between the two.
    """
    if credentials is None:
        person = signed_in(request, open_session)
        if person is not None:
            if request.method not in READ_METHODS:
                check_csrf(person, request.headers.get(CSRF_HEADER))
            return person.organisation
        raise Unauthorized(
            "missing API key: send 'Authorization: Bearer <key>'", field="Authorization"
        )
    with open_session() as session:
        organisation = organisation_service.by_key(session=session, key=credentials.credentials)
    if organisation is None:
        _refuse_if_throttled(request, open_session, _attempt_keys(request, credentials.credentials))
        metrics.sign_in_failed("api_key")
        raise Unauthorized("unknown or revoked API key", field="Authorization")
    _refuse_if_too_busy(request, organisation)
    return organisation


CurrentOrg = Annotated[Organisation, Depends(current_org)]


def require(*kinds: OrgKind):  # type: ignore[no-untyped-def]
    """A dependency admitting only organisations of the given kinds."""

    def check(organisation: CurrentOrg) -> Organisation:
        if organisation.kind not in kinds:
            allowed = " or ".join(kinds)
            raise Forbidden(f"only {allowed} organisations may do this")
        return organisation

    return check


Institute = Annotated[Organisation, Depends(require(OrgKind.institute))]
Employer = Annotated[Organisation, Depends(require(OrgKind.employer))]
Officer = Annotated[Organisation, Depends(require(OrgKind.officer))]
InstituteOrOfficer = Annotated[Organisation, Depends(require(OrgKind.institute, OrgKind.officer))]
EmployerOrOfficer = Annotated[Organisation, Depends(require(OrgKind.employer, OrgKind.officer))]
InstituteOrEmployer = Annotated[Organisation, Depends(require(OrgKind.institute, OrgKind.employer))]


def require_admin(
    request: Request,
    open_session: Annotated[SessionOpener, Depends(auth_sessions)],
    settings: SettingsDep,
    credentials: Credentials,
) -> None:
    token = settings.admin_token
    if not token:
        raise Forbidden(
            "organisations cannot be created over the API: TALENTBRIDGE_ADMIN_TOKEN is not set"
        )
    if credentials is None:
        raise Unauthorized("admin token required", field="Authorization")
    if not secrets.compare_digest(credentials.credentials.encode(), token.encode()):
        _refuse_if_throttled(request, open_session, _attempt_keys(request, credentials.credentials))
        metrics.sign_in_failed("admin_token")
        raise Unauthorized("admin token required", field="Authorization")


Admin = Annotated[None, Depends(require_admin)]


def get_tools(request: Request) -> Toolkit | None:
    """The process's model and normaliser (None when the app runs without matching)."""
    return getattr(request.app.state, "tools", None)


ToolsDep = Annotated[Toolkit | None, Depends(get_tools)]


def get_matcher(request: Request) -> MatchService:
    """The process's match service; 503 when this server runs without matching."""
    matcher: MatchService | None = getattr(request.app.state, "matcher", None)
    if matcher is None:
        raise Unavailable("matching is not loaded in this server process")
    return matcher


MatcherDep = Annotated[MatchService, Depends(get_matcher)]


def window(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Window:
    """The page a list endpoint is asked for."""
    return Window(limit=limit, offset=offset)


WindowDep = Annotated[Window, Depends(window)]


R = TypeVar("R")
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


def record_of(get: Callable[..., R], *, path: str, caller: Any, owner: str | None = None) -> Any:
    """A dependency (for Annotated) returning the record the path parameter `path` names,
    for a caller admitted by `caller` (CurrentOrg, Institute, …), or raising NotFound.

    The service's `get` is where tenancy lives. It is called with the id, and with
    `owner=caller.scope` when `owner` names its owner parameter (the caller's own
    records; an officer's, everyone's), else with `organisation=caller`.
    """

    def dependency(**values: Any) -> R:
        organisation: Organisation = values["organisation"]
        whose = {owner: organisation.scope} if owner else {"organisation": organisation}
        return get(session=values["session"], **{path: values[path]}, **whose)

    keyword = inspect.Parameter.KEYWORD_ONLY
    signature = inspect.Signature(
        [
            inspect.Parameter(path, keyword, annotation=RecordId),
            inspect.Parameter("organisation", keyword, annotation=caller),
            inspect.Parameter("session", keyword, annotation=SessionDep),
        ]
    )
    dependency.__signature__ = signature  # type: ignore[attr-defined]  # FastAPI reads it
    return Depends(dependency)


# The records the routes name by id, each found for its caller (see record_of).
# A candidate: its institute sees and changes it; any officer sees it.
_candidate = partial(record_of, candidate_service.get, path="candidate_id", owner="institute_id")
VisibleCandidate = Annotated[Candidate, _candidate(caller=InstituteOrOfficer)]
OwnedCandidate = Annotated[Candidate, _candidate(caller=Institute)]
# A vacancy: its employer sees and changes it; any officer sees it.
_vacancy = partial(record_of, vacancy_service.get, path="vacancy_id", owner="employer_id")
VisibleVacancy = Annotated[Vacancy, _vacancy(caller=EmployerOrOfficer)]
OwnedVacancy = Annotated[Vacancy, _vacancy(caller=Employer)]
# A placement: its employer, the candidate's institute and any officer see it.
_placement = partial(record_of, placement_service.get, path="placement_id")
PartyTo = Annotated[Placement, _placement(caller=CurrentOrg)]


def reader_locale(request: Request, response: Response) -> str:
    """The reader's language for reasons (`ja` or `en`, default `en`), from Accept-Language;
    the response says which it is in (Content-Language) and that it varies with the header."""
    locale = negotiate(request.headers.get("accept-language"))
    response.headers["Content-Language"] = locale
    response.headers["Vary"] = "Accept-Language"
    return locale


ReaderLocale = Annotated[str, Depends(reader_locale)]
