"""A real HTTP receiver on 127.0.0.1 and apps over the test database that commit for real."""

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from talentbridge import migrate
from talentbridge.app import create_app
from talentbridge.config import Settings
from tests.conftest import ADMIN, Database, make_database


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # status codes to give, in order; then 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.received.append((dict(self.headers), body))
            self.send_response(got.answers.pop(0) if got.answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield got
    server.shutdown()
    server.server_close()


AppMaker = Callable[..., TestClient]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def own_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database of this module's own: its tests commit placements, which the shared one's
    tests (tallies against a recount of every row) must not see."""
    db = make_database(request.param, tmp_path_factory.mktemp("own"))
    migrate.upgrade(db.url)
    yield db
    db.drop()


@pytest.fixture
def make_client(own_database: Database) -> Iterator[AppMaker]:
    """`make_client(**settings)`: a TestClient over the test database with those settings."""
    opened: list[TestClient] = []

    def make(**values: Any) -> TestClient:
        settings = Settings(
            database_url=own_database.url, admin_token=ADMIN, inprocess_worker=False, **values
        )
        client = TestClient(
            create_app(settings, engine=own_database.engine, load_tools=False),
            raise_server_exceptions=False,
        )
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()
