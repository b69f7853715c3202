"""create_app(): routers, error handlers, the body-size limit and the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talentbridge import __version__, reference
from talentbridge.config import Settings, get_settings
from talentbridge.db import make_engine
from talentbridge.deps import SessionDep
from talentbridge.errors import DomainError
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.matching.service import Matcher
from talentbridge.matching.toolkit import Toolkit

logger = logging.getLogger("talentbridge")


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: what is wrong, and which field when one is to blame."""

    detail: str | list[dict[str, Any]]
    field: str | None = None


def _error(status: int, detail: Any, field: str | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "field": field})


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return _error(exc.status_code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": list(e["loc"]),
                "field": _field(tuple(e["loc"])),
                "msg": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return _error(422, errors, errors[0]["field"] if errors else None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return _error(500, "internal error; it has been logged")


class BodyLimit:
    """Refuses request bodies over a size with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, f"request body over {self.max_bytes} bytes", "body")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def build_tools(settings: Settings) -> Toolkit:
    """Load the embedding model and fit the occupation normaliser (once per process)."""
    embedder = Embedder(settings.embedding_model, batch_size=settings.embedding_batch_size)
    normaliser = OccupationNormaliser(embedder, cache_dir=settings.cache_dir).fit()
    return Toolkit(embedder=embedder, normaliser=normaliser)


def build_matcher(tools: Toolkit, settings: Settings) -> Matcher:
    """A fresh per-process index over the database, filled on its first request."""
    return Matcher(
        normaliser=tools.normaliser,
        model_name=tools.embedder.model_name,
        dimension=tools.embedder.dimension,
        weights=settings.weights.normalised(),
    )


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    tools: Toolkit | None = None,
    load_tools: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.tools is None and load_tools:
            app.state.tools = build_tools(settings)
        if app.state.tools is not None:
            app.state.matcher = build_matcher(app.state.tools, settings)
        yield

    app = FastAPI(
        title="TalentBridge",
        version=__version__,
        description="Skilled workers from India matched with vacancies in Japan.",
        lifespan=lifespan,
        responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 422)},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.state.tools = tools
    app.state.matcher = None
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    from talentbridge.allocations.router import router as allocations
    from talentbridge.candidates.router import router as candidates
    from talentbridge.matching.router import router as matching
    from talentbridge.organisations.router import router as organisations
    from talentbridge.placements.router import router as placements
    from talentbridge.reports.demand_router import pages as demand_pages
    from talentbridge.reports.demand_router import router as demand
    from talentbridge.reports.router import pages
    from talentbridge.reports.router import router as reports
    from talentbridge.vacancies.router import router as vacancies

    api = APIRouter(prefix="/api/v1")
    for router in (organisations, candidates, vacancies, placements, matching, reports):
        api.include_router(router)
    api.include_router(allocations)
    api.include_router(demand)

    @api.get("/meta", tags=["reference"])
    def meta() -> dict[str, Any]:
        """Sectors, prefectures, states, Japanese levels and partnerships."""
        return reference.meta()

    app.include_router(api)
    app.include_router(pages)
    app.include_router(demand_pages)

    @app.get("/health", tags=["health"])
    def health(session: SessionDep) -> dict[str, str]:
        """200 when the database answers."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok", "version": __version__}
