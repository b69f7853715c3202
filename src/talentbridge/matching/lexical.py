"""The lexical signal: BM25 over the words of titles, skills and summaries.

Words are lower-cased, English function words dropped and stemmed with
the Snowball English stemmer, so "welder", "welding" and "welds" are one word. Document
frequencies are kept per store as records come and go; a score is divided by the best a
document could score for that query (every query word present, saturated), so it lies in
[0, 1) and means the same for a long query and a short one.
"""

import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import snowballstemmer

from talentbridge.matching.japanese import english, words

K1 = 1.2
B = 0.75
MAX_TERMS = 96  # words kept per document (a summary can be long; the first say what it is)

# Function words that say nothing about a job (the engine stays free of scikit-learn).
STOP_WORDS = frozenset(
    """a about above after again all also an and any are as at be been being below between
    both but by can could did do does doing down during each either etc for from further had
    has have having he her here him his how i if in into is it its itself may me more most
    must my no nor not of off on once only or other our out over own per same she should so
    some such than that the their them then there these they this those through to too under
    until up upon use used using very via was we were what when where which while who whom
    why will with within without would you your""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9]+")
_local = threading.local()  # the stemmer keeps state between calls: one per thread


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


_SURFACE: dict[str, str] = {}  # stem -> the first word seen with it, for reasons


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stemmed: str = _stemmer().stemWord(word)
    if len(_SURFACE) < 400_000:
        _SURFACE.setdefault(stemmed, word)
    return stemmed


@lru_cache(maxsize=100_000)
def terms(text: str) -> tuple[str, ...]:
    """The words of a text that count, stemmed, in order (equal texts share one tuple).
    Japanese counts by its English reading and, for the words the glossary does not know,
    by the analyser's lemmas."""
    found = (w for w in _WORD.findall(english(text).casefold()) if len(w) > 1)
    stems = tuple(_stem(w) for w in found if w not in STOP_WORDS)
    return (stems + words(text))[:MAX_TERMS]


def record_terms(title: str | None, skills: Iterable[str], details: str | None) -> tuple[str, ...]:
    """A record's words: its title, skills and summary or description."""
    return terms(" ".join([title or "", *skills, details or ""]))


class DocumentFrequencies:
    """How many stored documents hold each word, kept up to date as documents change."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.total_length = 0

    def add(self, document: Sequence[str]) -> None:
        self.df.update(set(document))
        self.documents += 1
        self.total_length += len(document)

    def remove(self, document: Sequence[str]) -> None:
        self.df.subtract(set(document))
        self.documents -= 1
        self.total_length -= len(document)

    def idf(self, word: str) -> float:
        n, df = max(self.documents, 1), max(self.df.get(word, 0), 0)
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    @property
    def average_length(self) -> float:
        return self.total_length / self.documents if self.documents else 1.0


def bm25(
    query: Sequence[str], documents: Sequence[Sequence[str]], stats: DocumentFrequencies
) -> np.ndarray:
    """Each document's BM25 score for the query, divided by the query's best possible score."""
    out = np.zeros(len(documents), dtype=np.float32)
    words = set(query)
    if not words or not len(documents):
        return out
    idf = {w: stats.idf(w) for w in words}
    best = sum(idf.values()) * (K1 + 1)
    if best <= 0:
        return out
    average = stats.average_length
    for i, document in enumerate(documents):
        if not document:
            continue
        counts = Counter(w for w in document if w in words)
        if not counts:
            continue
        norm = K1 * (1 - B + B * len(document) / average)
        out[i] = sum(idf[w] * tf * (K1 + 1) / (tf + norm) for w, tf in counts.items()) / best
    return out


def shared_words(query: Sequence[str], document: Sequence[str]) -> list[str]:
    """The query's words the document holds too, in query order (for reasons)."""
    have = set(document)
    return list(dict.fromkeys(_SURFACE.get(w, w) for w in query if w in have))
