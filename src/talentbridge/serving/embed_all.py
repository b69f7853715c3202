"""`talentbridge embed`: bring every stored vector up to date, in batches."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer
from tqdm import tqdm

from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.matching.derived import embed
from talentbridge.matching.embedder import Embedder
from talentbridge.vacancies.models import Vacancy


def embed_all(
    settings: Settings, *, batch_size: int = 256, embedder: Embedder | None = None
) -> dict[str, int]:
    """Embed records with no vector, or one from another model or older text."""
    embedder = embedder or Embedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        backend=settings.embedding_backend,
        cache_dir=settings.cache_dir,
    )
    engine = make_engine(settings.database_url)
    counts = {}
    for name, model in (("candidates", Candidate), ("vacancies", Vacancy)):
        done = 0
        with session_scope(engine) as session:
            ids = session.scalars(select(model.id).order_by(model.id)).all()
        with tqdm(total=len(ids), desc=f"embedding {name}", unit="rec") as bar:
            for start in range(0, len(ids), batch_size):
                chunk = ids[start : start + batch_size]
                with session_scope(engine) as session:
                    records: Any = session.scalars(
                        select(model).where(model.id.in_(chunk)).options(undefer(model.embedding))
                    ).all()
                    done += embed(records, embedder, session=session)
                bar.update(len(chunk))
        counts[name] = done
    engine.dispose()
    return counts
