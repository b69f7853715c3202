"""Title vectors: one per distinct title and model, shared by every record with that title.

A hundred thousand candidates have a few thousand titles between them, so a title is
embedded once, stored once (`title_vectors`, keyed by model and the hash of its key) and
held once in memory; records point at their title's row.
"""

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sqlalchemy import LargeBinary, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from talentbridge.db import Base
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.japanese import english, has_japanese
from talentbridge.matching.text import text_hash, title_key

LOOKUP_CHUNK = 1_000  # digests per IN list


class TitleVector(Base):
    __tablename__ = "title_vectors"

    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


def title_digest(title: str | None) -> str | None:
    """The hash a title is stored under, or None for no title."""
    key = title_key(title)
    if has_japanese(key):  # embedded from its English reading: not a vector stored before it
        key = f"ja-reading-1|{key}"
    return text_hash(key) if key else None


def stored_digests(session: Session, model: str, digests: Iterable[str]) -> set[str]:
    """Which of these digests have a vector of `model` stored."""
    wanted, found = sorted(set(digests)), set[str]()
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        found.update(
            session.scalars(
                select(TitleVector.digest).where(
                    TitleVector.model == model, TitleVector.digest.in_(chunk)
                )
            )
        )
    return found


def embed_titles(titles: Sequence[str | None], embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the distinct titles, by digest."""
    distinct = {d: english(title_key(t)) for t in titles if (d := title_digest(t)) is not None}
    if not distinct:
        return {}
    vectors = embedder.encode(list(distinct.values()))
    return {
        digest: np.ascontiguousarray(vector, dtype=np.float32)
        for digest, vector in zip(distinct, vectors, strict=True)
    }


def in_order(
    titles: Sequence[str | None], vectors: Mapping[str, np.ndarray], dimension: int
) -> np.ndarray:
    """One row per title from `embed_titles`' result (zeros for no title)."""
    out = np.zeros((len(titles), dimension), dtype=np.float32)
    for row, title in enumerate(titles):
        digest = title_digest(title)
        if digest is not None and digest in vectors:
            out[row] = vectors[digest]
    return out


def save_title_vectors(session: Session, model: str, vectors: Mapping[str, np.ndarray]) -> None:
    """Store vectors not stored yet; a title another writer stored meanwhile is kept as is."""
    if not vectors:
        return
    rows = [{"model": model, "digest": d, "vector": v.tobytes()} for d, v in vectors.items()]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(TitleVector).values(rows).on_conflict_do_nothing())


def ensure_title_vectors(session: Session, titles: Sequence[str | None], embedder: Embedder) -> int:
    """Embed and store the titles that have no vector of this model yet; how many were new."""
    digests = {d: t for t in titles if (d := title_digest(t)) is not None}
    missing = set(digests) - stored_digests(session, embedder.model_name, digests)
    vectors = embed_titles([digests[d] for d in sorted(missing)], embedder)
    save_title_vectors(session, embedder.model_name, vectors)
    return len(vectors)


def load_title_vectors(
    session: Session, model: str, digests: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Stored vectors of `model`: all of them, or those of the given digests."""
    query = select(TitleVector.digest, TitleVector.vector).where(TitleVector.model == model)
    if digests is None:
        return {d: np.frombuffer(v, dtype=np.float32) for d, v in session.execute(query)}
    wanted, out = sorted(set(digests)), {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = query.where(TitleVector.digest.in_(wanted[start : start + LOOKUP_CHUNK]))
        out.update({d: np.frombuffer(v, dtype=np.float32) for d, v in session.execute(chunk)})
    return out
