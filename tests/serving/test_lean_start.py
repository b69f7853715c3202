"""A serving process starts without torch, sentence-transformers or scikit-learn: they were
most of its memory and start (docs/measurements.md, "Cold start and memory")."""

import json
import os
import subprocess
import sys
from pathlib import Path

from talentbridge.matching.embedder import Embedder

HEAVY = ("torch", "sentence_transformers", "transformers", "sklearn")

SERVE = """
import json, sys
from datetime import date
from fastapi.testclient import TestClient
from talentbridge import migrate
from talentbridge.app import create_app
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.organisations.models import Organisation
from talentbridge.serving.embed_all import embed_all

url = sys.argv[1]
migrate.upgrade(url)
engine = make_engine(url)
with session_scope(engine) as session:
    institute = Organisation(kind="institute", name="I", state="Kerala")
    session.add(institute)
    session.flush()
    for i, title in enumerate(["care worker", "welder", "溶接工"]):
        session.add(Candidate(institute_id=institute.id, external_id=str(i), full_name="x",
            date_of_birth=date(1990, 1, 1), state="Kerala", sector="care", job_title=title))
settings = Settings(database_url=url, admin_token="a" * 40, inprocess_worker=False)
app = create_app(settings, engine=engine)
with TestClient(app) as client:
    embed_all(settings, embedder=app.state.tools.embedder)  # the worker's batch path
    vector = app.state.tools.embedder.encode(["フォークリフト運転手"])  # inline, one text
    health = client.get("/health").json()
print(json.dumps({
    "index": health["index"],
    "norm": float((vector ** 2).sum()),
    "heavy": [name for name in %r if name in sys.modules],
}))
"""


def test_starting_the_server_imports_no_torch_nor_scikit_learn(tmp_path: Path) -> None:
    Embedder().onnx_path()  # the export made here if the cache lacks it (that needs torch)
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", SERVE % (HEAVY,), f"sqlite:///{tmp_path / 'lean.db'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["heavy"] == []
    assert abs(facts["norm"] - 1.0) < 1e-4
    assert facts["index"]["candidates"] == 3, facts["index"]
