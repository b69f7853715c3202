"""create_app(): routers, error handlers, the body-size limit and the lifespan."""

import contextlib
import ctypes
import functools
import gc
import inspect
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from threadpoolctl import threadpool_limits

from talentbridge import __version__, apidocs, openapi_errors, reference, web
from talentbridge.admission import Admission
from talentbridge.audit import writer as audit_writer
from talentbridge.config import Settings, check_for_serving, get_settings
from talentbridge.db import READ_ONLY, engine_from, unit_of_work
from talentbridge.deps import SessionDep
from talentbridge.duplicates import checker as duplicate_checker
from talentbridge.errors import DomainError, Unavailable
from talentbridge.ingestion import parsers
from talentbridge.ingestion import service as ingestion
from talentbridge.ingestion.worker import EmbeddingWorker
from talentbridge.matching.index import MatchIndex
from talentbridge.matching.toolkit import Toolkit, build_tools
from talentbridge.matching.weights import match_weights
from talentbridge.middleware import BodyLimit, SecurityHeaders
from talentbridge.notifications.worker import NotificationWorker
from talentbridge.ops import prune
from talentbridge.ops.observe import Observe, health_details
from talentbridge.ratelimit import limiter_for
from talentbridge.serving import new_matches
from talentbridge.serving.reasons import negotiate, reason_codes, render
from talentbridge.serving.sync import MatchService

logger = logging.getLogger("talentbridge")


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: what is wrong, and which field when one is to blame."""

    detail: str | list[dict[str, Any]]
    field: str | None = None
    reasons: list[str] | None = None  # why, in the Accept-Language language (e.g. failed gates)
    reason_codes: list[dict[str, Any]] | None = None  # the same, as data


def _error(status: int, detail: Any, field: str | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "field": field})


# Unique constraints (PostgreSQL names them, SQLite lists the columns) and the field to blame.
CONFLICT_FIELDS = {
    "uq_candidates_institute_id": "external_id",
    "candidates.external_id": "external_id",
    "uq_placements_vacancy_id": "candidate_id",
    "uq_placements_candidate_placed": "candidate_id",
    "placements.candidate_id": "candidate_id",
}


def _conflicting_field(message: str) -> str | None:
    return next((f for key, f in CONFLICT_FIELDS.items() if key in message), None)


def _unavailable(app: FastAPI, detail: str, field: str | None = None) -> JSONResponse:
    response = _error(503, detail, field)
    response.headers["Retry-After"] = str(app.state.settings.retry_after_seconds)
    return response


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        if exc.status_code == 503:
            return _unavailable(app, exc.message, exc.field)
        if not exc.reasons:
            response = _error(exc.status_code, exc.message, exc.field)
            response.headers.update(exc.headers or {})
            return response
        locale = negotiate(request.headers.get("accept-language"))
        content = {
            "detail": exc.message,
            "field": exc.field,
            "reasons": render(exc.reasons, locale),
            "reason_codes": reason_codes(exc.reasons),
        }
        headers = {**(exc.headers or {}), "Content-Language": locale, "Vary": "Accept-Language"}
        return JSONResponse(status_code=exc.status_code, content=content, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        allow = openapi_errors.static_methods(app, request.scope)
        if allow is not None and any(e["loc"][:1] == ("path",) for e in exc.errors()):
            # PATCH /candidates/bulk is not candidate "bulk": the path names another resource.
            response = _error(405, "Method Not Allowed")
            response.headers["Allow"] = allow
            return response
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
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's 400 for a body it cannot parse (not UTF-8, JSON nested too deeply).
        field = "body" if exc.status_code == 400 else None
        response = _error(exc.status_code, str(exc.detail), field)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's
            response.headers["Allow"] = openapi_errors.allowed_methods(app, request.scope)
        return response

    @app.exception_handler(IntegrityError)
    async def conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        field = _conflicting_field(str(exc.orig))
        what = f"that {field} is already taken" if field else "this conflicts with a stored record"
        return _error(409, what, field)

    @app.exception_handler(OperationalError)
    async def database_busy(_: Request, exc: OperationalError) -> JSONResponse:
        logger.warning("database unavailable or saturated: %s", exc.orig)
        return _unavailable(app, "the database is busy or unreachable; try again shortly")

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        # A connection cut under a request (the database restarting) is not the request's
        # fault: 503 and try again, as for OperationalError. Anything else is a bug.
        if exc.connection_invalidated or isinstance(exc, InterfaceError):
            logger.warning("database connection lost: %s", type(exc.orig).__name__)
            return _unavailable(app, "the database is busy or unreachable; try again shortly")
        logger.exception("unhandled database error", exc_info=exc)
        return _error(500, "internal error; it has been logged")

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        logger.warning("no database connection free: %s", exc)
        return _unavailable(app, "the server is saturated; try again shortly")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return _error(500, "internal error; it has been logged")


def build_matcher(tools: Toolkit, settings: Settings) -> MatchService:
    """A fresh per-process match index over the database (empty until loaded)."""
    index = MatchIndex(
        normaliser=tools.normaliser,
        model_name=tools.embedder.model_name,
        dimension=tools.embedder.dimension,
        weights=match_weights(settings)[0],
    )
    return MatchService(index)


def _load_index(matcher: MatchService, sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions, read_only=True) as session:
        matcher.load(session)
    _give_back_memory()


def _give_back_memory() -> None:
    """Return to the system what a start-up load freed. The load's rows and their
    temporaries (every batch's Python objects) are freed, but glibc keeps the pages in its
    heaps for reuse, so they stayed resident for the life of the process."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to ask
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _queue_stale(matcher: MatchService, sessions: sessionmaker[Session]) -> None:
    """Queue records without a vector of today's model (after a change of model or backend),
    so the workers bring them back instead of them waiting for `talentbridge embed`."""
    try:
        with unit_of_work(sessions) as session:
            queued = ingestion.enqueue_stale(session=session, model_name=matcher.index.model_name)
    except Exception:
        logger.exception("could not queue records with stale vectors; `talentbridge embed` can")
        return
    if queued:
        logger.info("queued %d records whose vector is missing or from another model", queued)
    _give_back_memory()


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    tools: Toolkit | None = None,
    load_tools: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    check_for_serving(settings)
    engine = engine or engine_from(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # As many threads as the pool has connections: a request never waits for a
        # connection held by another that is waiting for a thread.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # Requests run side by side in threads; BLAS fanning each small product out over every
        # core as well made a 9,000 x 384 product 17x slower on a busy machine (0.7 -> 11 ms).
        threadpool_limits(limits=settings.blas_threads, user_api="blas")
        # Likewise the model: one text embedded inline took 350 ms with two torch threads on
        # a busy machine and 40 ms with one (`talentbridge worker` keeps every core). The
        # ONNX backends take the count per session (`build_tools`) and never import torch.
        if settings.embedding_backend == "torch":
            import torch

            torch.set_num_threads(settings.embedding_threads)
        parsers.start(settings)  # the upload readers import now, not with the first file
        stop = threading.Event()
        worker_thread = None
        if app.state.tools is None and load_tools:
            app.state.tools = await to_thread.run_sync(
                lambda: build_tools(settings, threads=settings.embedding_threads)
            )
        if app.state.tools is not None and app.state.matcher is None:
            matcher = build_matcher(app.state.tools, settings)
            # Loaded before the server answers, so no request pays for it.
            await to_thread.run_sync(_load_index, matcher, app.state.session_factory)
            app.state.matcher = matcher
            # A scan of every record: in the background, not before the server answers.
            threading.Thread(
                target=_queue_stale,
                args=(matcher, app.state.session_factory),
                name="queue-stale",
                daemon=True,
            ).start()
        if app.state.tools is not None and settings.inprocess_worker:
            worker = EmbeddingWorker(
                sessions=app.state.session_factory,
                embedder=app.state.tools.embedder,
                normaliser=app.state.tools.normaliser,
                batch_size=settings.worker_batch_size,
                lease_seconds=settings.worker_lease_seconds,
            )
            cleanup = (
                settings.maintenance_interval_seconds,
                functools.partial(prune.run, app.state.session_factory, settings),
            )
            worker_thread = threading.Thread(
                target=worker.run,
                args=(stop,),
                kwargs={"every": [cleanup]},
                name="embedding-worker",
                daemon=True,
            )
            worker_thread.start()
        checker_thread = None
        if settings.inprocess_worker:
            checker_thread = duplicate_checker.start(app.state.session_factory, settings, stop)
        notifier = None
        if settings.inprocess_worker:
            notifier = threading.Thread(
                target=NotificationWorker(
                    sessions=app.state.session_factory,
                    settings=settings,
                    # new candidates who fit a vacancy, with the index the requests use
                    steps=[new_matches.step(app.state.session_factory, lambda: app.state.matcher)],
                ).run,
                args=(stop,),
                name="notification-worker",
                daemon=True,
            )
            notifier.start()
        yield
        stop.set()
        if checker_thread is not None:
            await to_thread.run_sync(checker_thread.join, 30)
        if worker_thread is not None:
            await to_thread.run_sync(worker_thread.join, 30)
        if notifier is not None:
            await to_thread.run_sync(notifier.join, 30)
        await to_thread.run_sync(audit_writer.close_all)  # reads' audit entries still queued

    app = FastAPI(
        title="TalentBridge",
        version=__version__,
        description="Skilled workers from India matched with vacancies in Japan.",
        lifespan=lifespan,
        docs_url=None,  # apidocs serves /docs and /redoc from bundled files (works offline)
        redoc_url=None,
        responses={code: {"model": ErrorResponse} for code in openapi_errors.STATUSES},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.state.tools = tools
    app.state.matcher = None
    app.state.auth_limiter = limiter_for(
        settings,
        engine,
        namespace="auth:",
        limit=settings.auth_failure_limit,
        window=settings.auth_failure_window_seconds,
        capacity=settings.auth_failure_capacity,
    )
    app.state.org_limiter = (
        limiter_for(
            settings,
            engine,
            namespace="requests:",
            limit=settings.org_request_limit,
            window=settings.org_request_window_seconds,
            capacity=settings.auth_failure_capacity,
        )
        if settings.org_request_limit
        else None
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        Admission,
        limit=settings.admission_limit,
        wait=settings.admission_wait_seconds,
        retry_after=settings.retry_after_seconds,
    )
    # Outside Starlette's outermost layer too, so even a 500 answer carries the headers.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(  # type: ignore[method-assign]
        Observe(build_stack()), retry_after=settings.retry_after_seconds
    )
    _include_routers(app)
    _commit_in_the_endpoints_thread(app)
    apidocs.install(app)
    openapi_errors.install(app)
    return app


_COMMITTING = "_talentbridge_commits_in_its_thread"


def _commit_in_the_endpoints_thread(app: FastAPI) -> None:
    """A writing request commits in the same worker thread as its endpoint ran in.

    The session dependency would commit in a later thread-pool hop, after the response
    model is built, and on SQLite the write lock stayed held while that hop waited behind
    every other request queued for a thread (a 2 s tail at 32 users). Read-only sessions
    keep committing in the dependency, which writes their audit entries afterwards.
    """
    _wrap_endpoints(app.routes)


def _wrap_endpoints(routes: list[Any]) -> None:
    # FastAPI 0.165 keeps an included router's routes in the router (built into effective
    # routes from `route.endpoint` at the first request); older releases copy them into
    # app.routes at include time. Wrapping the endpoint itself, wherever it sits, holds for
    # both.
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            _wrap_endpoints(included.routes)
        elif (
            isinstance(route, APIRoute)
            and not inspect.iscoroutinefunction(route.endpoint)
            and not getattr(route.endpoint, _COMMITTING, False)
        ):
            route.endpoint = _committing(route.endpoint)
            route.dependant.call = route.endpoint


def _committing(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def endpoint(**values: Any) -> Any:
        result = call(**values)
        for value in values.values():
            if isinstance(value, Session) and not value.info.get(READ_ONLY):
                value.commit()
        return result

    setattr(endpoint, _COMMITTING, True)
    return endpoint


def _include_routers(app: FastAPI) -> None:
    from talentbridge.api.allocations import router as allocations
    from talentbridge.api.candidates import router as candidates
    from talentbridge.api.demand import pages as demand_pages
    from talentbridge.api.demand import router as demand
    from talentbridge.api.duplicates import router as duplicates
    from talentbridge.api.hires import router as hires
    from talentbridge.api.jobs import router as jobs
    from talentbridge.api.matches import router as matching
    from talentbridge.api.messages import router as messages
    from talentbridge.api.notifications import router as notifications
    from talentbridge.api.organisations import router as organisations
    from talentbridge.api.placements import router as placements
    from talentbridge.api.reports import pages
    from talentbridge.api.reports import router as reports
    from talentbridge.api.users import router as users
    from talentbridge.api.vacancies import router as vacancies
    from talentbridge.api.webhooks import router as webhooks
    from talentbridge.ops.observe import router as metrics_router

    api = APIRouter(prefix="/api/v1")
    for router in (organisations, candidates, vacancies, placements, matching, reports, jobs):
        api.include_router(router)
    api.include_router(allocations)
    api.include_router(demand)
    api.include_router(users)
    api.include_router(duplicates)
    api.include_router(hires)
    api.include_router(notifications)
    api.include_router(webhooks)
    api.include_router(messages)

    @api.get("/meta", tags=["reference"])
    def meta() -> dict[str, Any]:
        """Sectors, prefectures, states, Japanese levels and partnerships."""
        return reference.meta()

    app.include_router(api)
    app.include_router(pages)
    app.include_router(demand_pages)
    web.install(app)
    app.include_router(metrics_router)

    @app.get("/health", tags=["health"], responses={503: {"model": ErrorResponse}})
    def health(request: Request, session: SessionDep) -> dict[str, Any]:
        """200 when the database answers, 503 (with Retry-After) when it does not; with the
        match index's size, lag and the records it left out, and the embedding queue's state:
        `status` is `degraded` when the index is behind or the queue is not moving."""
        matcher = request.app.state.matcher
        try:
            session.execute(text("SELECT 1"))
            if matcher is not None:
                matcher.refresh(session)  # as the next match would: then the lag is real
            details = health_details(session, matcher, request.app.state.settings)
        except SQLAlchemyError as exc:
            logger.warning("health: the database does not answer: %s", type(exc).__name__)
            retry = str(request.app.state.settings.retry_after_seconds)
            raise Unavailable(
                "the database does not answer", field="database", headers={"Retry-After": retry}
            ) from exc
        return {
            "status": details["status"],
            "database": "ok",
            "version": __version__,
            "process": os.getpid(),
            "index": details["index"],
            "queue": details["queue"],
        }
