"""FastAPI dependencies: sessions, the caller's organisation, and role checks."""

import inspect
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from talentbridge import metrics
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


def _attempt_keys(request: Request, presented: str) -> list[str]:
    """Failed attempts count per client address and per key prefix (as stored: 10 chars)."""
    client = request.client.host if request.client else "unknown"
    return [f"client:{client}", f"prefix:{presented[:10]}"]


def _refuse_if_throttled(request: Request, session: Session, keys: list[str]) -> None:
    refusal = request.app.state.auth_limiter.check(keys)
    if refusal is None:
        return
    if refusal.first:
        audit.record(
            session=session,
            organisation_id=None,
            action="auth_throttled",
            entity="api_key",
            entity_ids=[None],
            detail=", ".join(keys)[:500],
        )
        # The request fails, which rolls its session back: the entry is committed first.
        session.commit()
    raise TooManyRequests(
        f"too many failed authentication attempts; retry after {refusal.retry_after} s",
        field="Authorization",
        headers={"Retry-After": str(refusal.retry_after)},
    )


SessionOpener = Callable[[], AbstractContextManager[Session]]


def auth_sessions(request: Request) -> SessionOpener:
    """Short read-only sessions for checking keys, apart from the request's unit of work."""
    return lambda: unit_of_work(request.app.state.session_factory, read_only=True)


def current_org(
    request: Request,
    open_session: Annotated[SessionOpener, Depends(auth_sessions)],
    credentials: Credentials,
) -> Organisation:
    """The caller's organisation, read in a session of its own that closes at once.

    So a writing request takes SQLite's write lock only when its own work begins, not while
    its key is checked, and no connection waits on the thread pool between the two.
    """
    if credentials is None:
        raise Unauthorized(
            "missing API key: send 'Authorization: Bearer <key>'", field="Authorization"
        )
    keys = _attempt_keys(request, credentials.credentials)
    with open_session() as session:
        _refuse_if_throttled(request, session, keys)
        organisation = organisation_service.by_key(session=session, key=credentials.credentials)
    if organisation is None:
        request.app.state.auth_limiter.fail(keys)
        metrics.sign_in_failed("api_key")
        raise Unauthorized("unknown or revoked API key", field="Authorization")
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
    request: Request, session: SessionDep, settings: SettingsDep, credentials: Credentials
) -> None:
    token = settings.admin_token
    if not token:
        raise Forbidden(
            "organisations cannot be created over the API: TALENTBRIDGE_ADMIN_TOKEN is not set"
        )
    if credentials is None:
        raise Unauthorized("admin token required", field="Authorization")
    keys = _attempt_keys(request, credentials.credentials)
    _refuse_if_throttled(request, session, keys)
    if not secrets.compare_digest(credentials.credentials.encode(), token.encode()):
        request.app.state.auth_limiter.fail(keys)
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
