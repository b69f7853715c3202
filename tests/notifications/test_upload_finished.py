"""A bulk upload's job tells its institute when the workers have finished it."""

from sqlalchemy.orm import sessionmaker

from talentbridge.ingestion.worker import EmbeddingWorker
from talentbridge.matching.toolkit import Toolkit
from tests.conftest import Database, candidate_body
from tests.notifications.conftest import AppMaker
from tests.web.conftest import make_member


def test_the_institute_is_told_when_its_upload_is_done(
    make_client: AppMaker, own_database: Database, tools: Toolkit
) -> None:
    http = make_client()
    institute = make_member(http, "institute")
    key = {"Authorization": f"Bearer {institute.api_key}"}
    rows = [candidate_body(), candidate_body(), {"external_id": "broken"}]
    result = http.post("/api/v1/candidates/bulk", json=rows, headers=key).json()
    assert (result["created"], result["failed"]) == (2, 1)

    def finished() -> list[dict[str, object]]:
        items = http.get("/api/v1/notifications", headers=key).json()["items"]
        return [n["data"] for n in items if n["kind"] == "upload.finished"]

    assert finished() == []  # not while its records wait for the workers
    worker = EmbeddingWorker(
        sessions=sessionmaker(bind=own_database.engine, expire_on_commit=False),
        embedder=tools.embedder,
        normaliser=tools.normaliser,
    )
    assert worker.drain() == 2
    # the row the upload refused counts in the job, as in the upload's own answer
    assert finished() == [{"job_id": result["job_id"], "total": 3, "done": 2, "failed": 1}]
