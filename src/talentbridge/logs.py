"""Logs as one JSON object per line, each with the request id of the request it belongs to.

Standard library logging with a JSON formatter: the fields are the time, level, logger,
message, request id and the `extra` a call passes (route, status, duration). No personal
data goes in a message by design (records are named by id, never by name, birth date, key
or password; SQL parameters are hidden by the engine), and the formatter refuses the known
field names anyway.
"""

import json
import logging
import logging.config
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("talentbridge_request_id", default=None)
# An incoming X-Request-ID is kept when it looks like an id (a proxy's or a client's), not
# when it could smuggle text into the logs.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
# Never written, whatever a caller passes in `extra=`.
PRIVATE = frozenset(
    {"full_name", "name", "date_of_birth", "birth_date", "password", "api_key", "key", "token"}
)


def request_id(incoming: str | None) -> str:
    """The id for a request: the caller's X-Request-ID when it is sane, else a new one."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = REQUEST_ID.get()
        if rid is not None:
            entry["request_id"] = rid
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in PRIVATE and not name.startswith("_"):
                entry[name] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = _safe_error(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False)


def _safe_error(error: BaseException | None) -> str:
    """The traceback of the error and of what caused it, with validation errors told by
    field and kind only: their messages quote the input (a person's name, birth date) and
    would carry it into the log."""
    parts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        described = _errors_of(error)
        message = described if described is not None else str(error)
        frames = "".join(traceback.format_tb(error.__traceback__))
        parts.append(f"{frames}{type(error).__name__}: {message}")
        error = error.__cause__ or error.__context__
    return "\n-- which was raised while handling --\n".join(parts)


def _errors_of(error: BaseException) -> str | None:
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return None
    try:
        items = errors()
    except Exception:
        return None
    if not isinstance(items, list | tuple):
        return None
    return "; ".join(
        f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('type')}"
        for e in items
        if isinstance(e, dict)
    )[:2000]


def dict_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """A logging.config dict: our loggers and uvicorn's, to stderr, as JSON (or plain text)."""
    formatter = (
        {"()": JsonFormatter}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loggers = {
        name: {"handlers": ["main"], "level": level, "propagate": False}
        for name in ("talentbridge", "uvicorn", "uvicorn.error")
    }
    loggers["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": loggers,
        "root": {"handlers": ["main"], "level": "WARNING"},
    }


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """Set up the process's logging (the CLI's serve and worker commands call it): Python's
    warnings become log lines too, and in JSON mode the model library's progress bars are
    off, so every line on stderr is one JSON object."""
    logging.config.dictConfig(dict_config(level, fmt))
    logging.captureWarnings(True)
    if fmt == "json":
        try:
            from transformers.utils import logging as transformers_logging
        except ImportError:  # pragma: no cover - it comes with sentence-transformers
            return
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
