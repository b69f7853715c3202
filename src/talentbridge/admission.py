"""Bounded admission: at most so many requests in flight per process; the rest wait a
little for a place, then are told to come back (503 with Retry-After).

Without it, overload made the server slower instead of shedding: at 64 users on SQLite
every request queued for threads and the write lock, 7 requests/s at p95 20 s. Now a
request waits at most `ADMISSION_WAIT_SECONDS` for one of `ADMISSION_LIMIT` places, so a
client hears within about a second that it should retry, and those admitted keep the
throughput of a server that is not overloaded. `/health` is never held back.
"""

import asyncio
import json

from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/health",)


class Admission:
    """ASGI middleware: a semaphore of `limit` places, waited for at most `wait` seconds."""

    def __init__(self, app: ASGIApp, *, limit: int, wait: float, retry_after: int) -> None:
        self.app = app
        self.limit = limit
        self.wait = wait
        self.retry_after = retry_after
        self._places: asyncio.Semaphore | None = None  # made in the server's event loop
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self._places is None:
            self._places = asyncio.Semaphore(self.limit)
        places = self._places
        try:
            async with asyncio.timeout(self.wait):
                await places.acquire()
        except TimeoutError:
            self.refused += 1
            await self._refuse(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            places.release()

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": "the server is at capacity; try again shortly", "field": None}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
