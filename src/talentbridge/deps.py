"""FastAPI dependencies: sessions, the caller's organisation, and role checks."""

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from talentbridge.config import Settings
from talentbridge.db import unit_of_work
from talentbridge.errors import Forbidden, Unauthorized
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


def current_org(session: SessionDep, credentials: Credentials) -> Organisation:
    if credentials is None:
        raise Unauthorized(
            "missing API key: send 'Authorization: Bearer <key>'", field="Authorization"
        )
    organisation = organisation_service.by_key(session=session, key=credentials.credentials)
    if organisation is None:
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


def require_admin(settings: SettingsDep, credentials: Credentials) -> None:
    token = settings.admin_token
    if not token:
        raise Forbidden(
            "organisations cannot be created over the API: TALENTBRIDGE_ADMIN_TOKEN is not set"
        )
    if credentials is None or not secrets.compare_digest(credentials.credentials, token):
        raise Unauthorized("admin token required", field="Authorization")


Admin = Annotated[None, Depends(require_admin)]


def get_tools(request: Request) -> Toolkit | None:
    """The process's model and normaliser (None when the app runs without matching)."""
    return getattr(request.app.state, "tools", None)


ToolsDep = Annotated[Toolkit | None, Depends(get_tools)]
