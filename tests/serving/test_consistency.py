"""Two server processes on one database: a change through one shows in the other's next match."""

from fastapi.testclient import TestClient

from talentbridge import migrate
from talentbridge.app import build_matcher, create_app
from talentbridge.config import Settings
from talentbridge.db import make_engine
from tests.conftest import ADMIN, Api, make_database


def _server(url, tools):
    settings = Settings(database_url=url, admin_token=ADMIN)
    app = create_app(settings, engine=make_engine(url), tools=tools)
    app.state.matcher = build_matcher(tools, settings)
    return TestClient(app)


def test_changes_through_one_server_show_in_another(tmp_path, tools):
    db = make_database("postgresql", tmp_path)
    try:
        migrate.upgrade(db.url)
        with _server(db.url, tools) as one, _server(db.url, tools) as two:
            api_one, api_two = Api(one), Api(two)
            institute, employer = api_one.org("institute"), api_one.org("employer")
            vacancy = api_one.vacancy(employer)

            def matches():
                response = two.get(
                    f"/api/v1/vacancies/{vacancy['id']}/matches", headers=Api.auth(employer)
                )
                return [m["candidate_id"] for m in response.json()["items"]]

            assert matches() == []
            candidate = api_one.candidate(institute)
            assert matches() == [candidate["id"]]
            one.patch(
                f"/api/v1/candidates/{candidate['id']}",
                json={"consent_to_share": False},
                headers=Api.auth(institute),
            )
            assert matches() == []
            one.patch(
                f"/api/v1/candidates/{candidate['id']}",
                json={"consent_to_share": True},
                headers=Api.auth(institute),
            )
            assert matches() == [candidate["id"]]
            one.delete(f"/api/v1/candidates/{candidate['id']}", headers=Api.auth(institute))
            assert matches() == []
            assert api_two.client.get("/health").status_code == 200
    finally:
        db.drop()
