"""Job titles to ESCO occupations and ISCO-08 groups.

Exact label lookup first; otherwise a blend of character n-gram TF-IDF (spelling
variants, abbreviations) and sentence-embedding similarity (synonyms) against every
preferred and alternative ESCO label of the four sectors. Given the record's sector, only
that sector's occupations are candidates: "dairy farm worker" in agriculture cannot become
a dairy products manufacturing worker.
"""

import copy
import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from talentbridge import reference
from talentbridge.matching.embedder import Embedder

_SPACE = re.compile(r"[^\w]+")


def _key(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip()


@dataclass(frozen=True)
class OccupationMatch:
    index: int
    uri: str
    label: str
    isco_group: str
    confidence: float


SCORE_CACHE = 4096  # titles whose occupation scores are kept (about 3 KB each)


class OccupationNormaliser:
    """Maps free-text job titles to ESCO occupations; fit once, then `normalise` many."""

    def __init__(
        self,
        embedder: Embedder | None,
        *,
        cache_dir: Path | None = None,
        min_confidence: float = 0.45,
    ) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.min_confidence = min_confidence
        self.occupations = reference.esco_occupations()
        self.excluded: frozenset[str] = frozenset()  # occupations whose labels are hidden
        self._fitted = False
        self._score_cache: dict[tuple[str | None, bytes | None], np.ndarray] = {}
        self._cache_lock = threading.Lock()

    def fit(self) -> "OccupationNormaliser":
        labels: list[str] = []
        owners: list[int] = []
        for index, occupation in enumerate(self.occupations):
            for label in (occupation.label, *occupation.alt_labels):
                labels.append(label)
                owners.append(index)
        self._labels = labels
        self._owners = np.asarray(owners)
        self._know_labels(labels)

        self._tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._label_tfidf = self._tfidf.fit_transform([_key(label) for label in labels])
        self._label_tfidf_t = self._label_tfidf.T.tocsr()  # transposed once, not per query
        # Labels grouped by occupation, so a per-occupation maximum is one reduceat.
        self._by_owner = np.argsort(self._owners, kind="stable")
        self._owner_starts = np.flatnonzero(np.r_[True, np.diff(self._owners[self._by_owner]) != 0])
        self._label_vectors = self._embed_labels(labels) if self.embedder else None
        if self._label_vectors is not None:
            self._label_vectors32 = self._label_vectors.astype(np.float32)
        self._fitted = True
        return self

    def _know_labels(self, labels: list[str]) -> None:
        """The exact-label dictionary and, per sector, which labels may match (all but the
        excluded occupations' labels)."""
        self._exact: dict[str, list[int]] = {}
        for label, owner in zip(labels, self._owners.tolist(), strict=True):
            if self.occupations[owner].uri not in self.excluded:
                self._exact.setdefault(_key(label), []).append(owner)
        hidden = np.asarray([self.occupations[o].uri in self.excluded for o in self._owners])
        sectors = np.asarray([o.sector for o in self.occupations])[self._owners]
        self._label_allowed: dict[str | None, np.ndarray] = {None: ~hidden}
        for sector in set(sectors.tolist()):
            self._label_allowed[sector] = (sectors == sector) & ~hidden

    def _allowed(self, sector: str | None) -> np.ndarray:
        return self._label_allowed.get(sector, self._label_allowed[None])

    def _embed_labels(self, labels: list[str]) -> np.ndarray:
        assert self.embedder is not None
        digest = hashlib.sha256(("\n".join(labels) + self.embedder.model_name).encode()).hexdigest()
        path = self.cache_dir / f"esco-labels-{digest[:16]}.npy" if self.cache_dir else None
        if path is not None and path.exists():
            cached: np.ndarray = np.load(path)
            return cached
        vectors = self.embedder.encode(labels).astype(np.float16)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        return vectors

    def index_of(self, uri: str | None) -> int:
        """Position of an occupation in `occupations`, or -1."""
        if not hasattr(self, "_by_uri"):
            self._by_uri = {occupation.uri: i for i, occupation in enumerate(self.occupations)}
        return self._by_uri.get(uri, -1) if uri else -1

    def excluding(self, uris: frozenset[str]) -> "OccupationNormaliser":
        """A copy that does not know these occupations' labels (their titles cannot be looked
        up: the honest evaluation's leave-labels-out check)."""
        if not self._fitted:
            self.fit()
        other = copy.copy(self)  # shares the fitted label matrices; only the masks differ
        other.excluded = frozenset(uris)
        other._score_cache = {}
        other._cache_lock = threading.Lock()
        other._know_labels(self._labels)
        return other

    def _exact_in(self, title: str, sector: str | None) -> int | None:
        for index in self._exact.get(_key(title), ()):
            if sector is None or self.occupations[index].sector == sector:
                return index
        return None

    def normalise(
        self, titles: Sequence[str | None], sectors: Sequence[str | None] | None = None
    ) -> list[OccupationMatch | None]:
        """The best occupation for each title (among its sector's, when sectors are given),
        or None when nothing is close enough."""
        if not self._fitted:
            self.fit()
        sectors = sectors if sectors is not None else [None] * len(titles)
        results: list[OccupationMatch | None] = [None] * len(titles)
        pending = []
        for position, (title, sector) in enumerate(zip(titles, sectors, strict=True)):
            if not title or not title.strip():
                continue
            exact = self._exact_in(title, sector)
            if exact is not None:
                results[position] = self._match(exact, 1.0)
            else:
                pending.append(position)
        if pending:
            scores = self._label_scores([titles[p] or "" for p in pending])
            for row, position in enumerate(pending):
                scores[row][~self._allowed(sectors[position])] = -1.0
                best = int(np.argmax(scores[row]))
                confidence = float(scores[row, best])
                if confidence >= self.min_confidence:
                    results[position] = self._match(int(self._owners[best]), confidence)
        return results

    def _label_scores(self, titles: list[str]) -> np.ndarray:
        queries = self._tfidf.transform([_key(t) for t in titles])
        lexical: np.ndarray = (queries @ self._label_tfidf_t).toarray()
        if self._label_vectors is None or self.embedder is None:
            return lexical
        semantic = self.embedder.encode(titles) @ self._label_vectors32.T
        blended: np.ndarray = 0.4 * lexical + 0.6 * semantic
        return blended

    def occupation_scores(
        self, title: str | None, vector: np.ndarray | None, sector: str | None = None
    ) -> np.ndarray:
        """How well a title fits each occupation (its best label), in [0, 1]; 0 outside the
        sector when one is given.

        Uses the record's stored title vector, so nothing is embedded at query time. The same
        title and vector give the same scores, so a vacancy asked about again (every time an
        employer opens its matches) is answered from a small cache.
        """
        key = (f"{sector}|{title}", None if vector is None else vector.tobytes())
        cached = self._score_cache.get(key)
        if cached is None:
            cached = self._occupation_scores(title, vector, sector)
            cached.flags.writeable = False
            with self._cache_lock:
                if len(self._score_cache) >= SCORE_CACHE:
                    self._score_cache.pop(next(iter(self._score_cache)))
                self._score_cache[key] = cached
        return cached

    def _occupation_scores(
        self, title: str | None, vector: np.ndarray | None, sector: str | None
    ) -> np.ndarray:
        if not self._fitted:
            self.fit()
        scores = np.zeros(len(self.occupations), dtype=np.float32)
        if not title or not title.strip():
            return scores
        label = (self._tfidf.transform([_key(title)]) @ self._label_tfidf_t).toarray()[0]
        if self._label_vectors is not None and vector is not None:
            label = 0.4 * label + 0.6 * (self._label_vectors32 @ vector)
        label = np.where(self._allowed(sector), label, 0.0)
        grouped = np.clip(label, 0, 1).astype(np.float32)[self._by_owner]
        owners = self._owners[self._by_owner][self._owner_starts]
        scores[owners] = np.maximum.reduceat(grouped, self._owner_starts)
        exact = self._exact_in(title, sector)
        if exact is not None:
            scores[exact] = 1.0
        return scores

    def _match(self, index: int, confidence: float) -> OccupationMatch:
        occupation = self.occupations[index]
        return OccupationMatch(
            index, occupation.uri, occupation.label, occupation.isco_group, round(confidence, 3)
        )

    def occupation_scores_many(
        self,
        titles: Sequence[str | None],
        vectors: np.ndarray | None,
        sectors: Sequence[str | None] | None = None,
        batch: int = 256,
    ) -> np.ndarray:
        """`occupation_scores` for many titles at once (a row of zeros in `vectors` means
        no vector): one sparse and one dense product per batch instead of one per title,
        for allocation plans that score thousands of vacancies."""
        if not self._fitted:
            self.fit()
        out = np.zeros((len(titles), len(self.occupations)), dtype=np.float32)
        by_owner = np.argsort(self._owners, kind="stable")  # each occupation's labels together
        starts = np.flatnonzero(np.r_[True, np.diff(self._owners[by_owner]) != 0])
        owners = self._owners[by_owner][starts]
        for first in range(0, len(titles), batch):
            keys = [_key(t) if t and t.strip() else "" for t in titles[first : first + batch]]
            label = (self._tfidf.transform(keys) @ self._label_tfidf.T).toarray()
            if self._label_vectors is not None and vectors is not None:
                chunk = vectors[first : first + batch]
                has_vector = np.asarray(chunk.any(axis=1))[:, None]
                label = np.where(
                    has_vector, 0.4 * label + 0.6 * (chunk @ self._label_vectors32.T), label
                )
            if sectors is not None:
                for i, sector in enumerate(sectors[first : first + batch]):
                    label[i, ~self._allowed(sector)] = 0.0
            grouped = np.clip(label, 0, 1).astype(np.float32)[:, by_owner]
            rows = out[first : first + len(keys)]
            rows[:, owners] = np.maximum.reduceat(grouped, starts, axis=1)
            for i, key in enumerate(keys):
                if not key:
                    rows[i] = 0.0
                elif (
                    exact := self._exact_in(key, sectors[first + i] if sectors else None)
                ) is not None:
                    rows[i, exact] = 1.0
        return out
