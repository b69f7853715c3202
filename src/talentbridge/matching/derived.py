"""The fields matching derives from a record's text: its ESCO occupation, its profile vector
and its title's vector, kept in step with the text, in batches.

Works on anything shaped like a candidate or a vacancy (see `text`), so the domain packages
call it without matching knowing their models.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import OccupationMatch, OccupationNormaliser
from talentbridge.matching.text import profile_text, text_hash, title_of
from talentbridge.matching.titles import embed_titles, in_order, save_title_vectors
from talentbridge.matching.toolkit import Toolkit

Record = Any  # a candidate or a vacancy (ORM row or anything shaped like one)


def _profiles(records: Sequence[Record], dimension: int) -> np.ndarray:
    """The records' profile vectors (zeros where there is none of that size yet)."""
    out = np.zeros((len(records), dimension), dtype=np.float32)
    for row, record in enumerate(records):
        if record.embedding is not None and len(record.embedding) == dimension * 4:
            out[row] = np.frombuffer(record.embedding, dtype=np.float32)
    return out


def alternatives_of(match: OccupationMatch | None) -> list[list[Any]] | None:
    """What a record stores of the next best occupations: [[uri, score relative to the
    best], ...], or None."""
    if match is None or not match.alternatives:
        return None
    return [[uri, round(score / match.confidence, 3)] for uri, score in match.alternatives]


def normalise_occupations(
    records: Sequence[Record],
    normaliser: OccupationNormaliser,
    titles: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Set the ESCO occupation and ISCO group of each record from its title, sector and
    (once embedded) its profile; `titles` (by digest, as `embed_titles` gives them) saves
    embedding the titles again."""
    embedder = normaliser.embedder
    profiles = _profiles(records, embedder.dimension) if embedder else None
    asked = [title_of(r) for r in records]
    vectors = None
    if titles is not None and embedder is not None:
        vectors = in_order(asked, titles, embedder.dimension)
    matches = normaliser.normalise(asked, [r.sector for r in records], profiles, vectors)
    for record, match in zip(records, matches, strict=True):
        record.occupation_uri = match.uri if match else None
        record.occupation_label = match.label if match else None
        record.isco_group = match.isco_group if match else None
        record.occupation_alternatives = alternatives_of(match)


def _stale(records: Sequence[Record], model_name: str) -> list[tuple[Record, str, str]]:
    """Records whose stored vector is missing, from another model, or of older text."""
    out = []
    for record in records:
        text = profile_text(record)
        digest = text_hash(text)
        if record.embedding_hash != digest or record.embedding_model != model_name:
            out.append((record, text, digest))
    return out


def embed(
    records: Sequence[Record],
    embedder: Embedder,
    *,
    session: Session | None = None,
    progress: bool = False,
    titles: Mapping[str, np.ndarray] | None = None,
) -> int:
    """Embed only what changed, in one batch; returns how many profiles were embedded.
    With a session the titles' vectors (`titles`, or embedded here) are stored too (a
    title stored already is kept).
    Everything is embedded before the session is used: on SQLite a writer's first
    statement takes the write lock, which must not wait for the model."""
    if titles is None and session is not None:
        titles = embed_titles([title_of(r) for r in records], embedder)
    todo = _stale(records, embedder.model_name)
    if todo:
        vectors = embedder.encode([text for _, text, _ in todo], progress=progress)
        for (record, _, digest), vector in zip(todo, vectors, strict=True):
            record.embedding = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
            record.embedding_hash = digest
            record.embedding_model = embedder.model_name
    if session is not None and titles:
        save_title_vectors(session, embedder.model_name, titles)
    return len(todo)


def refresh_derived_fields(
    records: Sequence[Record],
    tools: Toolkit | None,
    *,
    session: Session | None = None,
    titles_changed: bool = True,
) -> None:
    """Occupation (when a title changed) and vectors for records just created or changed;
    without tools (no model loaded) the worker derives them later."""
    if tools is None:
        return
    titles = embed_titles([title_of(r) for r in records], tools.embedder)
    embed(records, tools.embedder, session=session, titles=titles)
    if titles_changed:  # after embedding: the profile helps find the occupation
        normalise_occupations(records, tools.normaliser, titles)
