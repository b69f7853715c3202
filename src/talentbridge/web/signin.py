"""/app/login, /app/logout and /app/: signing in and out, and each person's home."""

import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from talentbridge import metrics
from talentbridge.accounts import service as accounts
from talentbridge.audit import service as audit
from talentbridge.deps import (
    SESSION_COOKIE,
    SessionDep,
    SessionOpener,
    SettingsDep,
    auth_sessions,
    signed_in,
)
from talentbridge.organisations.models import OrgKind
from talentbridge.web.deps import (
    LOGIN_CSRF_COOKIE,
    CsrfForm,
    CurrentPerson,
    LoginForm,
    OfficerPerson,
    T,
)
from talentbridge.web.i18n import Translator
from talentbridge.web.render import HOMES, render

router = APIRouter(prefix="/app", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path of this site's pages (never //host or a scheme: no open redirect)."""
    if target and target.startswith(("/app/", "/dashboard")) and not target.startswith("//"):
        return target
    return "/app/"


def _login_page(
    request: Request,
    t: Translator,
    *,
    errors: dict[str, str] | None = None,
    email: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        t,
        "login.html",
        {
            "errors": errors or {},
            "email": email,
            "next": _safe_next(request.query_params.get("next")),
        },
        csrf_token=token,
        status_code=status_code,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", path="/app/")
    return response


@router.get("/login")
def login(request: Request, t: T) -> HTMLResponse:
    return _login_page(request, t)


@router.post("/login", response_model=None)
def sign_in(
    request: Request, t: T, form: LoginForm, session: SessionDep, settings: SettingsDep
) -> Response:
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    errors = {}
    if not email:
        errors["email"] = t._("Enter your email address")
    if not password:
        errors["password"] = t._("Enter your password")
    if errors:
        return _login_page(request, t, errors=errors, email=email, status_code=422)
    client = request.client.host if request.client else "unknown"
    keys = [f"client:{client}", f"person:{accounts.normalise_email(email)}"]
    limiter = request.app.state.auth_limiter
    refusal = limiter.check(keys)
    if refusal is not None:
        minutes = max(1, (refusal.retry_after + 59) // 60)
        message = t.ngettext(
            "Too many failed attempts. Try again in %(num)s minute.",
            "Too many failed attempts. Try again in %(num)s minutes.",
            minutes,
        )
        response = _login_page(request, t, errors={"email": message}, email=email, status_code=429)
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    user = accounts.authenticate(session=session, email=email, password=password)
    if user is None:
        limiter.fail(keys)
        metrics.sign_in_failed("password")  # /metrics counts them beside the API's keys
        return _login_page(
            request,
            t,
            errors={"email": t._("The email address or password is not right")},
            email=email,
            status_code=401,
        )
    opened = accounts.open_session(
        session=session, user=user, absolute=timedelta(hours=settings.session_absolute_hours)
    )
    audit.record(
        session=session,
        organisation_id=user.organisation_id,
        action="signed_in",
        entity="user",
        entity_ids=[user.id],
        user_id=user.id,
    )
    signed = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
    signed.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.https,
        path="/",
    )
    signed.delete_cookie(LOGIN_CSRF_COOKIE, path="/app/")
    return signed


@router.post("/logout")
def sign_out(
    request: Request, person: CurrentPerson, form: CsrfForm, session: SessionDep
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    accounts.close_session(session=session, token=token)
    response = RedirectResponse("/app/login?done=signed_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/session", response_model=None)
def who(request: Request, open_session: Annotated[SessionOpener, Depends(auth_sessions)]) -> Any:
    """The signed-in person and their CSRF token, for a page's script (the dashboard);
    401 when signed out. Same-origin only: another site cannot read the answer."""
    person = signed_in(request, open_session)
    if person is None:
        return JSONResponse({"detail": "not signed in", "field": None}, status_code=401)
    return {
        "id": person.user.id,
        "name": person.user.name,
        "role": person.user.role,
        "organisation_id": person.organisation.id,
        "organisation_kind": person.organisation.kind,
        "csrf_token": person.csrf_token,
    }


@router.get("/")
def home(person: CurrentPerson) -> RedirectResponse:
    """Each person's home: their organisation's kind decides."""
    return RedirectResponse(HOMES[OrgKind(person.organisation.kind)], status_code=303)


# Placeholder homes, each filled by the pages of its kind of organisation.


@router.get("/dashboard")
def officer_home(request: Request, t: T, person: OfficerPerson) -> HTMLResponse:
    return render(request, t, "home.html", {"title": t._("Dashboard")}, person=person)
