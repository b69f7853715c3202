"""Vectors follow the text: embedded once, again only when the text or the model changes."""

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.matching.embedder import Embedder
from talentbridge.organisations.models import Organisation
from talentbridge.serving.embed_all import embed_all


def test_embed_only_what_changed(tmp_path, tools):
    url = f"sqlite:///{tmp_path / 'embed.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        institute = Organisation(kind="institute", name="I", state="Kerala")
        session.add(institute)
        session.flush()
        session.add_all(
            Candidate(
                institute_id=institute.id,
                external_id=str(i),
                full_name="x",
                date_of_birth=date(1990, 1, 1),
                state="Kerala",
                sector="care",
                job_title=f"care worker {i}",
            )
            for i in range(5)
        )
    settings = Settings(database_url=url)
    assert embed_all(settings, embedder=tools.embedder) == {"candidates": 5, "vacancies": 0}
    assert embed_all(settings, embedder=tools.embedder) == {"candidates": 0, "vacancies": 0}
    with session_scope(engine) as session:
        session.scalars(select(Candidate)).first().summary = "Now with a summary."
    assert embed_all(settings, embedder=tools.embedder)["candidates"] == 1
    with session_scope(engine) as session:
        first = session.scalars(select(Candidate).options(undefer(Candidate.embedding))).first()
        assert len(first.embedding) == 384 * 4
        assert first.embedding_model == tools.embedder.model_name
        for candidate in session.scalars(select(Candidate)):
            candidate.embedding_model = "another-model"
    assert embed_all(settings, embedder=tools.embedder)["candidates"] == 5
    engine.dispose()


PROFILES = [
    "care home worker. care sector. Skills: assist individuals with disabilities, "
    "communicate with social service users. 2.5 years as a care home worker in Hyderabad.",
    "crop production worker. agriculture sector. Skills: harvest crop, drive agricultural "
    "machines. Recently completed agriculture training in Coimbatore.",
    "welder. manufacturing sector",
    "state enrolled nurse. care sector. Skills: monitor basic patients signs. Shakai Fukushi "
    "Hojin Asahi-kai in Ueda, Nagano, is hiring 2 state enrolled nurses under the Specified "
    "Skilled Worker (i) programme. Paid holidays from the first year.",
]


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return Embedder(backend="torch").encode(PROFILES)


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_fast_backends_agree_with_torch(backend, torch_vectors):
    # Exported from the packaged weights into the cache dir on first use, offline.
    embedder = Embedder(backend=backend, batch_size=2)
    vectors = embedder.encode(PROFILES)
    assert vectors.dtype == np.float32 and vectors.shape == torch_vectors.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert np.sum(vectors * torch_vectors, axis=1).min() > 0.99
    # Vectors that differ measurably must not pass for the stored float ones.
    assert ("+int8" in embedder.model_name) == (backend == "onnx-int8")
