"""The in-memory match index: the engine's column stores, and where the change feed stands.

No database here: `serving.sync` reads rows and feeds them in. Rows become features
here (records that cannot are skipped and listed, not allowed to fail every request), and
requests rank against a consistent snapshot: applying changes takes the write side of a
readers-writer lock, ranking the read side.
"""

import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from talentbridge.errors import Invalid
from talentbridge.matching.engine import Match, MatchingEngine
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.lexical import record_terms
from talentbridge.matching.meanings import SkillMeanings
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.matching.scoring import ESSENTIAL, expansion
from talentbridge.matching.skills import SkillVocabulary
from talentbridge.matching.store import ColumnStore
from talentbridge.matching.text import title_of
from talentbridge.matching.titles import title_digest

logger = logging.getLogger("talentbridge.index")

GAP_TTL = 120.0  # seconds an unseen seq is waited for (longer than any request's transaction)
MAX_GAPS = 1_000  # gap ranges kept (each is a rolled-back or still open transaction)
ENTITIES = ("candidate", "vacancy")


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


class FeedPosition:
    """How far the change feed has been applied: a watermark and the seqs still missing.

    PostgreSQL hands out seqs at insert but transactions commit in any order, so a seq
    below the newest one seen may still appear later. Unseen seqs are kept as gaps (ranges)
    and asked for again until they appear or are older than GAP_TTL (a rolled-back
    transaction's seqs never appear).
    """

    def __init__(self, seq: int = 0) -> None:
        self.seq = seq
        self.gaps: list[tuple[int, int, float]] = []  # (first, last, since)

    def expire(self, now: float) -> None:
        self.gaps = [g for g in self.gaps if now - g[2] < GAP_TTL]

    def advance(self, seqs: Iterable[int], now: float) -> None:
        """Move past `seqs`, remembering the seqs skipped over as gaps."""
        seen = set(seqs)
        gaps: list[tuple[int, int, float]] = []
        for lo, hi, since in self.gaps:
            gaps.extend((a, b, since) for a, b in _unseen(lo, hi, seen))
        top = max((s for s in seen if s > self.seq), default=self.seq)
        gaps.extend((a, b, now) for a, b in _unseen(self.seq + 1, top, seen))
        self.seq = top
        if len(gaps) > MAX_GAPS:
            logger.warning("change feed: %d gaps, forgetting the oldest", len(gaps) - MAX_GAPS)
            gaps = sorted(gaps, key=lambda g: g[2])[-MAX_GAPS:]
        self.gaps = gaps


def _unseen(lo: int, hi: int, seen: set[int]) -> Iterator[tuple[int, int]]:
    """The runs of [lo, hi] not in `seen`."""
    cursor = lo
    for s in sorted(s for s in seen if lo <= s <= hi):
        if s > cursor:
            yield cursor, s - 1
        cursor = s + 1
    if cursor <= hi:
        yield cursor, hi


class MatchIndex:
    """The engine's stores, filled from rows shaped like candidates and vacancies."""

    def __init__(
        self,
        *,
        normaliser: OccupationNormaliser,
        model_name: str,
        dimension: int,
        weights: Mapping[str, float],
    ) -> None:
        self.normaliser = normaliser
        self.model_name = model_name
        self.dimension = dimension
        occupations = normaliser.occupations
        self.engine = MatchingEngine(
            weights,
            dimension,
            [o.label for o in occupations],
            {o.isco_group: o.isco_label for o in occupations},
            [int(o.isco_group) if o.isco_group.isdigit() else -1 for o in occupations],
        )
        self.titles = self.engine.titles
        # Skills on ESCO's vocabulary by spelling (exact or character n-grams; no model, so a
        # start-up over a million records stays quick): "fork-lift" and "forklift" are one.
        self.vocabulary = SkillVocabulary(None, min_confidence=0.7)
        self._skill_keys: dict[tuple[str, ...], frozenset[str]] = {}
        # Skills by meaning, widened when a record is asked about (`meanings`).
        embedder = normaliser.embedder
        vocabulary = SkillVocabulary(embedder, cache_dir=normaliser.cache_dir)
        self.meanings = SkillMeanings(embedder, vocabulary)
        self._essential: dict[str, frozenset[str]] = {}  # by occupation URI: its essential skills
        self.stores: dict[str, ColumnStore] = {
            "candidate": self.engine.candidates,
            "vacancy": self.engine.vacancies,
        }
        self.skipped: dict[tuple[str, int], str] = {}  # records that could not become features
        self.position = FeedPosition()
        self.loaded = False
        self.lock = ReadWriteLock()

    # rows to features ---------------------------------------------------------------------
    def features(self, entity: str, row: Any) -> dict[str, Any]:
        # Lists stay shared between records: the rows' JSON lists are decoded once per distinct
        # text and their skill keys cached, so a million candidates hold their few lists once.
        occ = self.normaliser.index_of(row.occupation_uri)
        others = [
            (self.normaliser.index_of(uri), fit)
            for uri, fit in getattr(row, "occupation_alternatives", None) or ()
        ]
        if entity == "candidate":
            title = self.titles.row(title_digest(row.job_title))
            words = record_terms(row.job_title, row.skills or (), row.summary)
            values = candidate_features(
                row, occ=occ, placed=bool(row.placed), title=title, terms=words, others=others
            )
            values["skill_keys"] = self.skill_keys(values["skills"], values["skill_keys"])
            return values
        title = self.titles.row(title_digest(row.title))
        words = record_terms(row.title, row.required_skills or (), row.description)
        values = vacancy_features(row, occ=occ, title=title, terms=words, others=others)
        values["skill_keys"] = self.required_keys(values["skills"], values["skill_keys"])
        values["skill_weights"] = self.skill_weights(values["skill_keys"], row.occupation_uri)
        self.meanings.add(values["skill_keys"])
        return values

    def skill_keys(self, skills: tuple[str, ...], keys: frozenset[str]) -> frozenset[str]:
        """A person's skill keys and the ESCO labels their skills are spelled as (one set per
        distinct list)."""
        found = self._skill_keys.get(skills)
        if found is None:
            labels = [m.label.casefold() for m in self.vocabulary.normalise(skills) if m]
            found = keys | frozenset(labels)
            self.meanings.add(found)
            if len(self._skill_keys) < 200_000:
                self._skill_keys[skills] = found
        return found

    def skill_weights(self, keys: tuple[str, ...], occupation_uri: str | None) -> tuple[float, ...]:
        """Each required skill's weight: `ESSENTIAL` when ESCO lists it as essential for
        the vacancy's occupation, else 1."""
        essential = self._essential.get(occupation_uri or "")
        if essential is None:
            labels = self.vocabulary.requirements(occupation_uri)[0]
            essential = frozenset(label.casefold() for label in labels)
            self._essential[occupation_uri or ""] = essential
        return tuple(ESSENTIAL if key in essential else 1.0 for key in keys)

    def required_keys(self, skills: tuple[str, ...], keys: tuple[str, ...]) -> tuple[str, ...]:
        """Each required skill's key: its ESCO label when it is spelled as one."""
        matches = self.vocabulary.normalise(skills)
        return tuple(m.label.casefold() if m else key for m, key in zip(matches, keys, strict=True))

    def add_titles(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Title vectors (by digest) the records being put may point at."""
        for digest, vector in vectors.items():
            self.titles.add(digest, vector)

    def query(self, entity: str, row: Any) -> tuple[dict[str, Any], np.ndarray | None]:
        """What ranking needs of the record a request asks about: its features (with its
        title vector, words and occupation fit) and its profile vector; 422 if it has none."""
        features = self.query_features(entity, row)
        if entity == "vacancy":
            features["skill_keys"] = self.meanings.widen_required(features["skill_keys"])
        else:
            features["skill_keys"] = self.meanings.widen_held(features["skill_keys"])
        vector = self.vector(row)
        title = row.job_title if entity == "candidate" else row.title
        row_of_title = features["title"]
        title_vector = self.titles.vectors[row_of_title] if row_of_title >= 0 else None
        features["title_vector"] = title_vector
        features["occ_scores"] = self.normaliser.occupation_scores(
            title, title_vector, row.sector, vector
        )
        features["expansion"] = expansion(features["occ_scores"], self.normaliser.descriptions)
        return features, vector

    def query_features(self, entity: str, row: Any) -> dict[str, Any]:
        """Features of the record a request asks about; 422 if it cannot have any."""
        try:
            return self.features(entity, row)
        except (ValueError, OverflowError, TypeError) as exc:
            raise Invalid(f"this {entity} cannot be matched until it is corrected: {exc}") from exc

    def vector(self, row: Any) -> np.ndarray | None:
        if row.embedding is None or row.embedding_model != self.model_name:
            return None
        vector = np.frombuffer(row.embedding, dtype=np.float32)
        return vector if vector.shape == (self.dimension,) else None

    # changing -------------------------------------------------------------------------------
    def reserve(self, entity: str, count: int) -> None:
        self.stores[entity].reserve(count)

    def missing_titles(self, rows: Iterable[Any]) -> set[str]:
        """Digests of the rows' titles with no vector here."""
        digests = {title_digest(title_of(row)) for row in rows}
        return {d for d in digests if d is not None and d not in self.titles}

    def put(self, entity: str, row: Any) -> None:
        """Insert or replace one record; one that cannot become features is left out."""
        key = (entity, int(row.id))
        store = self.stores[entity]
        try:
            values = self.features(entity, row)
        except (ValueError, OverflowError, TypeError) as exc:
            store.remove(key[1])
            if key not in self.skipped:
                logger.warning("%s %s left out of matching: %s", entity, key[1], exc)
            self.skipped[key] = str(exc)
            return
        self.skipped.pop(key, None)
        store.upsert(key[1], self.vector(row), values)

    def put_many(self, entity: str, rows: Sequence[Any]) -> None:
        """Many records at once (the start-up load): features row by row, columns in bulk."""
        ids, vectors, values = [], [], []
        for row in rows:
            try:
                features = self.features(entity, row)
            except (ValueError, OverflowError, TypeError):
                self.put(entity, row)  # left out, logged and listed, as one at a time
                continue
            self.skipped.pop((entity, int(row.id)), None)
            ids.append(int(row.id))
            vectors.append(self.vector(row))
            values.append(features)
        self.stores[entity].extend(ids, vectors, values)
        self.meanings.prepare()  # the skills' vectors at load, not in the first request

    def apply(
        self,
        rows: Mapping[str, Sequence[Any]],
        gone: Mapping[str, Iterable[int]],
        titles: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Changed rows in (with the title vectors they need), deleted ids out, as one step
        no ranking sees half done."""
        with self.lock.writing():
            self.add_titles(titles or {})
            for entity, changed in rows.items():
                for row in changed:
                    self.put(entity, row)
            for entity, ids in gone.items():
                for record_id in ids:
                    self.stores[entity].remove(record_id)
                    self.skipped.pop((entity, record_id), None)

    # asking ---------------------------------------------------------------------------------
    def rank_candidates(
        self, vacancy: dict[str, Any], vector: np.ndarray | None, **options: Any
    ) -> list[Match]:
        with self.lock.reading():
            return self.engine.rank_candidates(vacancy, vector, **options)

    def rank_vacancies(
        self, candidate: dict[str, Any], vector: np.ndarray | None, **options: Any
    ) -> list[Match]:
        with self.lock.reading():
            return self.engine.rank_vacancies(candidate, vector, **options)

    def status(self) -> dict[str, Any]:
        """Sizes, the feed position and the records left out, for /health."""
        return {
            "loaded": self.loaded,
            "candidates": len(self.engine.candidates),
            "vacancies": len(self.engine.vacancies),
            "seq": self.position.seq,
            "skipped": [
                {"entity": entity, "id": record_id, "error": error}
                for (entity, record_id), error in sorted(self.skipped.items())[:100]
            ],
        }
