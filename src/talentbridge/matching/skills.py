"""Free-text skills to the ESCO skill labels of the shipped occupations.

Exact label lookup first (case and punctuation ignored); otherwise a blend of character
n-gram TF-IDF (spelling variants: "weldng", "fork-lift") and, with an embedder, sentence
embedding similarity (synonyms) against every essential or optional skill label of the
four sectors' occupations. Candidate skill lists repeat a great deal, so each distinct
text is matched once and kept in a bounded LRU cache.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talentbridge import reference
from talentbridge.matching.embedder import Embedder, cached_vectors
from talentbridge.matching.japanese import english
from talentbridge.matching.ngrams import CharNgramTfidf

_NOT_WORD = re.compile(r"[^\w]+")
TEXT_CACHE = 100_000  # distinct skill texts kept with their match (a few hundred bytes each)
BATCH = 256  # texts per sparse and dense product


def skill_key(text: str) -> str:
    """Casefolded text (Japanese read in English) with punctuation and runs of spaces turned
    into one space."""
    return _NOT_WORD.sub(" ", english(text).casefold()).strip()


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """The ESCO skill label a free text stands for, and how sure the match is."""

    label: str
    index: int  # position of label in SkillVocabulary.labels
    confidence: float  # 1.0 for an exact match, else the blended similarity
    how: str  # "exact"; "lexical" if the characters alone reach the threshold; else "semantic"


class SkillVocabulary:
    """Maps free-text skills to ESCO skill labels; fits on first use, safe to share by threads."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        cache_dir: Path | None = None,
        min_confidence: float = 0.55,
        lexical_weight: float = 0.4,
        cache_size: int = TEXT_CACHE,
    ) -> None:
        """lexical_weight: the share of the character n-gram score in the blend when an
        embedder is given (the rest is embedding cosine); without one, lexical alone."""
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.min_confidence = min_confidence
        self.lexical_weight = lexical_weight
        self.cache_size = cache_size
        occupations = reference.esco_occupations()
        self._requirements = {o.uri: (o.essential_skills, o.optional_skills) for o in occupations}
        skills = {s for o in occupations for s in (*o.essential_skills, *o.optional_skills)}
        self.labels: tuple[str, ...] = tuple(sorted(skills, key=lambda s: (s.casefold(), s)))
        self._fitted = False
        self._fit_lock = threading.Lock()
        self._cache: OrderedDict[str, SkillMatch | None] = OrderedDict()
        self._cache_lock = threading.Lock()

    def fit(self) -> "SkillVocabulary":
        """Index the labels: exact keys, TF-IDF rows and (with an embedder) label vectors."""
        with self._fit_lock:
            if self._fitted:
                return self
            keys = [skill_key(label) for label in self.labels]
            self._exact: dict[str, int] = {}
            for index, key in enumerate(keys):
                self._exact.setdefault(key, index)
            self._tfidf = CharNgramTfidf(np.float32)
            self._label_tfidf_t = self._tfidf.fit_cached(
                keys, self.cache_dir, "skill-labels"
            ).T.tocsr()
            self._label_vectors = (
                None
                if self.embedder is None
                else cached_vectors(self.embedder, list(self.labels), self.cache_dir, "esco-skills")
            )
            self._fitted = True
        return self

    def normalise(self, texts: Sequence[str]) -> list[SkillMatch | None]:
        """The ESCO skill label for each text, or None when nothing is close enough."""
        if not self._fitted:
            self.fit()
        keys = [skill_key(text) if text else "" for text in texts]
        found: dict[str, SkillMatch | None] = {"": None}
        pending: list[str] = []
        with self._cache_lock:
            for key in keys:
                if key in found:
                    continue
                if key in self._cache:
                    self._cache.move_to_end(key)
                    found[key] = self._cache[key]
                elif (exact := self._exact.get(key)) is not None:
                    found[key] = SkillMatch(self.labels[exact], exact, 1.0, "exact")
                else:
                    found[key] = None
                    pending.append(key)
        for first in range(0, len(pending), BATCH):
            chunk = pending[first : first + BATCH]
            found.update(zip(chunk, self._closest(chunk), strict=True))
        with self._cache_lock:
            for key in pending:
                self._cache[key] = found[key]
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return [found[key] for key in keys]

    def _closest(self, keys: list[str]) -> list[SkillMatch | None]:
        """Best label per key by the blended score: one sparse and one dense product."""
        lexical = np.asarray((self._tfidf.transform(keys) @ self._label_tfidf_t).todense())
        semantic = None
        scores = lexical
        if self._label_vectors is not None and self.embedder is not None:
            semantic = self.embedder.encode(keys) @ self._label_vectors.T
            scores = self.lexical_weight * lexical + (1 - self.lexical_weight) * semantic
        best = scores.argmax(axis=1)
        out: list[SkillMatch | None] = []
        for row, index in enumerate(best.tolist()):
            confidence = float(scores[row, index])
            if confidence < self.min_confidence:
                out.append(None)
                continue
            # Lexical when the characters alone would have matched; else the meaning did.
            how = "lexical" if lexical[row, index] >= self.min_confidence else "semantic"
            out.append(SkillMatch(self.labels[index], index, round(min(confidence, 1.0), 3), how))
        return out

    @property
    def label_vectors(self) -> np.ndarray | None:
        """The labels' vectors (None without an embedder)."""
        return self.fit()._label_vectors

    def label_rows(self, keys: Sequence[str]) -> list[int]:
        """The row in `labels` of each key that is a label written in lower case (hyphens as
        spaces, as the engine keys skills), else -1."""
        if not hasattr(self, "_casefolded"):
            self._casefolded = {
                key: i
                for i, label in enumerate(self.labels)
                for key in (label.casefold(), " ".join(label.casefold().replace("-", " ").split()))
            }
        return [self._casefolded.get(key, -1) for key in keys]

    def requirements(self, occupation_uri: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The (essential, optional) ESCO skill labels of an occupation; empty when unknown."""
        return self._requirements.get((occupation_uri or "").strip(), ((), ()))

    def skill_keys_for(self, texts: Iterable[str]) -> frozenset[str]:
        """One comparable key per skill: its ESCO label when matched, else its cleaned text,
        so two spellings of one skill compare equal."""
        texts = [text for text in texts if text and skill_key(text)]
        return frozenset(
            match.label if match else skill_key(text)
            for text, match in zip(texts, self.normalise(texts), strict=True)
        )
