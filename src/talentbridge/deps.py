"""FastAPI dependencies: sessions, the caller's organisation, and role checks."""

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from talentbridge.audit import service as audit
from talentbridge.config import Settings
from talentbridge.db import unit_of_work
from talentbridge.errors import Forbidden, TooManyRequests, Unauthorized
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations import service as organisation_service
from talentbridge.organisations.models import Organisation, OrgKind

bearer = HTTPBearer(auto_error=False, description="API key of an organisation")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit on success, roll back on error, always close."""
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


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


def current_org(request: Request, session: SessionDep, credentials: Credentials) -> Organisation:
    if credentials is None:
        raise Unauthorized(
            "missing API key: send 'Authorization: Bearer <key>'", field="Authorization"
        )
    keys = _attempt_keys(request, credentials.credentials)
    _refuse_if_throttled(request, session, keys)
    organisation = organisation_service.by_key(session=session, key=credentials.credentials)
    if organisation is None:
        request.app.state.auth_limiter.fail(keys)
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
        raise Unauthorized("admin token required", field="Authorization")


Admin = Annotated[None, Depends(require_admin)]


def get_tools(request: Request) -> Toolkit | None:
    """The process's model and normaliser (None when the app runs without matching)."""
    return getattr(request.app.state, "tools", None)


ToolsDep = Annotated[Toolkit | None, Depends(get_tools)]
