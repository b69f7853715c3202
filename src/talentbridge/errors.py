"""Domain errors raised by services and mapped to HTTP once, in app.py."""


class DomainError(Exception):
    status_code = 400

    def __init__(
        self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class Unauthorized(DomainError):
    status_code = 401


class Invalid(DomainError):
    """Input that passed the schema but breaks a domain rule."""

    status_code = 422


class TooManyRequests(DomainError):
    status_code = 429


class Unavailable(DomainError):
    status_code = 503
