"""Domain errors raised by services and mapped to HTTP once, in app.py.

Each kind names its HTTP status in the class line: `class NotFound(DomainError, status=404)`.
"""

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init_subclass__(cls, *, status: int, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status_code = status

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        reasons: Sequence[Any] = (),
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers
        # What happened, as a key and its values (`already_placed`, {"max_rows": 5000}):
        # the pages say it in the reader's language from their catalogue (web/problems.py);
        # the API's JSON answer keeps `message` as it was.
        self.code = code
        self.params = dict(params or {})
        # Why, as data (the engine's Reason(kind, params), e.g. the failed SSW gates):
        # the answer renders them in the reader's language beside the message.
        self.reasons = list(reasons)


class NotFound(DomainError, status=404):
    """No such record, or one the caller may not see: the same answer, so that ids
    cannot be probed."""


class Conflict(DomainError, status=409):
    """The request is well formed but the records' state forbids it (a taken id, a
    pipeline move out of turn, a failed SSW gate, no opening left)."""


class Forbidden(DomainError, status=403):
    """The caller's kind of organisation may not do this."""


class Unauthorized(DomainError, status=401):
    """No key, or one that is unknown or revoked."""


class Invalid(DomainError, status=422):
    """Input that passed the schema but breaks a domain rule."""


class TooManyRequests(DomainError, status=429):
    """Too many failed attempts from one client or for one key prefix."""


class Unavailable(DomainError, status=503):
    """A part this server process runs without (matching) was asked for."""
