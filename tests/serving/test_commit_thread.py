"""Every synchronous endpoint commits its writes in the thread it ran in (app.py,
`_commit_in_the_endpoints_thread`), wherever FastAPI keeps the route: under FastAPI 0.165 an
included router's routes stay in the router, and only /health was wrapped; SQLite's write
lock then stayed held across a second thread-pool hop."""

import inspect

from fastapi.routing import APIRoute

from talentbridge.app import create_app
from talentbridge.config import Settings


def _api_routes(routes):
    # An included router's own paths, without its prefix (/api/v1 lives in the inclusion).
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_synchronous_endpoint_commits_in_its_own_thread(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'tb.db'}"))
    sync = [
        route
        for route in _api_routes(app.routes)
        if not route.path.startswith(("/docs", "/redoc"))
        and not inspect.iscoroutinefunction(route.endpoint)
    ]
    writing = [r for r in sync if r.methods & {"POST", "PATCH", "PUT", "DELETE"}]
    assert {"/candidates", "/placements", "/app/login"} <= {r.path for r in writing}
    unwrapped = [
        f"{sorted(r.methods)} {r.path}"
        for r in sync
        if not getattr(r.endpoint, "_talentbridge_commits_in_its_thread", False)
    ]
    assert not unwrapped
