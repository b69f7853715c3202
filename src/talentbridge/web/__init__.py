"""The pages under /app: Jinja2 templates and static files from this package, in English and
Japanese, calling the same services as the API. See docs/web.md."""

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from talentbridge.errors import DomainError
from talentbridge.web import problems
from talentbridge.web.deps import CsrfRefused, SignInRequired, translator
from talentbridge.web.render import HERE, STATIC_URL, render

PREFIX = "/app"


def install(app: FastAPI) -> None:
    """The pages' routes, static files and error pages (HTML under /app, JSON elsewhere)."""
    from talentbridge.web.admin import router as admin
    from talentbridge.web.candidates import router as candidates
    from talentbridge.web.conversation import router as conversation
    from talentbridge.web.duplicates import router as duplicates
    from talentbridge.web.notifications import router as notifications
    from talentbridge.web.officer import router as officer
    from talentbridge.web.pipeline import router as pipeline
    from talentbridge.web.signin import router as signin
    from talentbridge.web.uploads import router as uploads
    from talentbridge.web.vacancies import router as vacancies

    app.include_router(signin)
    app.include_router(admin)
    app.include_router(candidates)
    app.include_router(uploads)
    app.include_router(vacancies)
    app.include_router(pipeline)
    app.include_router(conversation)
    app.include_router(officer)
    app.include_router(duplicates)
    app.include_router(notifications)
    app.mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="app-static")
    json_errors: Any = app.exception_handlers[DomainError]
    json_http: Any = app.exception_handlers[HTTPException]
    json_invalid: Any = app.exception_handlers[RequestValidationError]

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(f"{PREFIX}/login?next={quote(exc.path)}", status_code=303)

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        return error_page(request, 403, "csrf")

    async def domain_error(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith(PREFIX + "/"):
            return await json_errors(request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, DomainError)
        return error_page(request, exc.status_code, "domain", exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        # No such page under /app (a path no route has): the 404 page, not the API's JSON.
        assert isinstance(exc, HTTPException)
        if not request.url.path.startswith(PREFIX + "/") or exc.status_code != 404:
            return await json_http(request, exc)  # type: ignore[no-any-return]
        return error_page(request, 404, "http")

    async def invalid_request(request: Request, exc: Exception) -> Response:
        # A page's id that is not a number is no such page; a query it cannot read, 422.
        if not request.url.path.startswith(PREFIX + "/"):
            return await json_invalid(request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, RequestValidationError)
        in_path = any(e["loc"][:1] == ("path",) for e in exc.errors())
        return error_page(request, 404 if in_path else 422, "http")

    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)


def error_page(
    request: Request, status_code: int, kind: str, error: DomainError | None = None
) -> Response:
    """The error page in the reader's language: a service's refusal is said from its code
    (web/problems.py), with its reasons (the SSW gates that refused), never in its English."""
    person = getattr(request.state, "person", None)
    t = translator(request)
    return render(
        request,
        t,
        "error.html",
        {
            "status": status_code,
            "kind": kind,
            "message": problems.say(t, error) if error and error.code else None,
            "reasons": problems.reasons(t, error) if error else [],
        },
        person=person,
        status_code=status_code,
    )
