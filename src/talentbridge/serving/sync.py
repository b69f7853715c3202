"""The match index tied to the database: loaded at start-up, kept current by the change feed.

At start-up every candidate and vacancy is read in batches of plain columns (no ORM
objects) before the server reports healthy. After that each request reads only the
change-feed rows past the last seq applied (one indexed query, usually empty) and re-reads
just those records, in chunks, so a change made through any process shows in the next
match everywhere, with no COUNT(*), id scans or unbounded IN lists per request.
"""

import json
import logging
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import numpy as np
from sqlalchemy import Select, Text, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.matching.changes import Change, first_seq
from talentbridge.matching.engine import ExactVectors, Match, MatchingEngine
from talentbridge.matching.index import ENTITIES, MatchIndex
from talentbridge.matching.titles import load_title_vectors
from talentbridge.placements.models import Placement
from talentbridge.vacancies.models import Vacancy

LOAD_BATCH = 5_000  # rows per start-up query
FETCH_CHUNK = 1_000  # ids per IN list when re-reading changed records
FEED_BATCH = 20_000  # change-feed rows per poll
LOOKBACK = 2_000  # seqs below the start-up watermark checked for late commits

_PLACED = exists().where(Placement.candidate_id == Candidate.id, Placement.status == "placed")


def _derived(model: Any) -> tuple[Any, ...]:
    """The columns matching derives from a record's text, alike on both sides."""
    return (
        model.occupation_uri,
        model.isco_group,
        cast(model.occupation_alternatives, Text).label("occupation_alternatives"),
        model.embedding,
        model.embedding_model,
    )


FIELDS: dict[str, tuple[Any, ...]] = {
    "candidate": (
        Candidate.id,
        Candidate.sector,
        Candidate.job_title,
        Candidate.summary,
        Candidate.date_of_birth,
        Candidate.japanese_level,
        Candidate.jft_basic_passed,
        Candidate.skill_test_passed,
        Candidate.care_language_test_passed,
        Candidate.consent_to_share,
        Candidate.available_from,
        Candidate.state,
        cast(Candidate.preferred_prefectures, Text).label("preferred_prefectures"),
        Candidate.experience_years,
        cast(Candidate.skills, Text).label("skills"),
        *_derived(Candidate),
        _PLACED.label("placed"),
    ),
    "vacancy": (
        Vacancy.id,
        Vacancy.sector,
        Vacancy.title,
        Vacancy.description,
        Vacancy.start_date,
        Vacancy.min_japanese_level,
        Vacancy.requires_skill_test,
        Vacancy.status,
        Vacancy.placed_count,
        Vacancy.openings,
        Vacancy.prefecture,
        Vacancy.min_experience_years,
        cast(Vacancy.required_skills, Text).label("required_skills"),
        *_derived(Vacancy),
    ),
}
MODELS: dict[str, Any] = {"candidate": Candidate, "vacancy": Vacancy}
logger = logging.getLogger("talentbridge.sync")


@lru_cache(maxsize=100_000)
def _json_list(raw: str | None) -> tuple[str, ...]:
    """A stored JSON list as a tuple, decoded once per distinct text."""
    return tuple(json.loads(raw) or ()) if raw else ()  # JSON null: nothing


LISTS = ("skills", "preferred_prefectures", "required_skills", "occupation_alternatives")


def _rows(session: Session, query: Select[Any]) -> list[SimpleNamespace]:
    """Fetched rows as plain objects shaped like the records, their JSON lists decoded."""
    records = []
    for row in session.execute(query):
        values = row._asdict()
        for name in LISTS:
            if name in values:
                values[name] = _json_list(values[name])
        records.append(SimpleNamespace(**values))
    return records


class MatchService:
    """One per process: the index, and what keeps it equal to the database."""

    def __init__(self, index: MatchIndex) -> None:
        self.index = index
        self._refreshing = threading.Lock()  # one refresher at a time; readers keep ranking

    @property
    def engine(self) -> MatchingEngine:
        return self.index.engine

    def reading(self) -> AbstractContextManager[None]:
        """Hold the index still while reading its stores directly (allocation plans)."""
        return self.index.lock.reading()

    # loading --------------------------------------------------------------------------------
    def load(self, session: Session) -> None:
        """Read every record in batches of plain columns; then follow the change feed."""
        index = self.index
        with self._refreshing, index.lock.writing():
            top = session.scalar(select(func.max(Change.seq))) or 0
            index.add_titles(load_title_vectors(session, index.model_name))
            recent = session.scalars(select(Change.seq).where(Change.seq > top - LOOKBACK)).all()
            for entity in ENTITIES:
                model = MODELS[entity]
                index.reserve(entity, session.scalar(select(func.count()).select_from(model)) or 0)
                last = 0
                while True:
                    query = select(*FIELDS[entity]).where(model.id > last).order_by(model.id)
                    batch = _rows(session, query.limit(LOAD_BATCH))
                    index.put_many(entity, batch)
                    if len(batch) < LOAD_BATCH:
                        break
                    last = batch[-1].id
            index.position.seq = max(top - LOOKBACK, 0)
            index.position.advance(recent, time.monotonic())
            index.loaded = True

    # following the change feed --------------------------------------------------------------
    def refresh(self, session: Session) -> None:
        """Apply every change committed since the last look."""
        if not self.index.loaded:
            self.load(session)
            return
        position = self.index.position
        with self._refreshing:
            while True:
                changes = self._poll(session)
                if not changes and not position.gaps:
                    return
                if changes and changes[0].seq > position.seq + 1 and self._fell_behind(session):
                    self._resync(session)
                    return
                now = time.monotonic()
                position.expire(now)
                if changes:
                    self._apply(session, changes)
                    position.advance([c.seq for c in changes], now)
                if len(changes) < FEED_BATCH:
                    return

    def _fell_behind(self, session: Session) -> bool:
        """Were feed rows this index had not applied pruned? (The newest row is never pruned,
        so a reader that is behind always sees a row past its watermark, and asks this.)"""
        first = first_seq(session)
        return first is not None and first > self.index.position.seq + 1

    def _resync(self, session: Session) -> None:
        """Bring a reader that fell behind the pruned feed level with the database: every
        record re-read (in batches of plain columns), the ones gone removed."""
        index = self.index
        top = session.scalar(select(func.max(Change.seq))) or 0
        logger.warning(
            "match index behind the pruned change feed: re-reading every record",
            extra={"seq": index.position.seq, "first_seq": first_seq(session)},
        )
        rows: dict[str, list[SimpleNamespace]] = {}
        gone: dict[str, set[int]] = {}
        for entity in ENTITIES:
            model, rows[entity], last = MODELS[entity], [], 0
            while True:
                query = select(*FIELDS[entity]).where(model.id > last).order_by(model.id)
                batch = _rows(session, query.limit(LOAD_BATCH))
                rows[entity] += batch
                if len(batch) < LOAD_BATCH:
                    break
                last = batch[-1].id
            store = index.stores[entity]
            gone[entity] = {int(i) for i in store.ids[: store.size]} - {
                int(r.id) for r in rows[entity]
            }
        missing = index.missing_titles(r for e in ENTITIES for r in rows[e])
        index.apply(rows, gone, load_title_vectors(session, index.model_name, missing))
        index.position.seq = top
        index.position.gaps = []

    def _poll(self, session: Session) -> list[Any]:
        """Rows past the watermark, and any that filled a gap. Two queries, not one with OR:
        ORDER BY seq LIMIT over `seq > w OR seq BETWEEN …` made PostgreSQL walk the whole
        index (30 ms at a million changes) instead of two range scans."""
        position = self.index.position
        feed = select(Change.seq, Change.entity, Change.record_id)
        rows = list(
            session.execute(
                feed.where(Change.seq > position.seq).order_by(Change.seq).limit(FEED_BATCH)
            )
        )
        if position.gaps:
            late = or_(*(Change.seq.between(lo, hi) for lo, hi, _ in position.gaps))
            rows += list(session.execute(feed.where(late)))
        return rows

    def _apply(self, session: Session, changes: Sequence[Any]) -> None:
        wanted: dict[str, set[int]] = {entity: set() for entity in ENTITIES}
        for change in changes:
            if change.entity in wanted:
                wanted[change.entity].add(int(change.record_id))
        rows: dict[str, list[SimpleNamespace]] = {}
        for entity, ids in wanted.items():
            model, ordered = MODELS[entity], sorted(ids)
            rows[entity] = []
            for start in range(0, len(ordered), FETCH_CHUNK):
                chunk = ordered[start : start + FETCH_CHUNK]
                rows[entity] += _rows(session, select(*FIELDS[entity]).where(model.id.in_(chunk)))
        gone = {e: wanted[e] - {int(r.id) for r in rows[e]} for e in ENTITIES}
        missing = self.index.missing_titles(r for e in ENTITIES for r in rows[e])
        titles = load_title_vectors(session, self.index.model_name, missing) if missing else {}
        self.index.apply(rows, gone, titles)

    # asking ---------------------------------------------------------------------------------
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
        """always_gates: gates that filter even when include_ineligible is asked for."""
        self.refresh(session)
        index = self.index
        features, vector = index.query("vacancy", vacancy)
        return index.rank_candidates(
            features,
            vector,
            limit=limit,
            include_ineligible=include_ineligible,
            today=today,
            always_gates=always_gates,
            exact_vectors=self._stored_vectors(session, Candidate),
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
        index = self.index
        [row] = _rows(session, select(*FIELDS["candidate"]).where(Candidate.id == candidate.id))
        features, vector = index.query("candidate", row)
        return index.rank_vacancies(
            features,
            vector,
            limit=limit,
            include_ineligible=include_ineligible,
            today=today,
            exact_vectors=self._stored_vectors(session, Vacancy),
        )

    def _stored_vectors(self, session: Session, model: Any) -> ExactVectors:
        """The shortlist's float32 vectors as stored, for the exact re-score (the index holds
        them as int8 codes): one query by primary key for a couple of hundred ids."""

        def read(ids: Sequence[int]) -> dict[int, np.ndarray]:
            found: dict[int, np.ndarray] = {}
            for start in range(0, len(ids), FETCH_CHUNK):
                query = select(model.id, model.embedding).where(
                    model.id.in_(ids[start : start + FETCH_CHUNK]),
                    model.embedding_model == self.index.model_name,
                )
                for record_id, blob in session.execute(query):
                    if blob is not None:
                        found[record_id] = np.frombuffer(blob, dtype=np.float32)
            return found

        return read

    def status(self) -> dict[str, Any]:
        return self.index.status()
