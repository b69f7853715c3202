"""The match index: the engine's column stores, loaded once and kept current by the change feed.

At start-up every candidate and vacancy is read in batches of plain columns (no ORM
objects) before the server reports healthy. After that each request reads only the
change-feed rows past the last seq it applied (one indexed query, usually empty) and
re-reads just those records, so a change made through any process shows in the next match
everywhere, with no COUNT(*), id scans or unbounded IN lists per request.

PostgreSQL hands out seqs when rows are inserted but transactions commit in any order, so
a seq below the newest one seen may still appear later: unseen seqs are kept as gaps and
looked at again until they appear or are older than GAP_TTL (a rolled-back transaction's
seqs never appear). Requests rank against a consistent snapshot: applying changes takes
the write side of a readers-writer lock, ranking the read side.
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Select, Text, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.errors import Invalid
from talentbridge.matching.changes import Change
from talentbridge.matching.engine import Match, MatchingEngine
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.matching.store import ColumnStore
from talentbridge.placements.models import Placement
from talentbridge.vacancies.models import Vacancy

logger = logging.getLogger("talentbridge.index")

LOAD_BATCH = 5_000  # rows per start-up query
FETCH_CHUNK = 1_000  # ids per IN list when re-reading changed records
FEED_BATCH = 20_000  # change-feed rows per poll
GAP_TTL = 120.0  # seconds an unseen seq is waited for (longer than any request's transaction)
MAX_GAPS = 1_000  # gap ranges kept (each is a rolled-back or still open transaction)
LOOKBACK = 2_000  # seqs below the start-up watermark checked for late commits

_PLACED = exists().where(Placement.candidate_id == Candidate.id, Placement.status == "placed")
CANDIDATE_FIELDS = (
    Candidate.id,
    Candidate.sector,
    Candidate.date_of_birth,
    Candidate.japanese_level,
    Candidate.jft_basic_passed,
    Candidate.skill_test_passed,
    Candidate.care_language_test_passed,
    Candidate.consent_to_share,
    Candidate.available_from,
    Candidate.state,
    cast(Candidate.preferred_prefectures, Text).label("preferred_prefectures"),
    Candidate.occupation_uri,
    Candidate.isco_group,
    Candidate.experience_years,
    cast(Candidate.skills, Text).label("skills"),
    Candidate.embedding,
    Candidate.embedding_model,
    _PLACED.label("placed"),
)
VACANCY_FIELDS = (
    Vacancy.id,
    Vacancy.sector,
    Vacancy.start_date,
    Vacancy.min_japanese_level,
    Vacancy.requires_skill_test,
    Vacancy.status,
    Vacancy.placed_count,
    Vacancy.openings,
    Vacancy.prefecture,
    Vacancy.occupation_uri,
    Vacancy.isco_group,
    Vacancy.min_experience_years,
    cast(Vacancy.required_skills, Text).label("required_skills"),
    Vacancy.embedding,
    Vacancy.embedding_model,
)


@lru_cache(maxsize=100_000)
def _json_list(raw: str | None) -> tuple[str, ...]:
    """A stored JSON list as a tuple, decoded once per distinct text."""
    return tuple(json.loads(raw)) if raw else ()


class _Row:
    """A fetched row with its JSON lists decoded, shaped like the record for features()."""

    __slots__ = ("_row",)
    LISTS = frozenset({"skills", "preferred_prefectures", "required_skills"})

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._row, name)
        return _json_list(value) if name in _Row.LISTS else value


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


@dataclass
class _Side:
    """How one entity's rows become store rows."""

    entity: str
    model: Any
    fields: tuple[Any, ...]
    store: ColumnStore
    features: Callable[[Any], dict[str, Any]]


class MatchIndex:
    """One per process: the engine's stores plus what keeps them equal to the database."""

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
        self.sides = {
            "candidate": _Side(
                "candidate", Candidate, CANDIDATE_FIELDS, self.engine.candidates, self._candidate
            ),
            "vacancy": _Side(
                "vacancy", Vacancy, VACANCY_FIELDS, self.engine.vacancies, self._vacancy
            ),
        }
        self.skipped: dict[tuple[str, int], str] = {}  # records that could not become features
        self.loaded = False
        self._seq = 0
        self._gaps: list[tuple[int, int, float]] = []  # (first, last, since) unseen seqs
        self._lock = ReadWriteLock()
        self._apply_lock = threading.Lock()  # one refresher at a time; readers keep ranking
        self._shared: dict[Any, Any] = {}

    # features -----------------------------------------------------------------------------
    def _share(self, value: Any) -> Any:
        """One object per distinct skill list, so a million candidates share their few."""
        return self._shared.setdefault(value, value)

    def _candidate(self, row: Any) -> dict[str, Any]:
        values = candidate_features(
            row, occ=self.normaliser.index_of(row.occupation_uri), placed=bool(row.placed)
        )
        for name in ("skills", "skill_keys", "preferred"):
            values[name] = self._share(values[name])
        return values

    def _vacancy(self, row: Any) -> dict[str, Any]:
        values = vacancy_features(row, occ=self.normaliser.index_of(row.occupation_uri))
        for name in ("skills", "skill_keys"):
            values[name] = self._share(values[name])
        return values

    def _vector(self, row: Any) -> np.ndarray | None:
        if row.embedding is None or row.embedding_model != self.model_name:
            return None
        vector = np.frombuffer(row.embedding, dtype=np.float32)
        return vector if vector.shape == (self.dimension,) else None

    def _put(self, side: _Side, fetched: Any) -> None:
        row = _Row(fetched)
        key = (side.entity, int(row.id))
        try:
            values = side.features(row)
        except (ValueError, OverflowError, TypeError) as exc:
            side.store.remove(row.id)
            if key not in self.skipped:
                logger.warning("%s %s left out of matching: %s", side.entity, row.id, exc)
            self.skipped[key] = str(exc)
            return
        self.skipped.pop(key, None)
        side.store.upsert(int(row.id), self._vector(row), values)

    # loading ------------------------------------------------------------------------------
    def load(self, session: Session) -> None:
        """Read every record in batches of plain columns; then follow the change feed."""
        with self._apply_lock, self._lock.writing():
            top = session.scalar(select(func.max(Change.seq))) or 0
            recent = session.scalars(
                select(Change.seq).where(Change.seq > top - LOOKBACK).order_by(Change.seq)
            ).all()
            for side in self.sides.values():
                count = session.scalar(select(func.count()).select_from(side.model)) or 0
                side.store.reserve(count)
                last = 0
                while True:
                    batch = session.execute(
                        select(*side.fields)
                        .where(side.model.id > last)
                        .order_by(side.model.id)
                        .limit(LOAD_BATCH)
                    ).all()
                    for row in batch:
                        self._put(side, row)
                    if len(batch) < LOAD_BATCH:
                        break
                    last = batch[-1].id
            self._seq = max(top - LOOKBACK, 0)
            self._advance(list(recent), time.monotonic())
            self.loaded = True

    # following the change feed ----------------------------------------------------------
    def refresh(self, session: Session) -> None:
        """Apply every change committed since the last look."""
        if not self.loaded:
            self.load(session)
            return
        with self._apply_lock:
            while True:
                changes = session.execute(self._feed_query()).all()
                if not changes and not self._gaps:
                    return
                now = time.monotonic()
                self._gaps = [g for g in self._gaps if now - g[2] < GAP_TTL]
                if changes:
                    self._apply(session, changes)
                    self._advance([c.seq for c in changes], now)
                if len(changes) < FEED_BATCH:
                    return

    def _feed_query(self) -> Select[Any]:
        newer = Change.seq > self._seq
        where = or_(newer, *(Change.seq.between(lo, hi) for lo, hi, _ in self._gaps))
        return (
            select(Change.seq, Change.entity, Change.record_id)
            .where(where)
            .order_by(Change.seq)
            .limit(FEED_BATCH)
        )

    def _advance(self, seqs: Sequence[int], now: float) -> None:
        """Move the watermark past `seqs`, remembering the seqs skipped over as gaps."""
        seen = set(seqs)
        gaps = []
        for lo, hi, since in self._gaps:
            gaps.extend((a, b, since) for a, b in _unseen(lo, hi, seen))
        top = max((s for s in seen if s > self._seq), default=self._seq)
        gaps.extend((a, b, now) for a, b in _unseen(self._seq + 1, top, seen))
        self._seq = top
        if len(gaps) > MAX_GAPS:
            logger.warning("change feed: %d gaps, forgetting the oldest", len(gaps) - MAX_GAPS)
            gaps = sorted(gaps, key=lambda g: g[2])[-MAX_GAPS:]
        self._gaps = gaps

    def _apply(self, session: Session, changes: Sequence[Any]) -> None:
        wanted: dict[str, set[int]] = {"candidate": set(), "vacancy": set()}
        for change in changes:
            if change.entity in wanted:
                wanted[change.entity].add(int(change.record_id))
        fetched: dict[str, list[Any]] = {}
        for entity, ids in wanted.items():
            side = self.sides[entity]
            ordered = sorted(ids)
            rows = []
            for start in range(0, len(ordered), FETCH_CHUNK):
                chunk = ordered[start : start + FETCH_CHUNK]
                rows.extend(
                    session.execute(select(*side.fields).where(side.model.id.in_(chunk))).all()
                )
            fetched[entity] = rows
        with self._lock.writing():
            for entity, rows in fetched.items():
                side = self.sides[entity]
                for row in rows:
                    self._put(side, row)
                for gone in wanted[entity] - {int(r.id) for r in rows}:
                    side.store.remove(gone)
                    self.skipped.pop((entity, gone), None)

    # asking -------------------------------------------------------------------------------
    def candidates_for(
        self,
        session: Session,
        vacancy: Vacancy,
        *,
        limit: int,
        include_ineligible: bool,
        today: date | None = None,
    ) -> list[Match]:
        self.refresh(session)
        features = _query_features(self._vacancy, vacancy, "vacancy")
        vector = self._vector(vacancy)
        features["occ_scores"] = self.normaliser.occupation_scores(vacancy.title, vector)
        with self._lock.reading():
            return self.engine.rank_candidates(
                features, vector, limit=limit, include_ineligible=include_ineligible, today=today
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
        row = _Row(
            session.execute(select(*CANDIDATE_FIELDS).where(Candidate.id == candidate.id)).one()
        )
        features = _query_features(self._candidate, row, "candidate")
        vector = self._vector(row)
        features["occ_scores"] = self.normaliser.occupation_scores(candidate.job_title, vector)
        with self._lock.reading():
            return self.engine.rank_vacancies(
                features, vector, limit=limit, include_ineligible=include_ineligible, today=today
            )

    def status(self) -> dict[str, Any]:
        """Sizes and the records left out, for /health."""
        return {
            "loaded": self.loaded,
            "candidates": len(self.engine.candidates),
            "vacancies": len(self.engine.vacancies),
            "seq": self._seq,
            "skipped": [
                {"entity": entity, "id": record_id, "error": error}
                for (entity, record_id), error in sorted(self.skipped.items())[:100]
            ],
        }


def _query_features(build: Callable[[Any], dict[str, Any]], record: Any, what: str) -> dict:
    try:
        return build(record)
    except (ValueError, OverflowError, TypeError) as exc:
        raise Invalid(f"this {what} cannot be matched until it is corrected: {exc}") from exc


def _unseen(lo: int, hi: int, seen: set[int]) -> Iterator[tuple[int, int]]:
    """The runs of [lo, hi] not in `seen`."""
    hits = sorted(s for s in seen if lo <= s <= hi)
    cursor = lo
    for s in hits:
        if s > cursor:
            yield cursor, s - 1
        cursor = s + 1
    if cursor <= hi:
        yield cursor, hi
