"""A real server on 127.0.0.1: uvicorn in a thread, over its own committed database."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from talentbridge.app import create_app
from talentbridge.config import Settings
from talentbridge.matching.toolkit import Toolkit
from tests.conftest import ADMIN


class LiveServer:
    def __init__(self, settings: Settings, tools: Toolkit) -> None:
        self.app = create_app(settings, tools=tools)
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.app.state.engine.dispose()

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)

    def org(self, kind: str, **place: str) -> dict[str, str]:
        defaults = {
            "institute": {"state": "Uttar Pradesh"},
            "employer": {"prefecture": "Yamanashi"},
            "officer": {},
        }
        body = {"kind": kind, "name": f"{kind} {time.monotonic_ns()}", **defaults[kind], **place}
        with self.client() as client:
            response = client.post(
                "/api/v1/organisations", json=body, headers={"Authorization": f"Bearer {ADMIN}"}
            )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['api_key']}"}


@contextmanager
def live_server(url: str, tools: Toolkit, **settings: Any) -> Iterator[LiveServer]:
    server = LiveServer(Settings(database_url=url, admin_token=ADMIN, **settings), tools)
    server.start()
    try:
        yield server
    finally:
        server.stop()
