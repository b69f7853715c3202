"""The fields matching derives from a record's text: its ESCO occupation and its embedding,
kept in step with the text, in batches."""

from collections.abc import Sequence

import numpy as np

from talentbridge.candidates.models import Candidate
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.matching.text import candidate_text, text_hash, vacancy_text
from talentbridge.matching.toolkit import Toolkit
from talentbridge.vacancies.models import Vacancy

Record = Candidate | Vacancy


def _text(record: Record) -> str:
    return candidate_text(record) if isinstance(record, Candidate) else vacancy_text(record)


def _title(record: Record) -> str | None:
    return record.job_title if isinstance(record, Candidate) else record.title


def normalise_occupations(records: Sequence[Record], normaliser: OccupationNormaliser) -> None:
    """Set the ESCO occupation and ISCO group of each record from its title."""
    matches = normaliser.normalise([_title(record) for record in records])
    for record, match in zip(records, matches, strict=True):
        record.occupation_uri = match.uri if match else None
        record.occupation_label = match.label if match else None
        record.isco_group = match.isco_group if match else None


def _stale(records: Sequence[Record], model_name: str) -> list[tuple[Record, str, str]]:
    """Records whose stored vector is missing, from another model, or of older text."""
    out = []
    for record in records:
        text = _text(record)
        digest = text_hash(text)
        if record.embedding_hash != digest or record.embedding_model != model_name:
            out.append((record, text, digest))
    return out


def embed(records: Sequence[Record], embedder: Embedder, *, progress: bool = False) -> int:
    """Embed only what changed, in one batch; returns how many were embedded."""
    todo = _stale(records, embedder.model_name)
    if not todo:
        return 0
    vectors = embedder.encode([text for _, text, _ in todo], progress=progress)
    for (record, _, digest), vector in zip(todo, vectors, strict=True):
        record.embedding = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        record.embedding_hash = digest
        record.embedding_model = embedder.model_name
    return len(todo)


def refresh_derived_fields(
    records: Sequence[Record], tools: Toolkit | None, *, titles_changed: bool = True
) -> None:
    """Occupation (when a title changed) and embedding for records just created or changed;
    without tools (no model loaded) the worker derives them later."""
    if tools is None:
        return
    if titles_changed:
        normalise_occupations(records, tools.normaliser)
    embed(records, tools.embedder)
