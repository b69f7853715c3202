"""The process's Prometheus metrics: counters and histograms every layer may increment.

One registry per process (`REGISTRY`); `GET /metrics` renders it together with the gauges an
app reads at scrape time (pool, queue, index: `talentbridge.ops.observe`). Each server
process counts its own requests: scrape every process (`serve --workers N` forks N).
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "talentbridge_request_duration_seconds",
    "HTTP request latency by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
IN_FLIGHT = Gauge(
    "talentbridge_requests_in_flight", "HTTP requests being answered now", registry=REGISTRY
)
SHED = Counter(
    "talentbridge_requests_shed",
    "Requests answered 503 (database busy or unreachable, pool exhausted, overloaded), by route",
    ["route"],
    registry=REGISTRY,
)
JOBS = Counter(
    "talentbridge_jobs",
    "Background jobs that finished, by outcome (failed: one or more records failed)",
    ["outcome"],
    registry=REGISTRY,
)
RECORDS_EMBEDDED = Counter(
    "talentbridge_embedding_records",
    "Queued records the embedding workers finished, by outcome",
    ["outcome"],
    registry=REGISTRY,
)
SIGN_IN_FAILURES = Counter(
    "talentbridge_sign_in_failures",
    "Failed sign-ins and API key checks, by kind (api_key, admin_token, password, ...)",
    ["kind"],
    registry=REGISTRY,
)
MAINTENANCE_ROWS = Counter(
    "talentbridge_maintenance_rows_deleted",
    "Rows removed by the maintenance tasks, by task",
    ["task"],
    registry=REGISTRY,
)


def sign_in_failed(kind: str) -> None:
    """The hook for every place that refuses a credential (keys, tokens, passwords)."""
    SIGN_IN_FAILURES.labels(kind=kind).inc()
