"""What operators see: request ids and access logs, Prometheus metrics, health details.

`Observe` wraps the whole app (outside the error middleware, so a 500 is counted too): it
gives every request an id (the caller's sane `X-Request-ID` or a new one) that every log
line of the request carries and the response returns, times the request by route template
and status, counts requests in flight and 503s shed, and writes one access log line.
`GET /metrics` renders the process's counters and the gauges read at scrape time.
"""

import ipaddress
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talentbridge import logs, metrics
from talentbridge.config import Settings
from talentbridge.db import unit_of_work
from talentbridge.errors import Forbidden, Unauthorized
from talentbridge.ingestion import service as ingestion
from talentbridge.matching.changes import Change
from talentbridge.serving.sync import MatchService

access = logging.getLogger("talentbridge.access")
logger = logging.getLogger("talentbridge.ops")


class Observe:
    """Request id, latency histogram, in-flight gauge, shed counter and access log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1") or None
        rid = logs.request_id(incoming)
        token = logs.REQUEST_ID.set(rid)
        status = 500
        started = time.perf_counter()

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *(h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"),
                    (b"x-request-id", rid.encode()),
                ]
            await send(message)

        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, tagged)
        finally:
            metrics.IN_FLIGHT.dec()
            seconds = time.perf_counter() - started
            route = _route_of(scope)
            metrics.REQUEST_SECONDS.labels(route, scope["method"], str(status)).observe(seconds)
            if status == 503:
                metrics.SHED.labels(route=route).inc()
            access.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            logs.REQUEST_ID.reset(token)


def _route_of(scope: Scope) -> str:
    """The route template (`/api/v1/candidates/{candidate_id}`), never the raw path, so the
    metrics' labels stay few; `unmatched` for paths no route serves. Built from the path and
    the matched path parameters (in path order), as routers nest their prefixes."""
    if scope.get("route") is None:
        return "unmatched"
    params = [(name, str(v)) for name, v in (scope.get("path_params") or {}).items()]
    segments = []
    for segment in str(scope.get("path", "")).split("/"):
        if params and segment == params[0][1]:
            segment = "{" + params.pop(0)[0] + "}"
        segments.append(segment)
    return "/".join(segments)


# /metrics ---------------------------------------------------------------------------------
router = APIRouter(include_in_schema=False)


def _allowed(request: Request) -> None:
    settings: Settings = request.app.state.settings
    token = settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        scheme, _, presented = given.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            presented.encode(), token.encode()
        ):
            metrics.sign_in_failed("metrics_token")
            raise Unauthorized(
                "send 'Authorization: Bearer <metrics token>'", field="Authorization"
            )
        return
    host = request.client.host if request.client else ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:  # not an address (a test client's name, a unix socket)
        loopback = False
    if not loopback:
        raise Forbidden("/metrics is served to this machine only (set TALENTBRIDGE_METRICS_TOKEN)")


@router.get("/metrics")
def metrics_page(request: Request) -> Response:
    """The process's metrics in Prometheus' text format."""
    _allowed(request)
    body = generate_latest(metrics.REGISTRY) + generate_latest(_scraped(request))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _scraped(request: Request) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AppCollector(request.app.state))
    return registry


class AppCollector(Collector):
    """Gauges read when scraped: the pool, the embedding queue, the index and the feed."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self.state.engine.pool
        connections = GaugeMetricFamily(
            "talentbridge_db_pool_connections", "Database connections, by state", labels=["state"]
        )
        connections.add_metric(["in_use"], float(getattr(pool, "checkedout", lambda: 0)()))
        connections.add_metric(["idle"], float(getattr(pool, "checkedin", lambda: 0)()))
        yield connections
        size = getattr(pool, "size", None)
        overflow = getattr(pool, "_max_overflow", 0)
        if callable(size):
            yield GaugeMetricFamily(
                "talentbridge_db_pool_capacity",
                "Connections the pool may open (size plus overflow)",
                value=float(size() + max(overflow, 0)),
            )
        up = GaugeMetricFamily("talentbridge_database_up", "1 when the database answered")
        try:
            with unit_of_work(self.state.session_factory, read_only=True) as session:
                state = feed_and_queue(session, self.state.matcher)
        except Exception as exc:
            logger.warning("metrics: the database does not answer: %s", type(exc).__name__)
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        queue = state["queue"]
        yield GaugeMetricFamily(
            "talentbridge_embedding_queue_depth",
            "Records waiting for their vector",
            value=queue["depth"],
        )
        yield GaugeMetricFamily(
            "talentbridge_embedding_queue_oldest_seconds",
            "How long the oldest queued record has waited (0: the queue is empty)",
            value=queue["oldest_seconds"],
        )
        if state["index"] is not None:
            yield GaugeMetricFamily(
                "talentbridge_index_feed_lag",
                "Change-feed rows this process's match index has not applied yet",
                value=state["index"]["lag"],
            )


def feed_and_queue(session: Session, matcher: MatchService | None) -> dict[str, Any]:
    """The queue's state and the index's lag behind the change feed (None: no index)."""
    index = None
    if matcher is not None:
        newest = session.scalar(select(func.max(Change.seq))) or 0
        index = {"lag": max(newest - matcher.index.position.seq, 0), "feed_seq": newest}
    return {"queue": ingestion.queue_state(session=session), "index": index}


def health_details(
    session: Session, matcher: MatchService | None, settings: Settings
) -> dict[str, Any]:
    """What /health adds to 'the database answers': is the index current, is the queue moving."""
    state = feed_and_queue(session, matcher)
    queue = state["queue"]
    queue["moving"] = (
        queue["depth"] == 0
        or queue["leased"]
        or queue["oldest_seconds"] < settings.health_queue_age_seconds
    )
    index = matcher.status() if matcher is not None else None
    if index is not None and state["index"] is not None:
        index["lag"] = state["index"]["lag"]
        index["current"] = bool(index["loaded"]) and index["lag"] <= settings.health_index_lag
    healthy = queue["moving"] and (index is None or index["current"])
    return {"status": "ok" if healthy else "degraded", "index": index, "queue": queue}
