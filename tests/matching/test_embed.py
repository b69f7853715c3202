"""Vectors follow the text: embedded once, again only when the text or the model changes."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import undefer

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.matching.embed_all import embed_all
from talentbridge.organisations.models import Organisation


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
