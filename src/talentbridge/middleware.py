"""ASGI middleware on every answer: the request-body limit and the security headers."""

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _error(status: int, detail: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "field": field})


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


# Every answer, the dashboard pages included: scripts and styles only from files of this
# origin (no inline script, no eval), calls to this origin, nothing else; no page may frame
# it (clickjacking). /docs and /redoc set their own (apidocs.py), as pages may.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Paths whose answers hold no personal data and may be cached.
CACHEABLE = ("/health", "/api/v1/meta", "/dashboard", "/docs", "/redoc", "/openapi.json")


class SecurityHeaders:
    """Headers on every response: no MIME sniffing, no referrer, no framing, and
    `Cache-Control: no-store` on everything that may hold personal data."""

    def __init__(self, app: ASGIApp, retry_after: int = 2) -> None:
        self.app = app
        self.retry_after = str(retry_after).encode()  # on every 503 that does not say

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", DEFAULT_CSP.encode()),
        ]
        if path not in CACHEABLE:
            extra.append((b"cache-control", b"no-store"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((n, v) for n, v in extra if n not in names),
                ]
                if message["status"] == 503 and b"retry-after" not in names:
                    message["headers"].append((b"retry-after", self.retry_after))
            await send(message)

        await self.app(scope, receive, with_headers)
