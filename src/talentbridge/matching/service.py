"""The engine kept in step with the database, across processes, without restarts.

Each match request first pulls rows changed since the last look (`updated_at` with a
safety margin for transactions that committed late) and drops rows deleted elsewhere,
so a change made through any server process shows in the next request everywhere.
"""

import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, undefer

from talentbridge.candidates.models import Candidate
from talentbridge.db import utcnow
from talentbridge.matching.engine import Match, MatchingEngine
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.placements.models import Placement
from talentbridge.vacancies.models import Vacancy

MARGIN = timedelta(seconds=30)


def _vector(record: Candidate | Vacancy, model_name: str, dimension: int) -> np.ndarray | None:
    if record.embedding is None or record.embedding_model != model_name:
        return None
    vector = np.frombuffer(record.embedding, dtype=np.float32)
    return vector if vector.shape == (dimension,) else None


class _Sync:
    """Watermark bookkeeping for one table."""

    def __init__(self) -> None:
        self.watermark: datetime | None = None


class Matcher:
    """One per process: the engine plus what keeps it current."""

    def __init__(
        self,
        *,
        normaliser: OccupationNormaliser,
        model_name: str,
        dimension: int,
        weights: dict[str, float],
    ) -> None:
        self.normaliser = normaliser
        self.model_name = model_name
        self.dimension = dimension
        isco_labels = {o.isco_group: o.isco_label for o in normaliser.occupations}
        self.engine = MatchingEngine(
            weights, dimension, [o.label for o in normaliser.occupations], isco_labels
        )
        self._lock = threading.Lock()
        self._syncs = {Candidate: _Sync(), Vacancy: _Sync()}

    # keeping current ------------------------------------------------------------------
    def refresh(self, session: Session) -> None:
        with self._lock:
            self._refresh(session, Candidate, self.engine.candidates, self._candidate_row)
            self._refresh(session, Vacancy, self.engine.vacancies, self._vacancy_row)

    def _refresh(self, session, model, store, to_row) -> None:  # type: ignore[no-untyped-def]
        sync = self._syncs[model]
        now = utcnow()
        query = select(model).options(undefer(model.embedding))
        if sync.watermark is not None:
            query = query.where(model.updated_at >= sync.watermark - MARGIN)
        rows = session.scalars(query).all()
        placed = self._placed(session, [r.id for r in rows]) if model is Candidate else set()
        for record in rows:
            vector, values = to_row(record, placed)
            store.upsert(record.id, vector, values)
        sync.watermark = now
        total = session.scalar(select(func.count()).select_from(model)) or 0
        if total != len(store):
            live = set(session.scalars(select(model.id)))
            for record_id in [int(i) for i in store.ids[: store.size] if int(i) not in live]:
                store.remove(record_id)

    def _placed(self, session: Session, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        return set(
            session.scalars(
                select(Placement.candidate_id).where(
                    Placement.candidate_id.in_(ids), Placement.status == "placed"
                )
            )
        )

    def _candidate_row(self, record: Candidate, placed: set[int]) -> tuple[Any, dict[str, Any]]:
        occ = self.normaliser.index_of(record.occupation_uri)
        return (
            _vector(record, self.model_name, self.dimension),
            candidate_features(record, occ=occ, placed=record.id in placed),
        )

    def _vacancy_row(self, record: Vacancy, _: set[int]) -> tuple[Any, dict[str, Any]]:
        occ = self.normaliser.index_of(record.occupation_uri)
        return _vector(record, self.model_name, self.dimension), vacancy_features(record, occ=occ)

    # asking -----------------------------------------------------------------------------
    def candidates_for(
        self,
        session: Session,
        vacancy: Vacancy,
        *,
        limit: int,
        include_ineligible: bool,
        today: date | None = None,
        always_gates: Sequence[str] = (),
    ) -> list[Match]:
        self.refresh(session)
        _, features = self._vacancy_row(vacancy, set())
        vector = _vector(vacancy, self.model_name, self.dimension)
        features["occ_scores"] = self.normaliser.occupation_scores(vacancy.title, vector)
        return self.engine.rank_candidates(
            features,
            vector,
            limit=limit,
            include_ineligible=include_ineligible,
            today=today,
            always_gates=always_gates,
        )

    def vacancies_for(
        self,
        session: Session,
        candidate: Candidate,
        *,
        limit: int,
        include_ineligible: bool,
        today: date | None = None,
    ) -> list[Match]:
        self.refresh(session)
        placed = (
            {candidate.id}
            if session.scalar(
                select(
                    exists().where(
                        Placement.candidate_id == candidate.id, Placement.status == "placed"
                    )
                )
            )
            else set()
        )
        _, features = self._candidate_row(candidate, placed)
        vector = _vector(candidate, self.model_name, self.dimension)
        features["occ_scores"] = self.normaliser.occupation_scores(candidate.job_title, vector)
        return self.engine.rank_vacancies(
            features, vector, limit=limit, include_ineligible=include_ineligible, today=today
        )
