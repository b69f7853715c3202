"""Swagger UI and ReDoc served from files this service ships, so /docs works offline.

The assets come from the fastapi-offline wheel (Swagger UI and ReDoc's standalone bundle,
MIT); no page asks any other host for a script, a style sheet, a font or an icon.
"""

import secrets
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
# The pages may load only from this origin: ReDoc's footer would otherwise fetch Redocly's
# logo from their CDN (the image hides itself when refused). Scripts: the bundled files and
# the page's own inline start-up script, by a nonce made for each answer (never
# 'unsafe-inline'). Swagger UI and ReDoc write style elements as they render, so styles
# may be inline; no page may frame these.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# No online validator badge: Swagger UI would otherwise send the schema to swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def install(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Mount the bundled assets and the two pages (create the app with docs_url=None)."""

    @app.get(f"{ASSETS_URL}/redoc.standalone.js", include_in_schema=False)
    def redoc_script() -> Response:
        return Response(
            _redoc_script(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount(ASSETS_URL, StaticFiles(directory=str(_assets())), name="docs-assets")
    oauth_redirect = f"{docs_url}/oauth2-redirect"

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        at = _root(request)
        page = get_swagger_ui_html(
            openapi_url=at(app.openapi_url),
            title=f"{app.title} · API",
            oauth2_redirect_url=at(oauth_redirect),
            swagger_js_url=at(f"{ASSETS_URL}/swagger-ui-bundle.js"),
            swagger_css_url=at(f"{ASSETS_URL}/swagger-ui.css"),
            swagger_favicon_url=at(f"{ASSETS_URL}/favicon.png"),
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )
        return _local(page)

    @app.get(oauth_redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return _local(get_swagger_ui_oauth2_redirect_html())

    @app.get(redoc_url, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        at = _root(request)
        return _local(
            get_redoc_html(
                openapi_url=at(app.openapi_url),
                title=f"{app.title} · API reference",
                redoc_js_url=at(f"{ASSETS_URL}/redoc.standalone.js"),
                redoc_favicon_url=at(f"{ASSETS_URL}/favicon.png"),
                with_google_fonts=False,
            )
        )


def _root(request: Request) -> Callable[[str | None], str]:
    """Paths under the root the app is served at (behind a proxy's prefix)."""
    root = request.scope.get("root_path", "")
    return lambda path: f"{root}{path}"


def _local(page: HTMLResponse) -> HTMLResponse:
    """The page with a nonce on its inline script and the policy that admits only that."""
    nonce = secrets.token_urlsafe(16)
    body = bytes(page.body).replace(b"<script>", f'<script nonce="{nonce}">'.encode())
    return HTMLResponse(
        body,
        status_code=page.status_code,
        headers={"Content-Security-Policy": CSP.format(nonce=nonce), "Cache-Control": "no-store"},
    )


def _assets() -> Traversable:
    return files("fastapi_offline") / "static"


# ReDoc's footer shows Redocly's logo from their CDN, whatever the options: point it at an
# empty local image instead, so the page asks nothing of another host.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@cache
def _redoc_script() -> bytes:
    script = (_assets() / "redoc.standalone.js").read_bytes()
    return script.replace(REDOC_LOGO.encode(), EMPTY_IMAGE.encode())
