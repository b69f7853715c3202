"""Skills by meaning: a required skill is met by a held skill that says the same thing in
other words ("feed patients" and "distribute meals to patients"; 食事介助, read as
"feed patients").

Every distinct skill key the index holds gets one vector of the engine's model (ESCO skill
labels take theirs from the vocabulary's cached label vectors; other texts are embedded
once, a batch at a time, at the first query that needs them). When a record is asked
about, each of its skills is widened with the keys the other side holds whose cosine
reaches `MEANING`: a required skill becomes (its key, the keys that mean it), a held set
gains the required keys its skills mean. The stored features keep their own keys, so
this costs nothing at load, and the allocation plans' overlaps stay by spelling.
"""

import threading
from collections.abc import Iterable, Sequence

import numpy as np

from talentbridge.matching.embedder import Embedder
from talentbridge.matching.skills import SkillVocabulary

# The cosine at which two skill texts count as one skill (the shipped model): paraphrases
# of a care task reach 0.72 ("feed patients" / "distribute meals to patients"), unrelated
# tasks of one sector stay under it ("wound dressing" / "assist with dressing": 0.68).
MEANING = 0.7
ALTERNATIVES = 8  # keys kept per required skill
ENCODE_BATCH = 2048  # new texts embedded at one query at most (the rest at the next)
SIMILAR_CACHE = 50_000  # keys whose similar keys are kept

RequiredKey = str | tuple[str, ...]


class SkillMeanings:
    """Vectors of the distinct skill keys, and the widening of a record's skills."""

    def __init__(self, embedder: Embedder | None, vocabulary: SkillVocabulary) -> None:
        self.embedder = embedder
        self.vocabulary = vocabulary
        self._rows: dict[str, int] = {}
        self._keys: list[str] = []
        self._vectors = np.zeros((0, embedder.dimension if embedder else 0), dtype=np.float32)
        self._pending: dict[str, None] = {}
        self._lock = threading.Lock()
        # A key's similar keys, kept until new keys are embedded (vacancies are asked about
        # again and again; their skills repeat).
        self._similar_cache: dict[str, list[str]] = {}
        if embedder is not None:
            vocabulary.fit()  # at start-up, not in the first request (its vectors are cached)

    def add(self, keys: Iterable[str]) -> None:
        """Keys a stored record holds (embedded when a query next needs them)."""
        if self.embedder is None:
            return
        for key in keys:
            if key not in self._rows and key not in self._pending:
                self._pending[key] = None

    def prepare(self) -> None:
        """Embed every key still waiting (after a load)."""
        while self._pending and self.embedder is not None:
            self._embed_pending(())

    def _embed_pending(self, also: Sequence[str]) -> None:
        for key in also:
            if key not in self._rows:
                self._pending.setdefault(key, None)
        if not self._pending or self.embedder is None:
            return
        with self._lock:
            taken = list(self._pending)[:ENCODE_BATCH]
            batch = [key for key in taken if key not in self._rows]
            if batch:
                vectors = self._vectors_of(batch)
            for key in taken:
                self._pending.pop(key, None)
            if not batch:
                return
            for key in batch:
                self._rows[key] = len(self._keys)
                self._keys.append(key)
            self._vectors = np.vstack([self._vectors, vectors])
            self._similar_cache = {}

    def _vectors_of(self, keys: list[str]) -> np.ndarray:
        """ESCO labels from the vocabulary's label vectors; other keys embedded."""
        assert self.embedder is not None
        vocabulary = self.vocabulary.fit()
        out = np.zeros((len(keys), self.embedder.dimension), dtype=np.float32)
        labels = vocabulary.label_rows(keys)
        todo = [i for i, row in enumerate(labels) if row < 0]
        known = [i for i, row in enumerate(labels) if row >= 0]
        if known and vocabulary.label_vectors is not None:
            out[known] = vocabulary.label_vectors[[labels[i] for i in known]]
        else:
            todo = list(range(len(keys)))
        if todo:
            out[todo] = self.embedder.encode([keys[i] for i in todo])
        return out

    def _similar(self, keys: Sequence[str]) -> list[list[str]]:
        """For each key, the other known keys that mean it, the closest first."""
        self._embed_pending(keys)
        cache = self._similar_cache
        todo = [key for key in dict.fromkeys(keys) if key not in cache]
        if todo and len(self._keys):
            vectors, names = self._vectors, self._keys
            rows = [self._rows.get(key, -1) for key in todo]
            blank = np.zeros(vectors.shape[1], dtype=np.float32)  # a key embedded since
            asked = np.stack([vectors[r] if 0 <= r < len(vectors) else blank for r in rows])
            scores = asked.astype(np.float32) @ vectors.T
            for key, row in zip(todo, scores, strict=True):
                close = np.flatnonzero(row >= MEANING)
                close = close[np.argsort(-row[close], kind="stable")]
                if len(cache) >= SIMILAR_CACHE:
                    cache.pop(next(iter(cache), ""), None)
                cache[key] = [names[i] for i in close if names[i] != key][:ALTERNATIVES]
        return [cache.get(key, []) for key in keys]

    def widen_required(self, keys: Sequence[str]) -> tuple[RequiredKey, ...]:
        """Each required key with the held keys that mean it: (key, *others), or the key
        alone."""
        if self.embedder is None or not keys:
            return tuple(keys)
        return tuple(
            (key, *others) if others else key
            for key, others in zip(keys, self._similar(list(keys)), strict=True)
        )

    def widen_held(self, keys: frozenset[str]) -> frozenset[str]:
        """A held set with the required keys its skills mean."""
        if self.embedder is None or not keys:
            return keys
        ordered = sorted(keys)
        return keys | frozenset(k for others in self._similar(ordered) for k in others)
