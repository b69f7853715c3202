"""Every error an operation can answer, declared in /openapi.json with the one error shape.

create_app declares STATUSES on every route (FastAPI's `responses`, with the ErrorResponse
model); `install` then words each, drops the key errors from operations that take no key,
and says that 429 and 503 always carry `Retry-After`. `allowed_methods` is the `Allow`
header of a 405: every method of every route on the path; `static_methods` tells a path
that names a resource of its own (/candidates/bulk) from a record id that does not parse.
"""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 503)
DESCRIPTIONS = {
    400: "The body is not JSON in UTF-8 (answered before the key is checked).",
    401: "No API key, or one that is unknown or revoked.",
    403: "The caller's kind of organisation may not do this.",
    404: "No such record, or one the caller may not see (the same answer).",
    409: "The records' state forbids it: a taken id, a move out of turn, a failed gate.",
    413: "The request body is over the size limit.",
    422: "Input that breaks the schema or a rule; `field` names the input to blame.",
    429: "Too many failed keys from this address or for this key prefix, or too many "
    "requests for this organisation: wait `Retry-After` seconds.",
    503: "The database is busy or unreachable, the server is saturated, or this process "
    "runs without matching: retry after `Retry-After` seconds.",
}
KEY_STATUSES = {"401", "403", "429"}  # only where a key is checked
RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def install(app: FastAPI) -> None:
    """Word the error statuses of app.openapi()'s operations (once, when first built)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe_errors(schema: dict[str, Any]) -> dict[str, Any]:
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses: dict[str, Any] = operation.get("responses", {})
            for status in list(responses):
                if not status.isdigit() or int(status) not in DESCRIPTIONS:
                    continue
                if status in KEY_STATUSES and not operation.get("security"):
                    del responses[status]
                    continue
                response = responses[status]
                if response.get("description") in (None, "", "Error", "Validation Error"):
                    response["description"] = DESCRIPTIONS[int(status)]
                if status in ("429", "503"):
                    response.setdefault("headers", {}).update(RETRY_AFTER)
    return schema


def allowed_methods(app: FastAPI, scope: Scope) -> str:
    """The methods some route of the app answers on this request's path."""
    methods: set[str] = set()
    for route in _routes(app):
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def static_methods(app: FastAPI, scope: Scope) -> str | None:
    """The `Allow` of routes without path parameters whose path is this request's, when
    none of them takes its method; else None."""
    methods: set[str] = set()
    for route in _routes(app):
        if "{" in (route.path or "{"):
            continue
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return None
        if match is Match.PARTIAL:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods)) if methods else None


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every route, those of included routers too (FastAPI keeps those apart)."""
    yield from iter_route_contexts(app.router.routes)
