"""Character n-gram TF-IDF, as scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
ngram_range=(2, 4), sublinear_tf=True)`` computes it, in NumPy and SciPy alone.

The server fits two of these at start (occupation labels, skill labels); importing
scikit-learn for them cost the process about 77 MiB and several seconds of start
(docs/measurements.md, "Cold start and memory"). The arithmetic is scikit-learn's:
n-grams inside word boundaries padded with a space, vocabulary in sorted order,
``idf = ln((1 + n) / (1 + df)) + 1``, ``tf = 1 + ln(count)``, rows scaled to unit length.
`tests/matching/test_ngrams.py` holds it to scikit-learn's numbers.
"""

import hashlib
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

_WHITE_SPACES = re.compile(r"\s\s+")
FORMAT = 1  # of the fitted files in the cache; bump when the arithmetic changes


def char_wb_ngrams(text: str, low: int = 2, high: int = 4) -> list[str]:
    """The n-grams of each word of the lower-cased text, the word padded with one space
    each side; a word shorter than n counts once (scikit-learn's ``char_wb``)."""
    grams: list[str] = []
    append = grams.append
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


class CharNgramTfidf:
    """Fit on some texts, then give any text's unit-length TF-IDF row over their n-grams."""

    def __init__(self, dtype: type = np.float64) -> None:
        self.dtype = dtype
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray = np.zeros(0, dtype=dtype)

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        """Learn the vocabulary and idf from the texts; their rows. In arrays, not a dict per
        text: the server fits 10,000 labels at start (1 s instead of 3.4 under load)."""
        grams = [char_wb_ngrams(text) for text in texts]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        flat = np.asarray([gram for row in grams for gram in row], dtype="<U4")
        terms, term_of = np.unique(flat, return_inverse=True)  # sorted as Python sorts str
        self.vocabulary_ = dict(zip(terms.tolist(), range(len(terms)), strict=True))
        size = max(len(terms), 1)
        pair = np.repeat(np.arange(len(texts), dtype=np.int64), lengths) * size + term_of
        pairs, counts = np.unique(pair, return_counts=True)  # by text, then by term
        rows, columns = np.divmod(pairs, size)
        df = np.bincount(columns, minlength=len(terms)).astype(np.float64)
        n = len(texts)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(self.dtype)
        per_row = np.bincount(rows, minlength=n)
        return self._matrix(columns, counts.astype(np.float64), per_row)

    def fit_cached(self, texts: Sequence[str], cache_dir: Path | None, prefix: str) -> csr_matrix:
        """`fit_transform`, kept in cache_dir under a name that changes with the texts, so a
        server starting again loads the fit (milliseconds) instead of redoing it (a second,
        and 60 MiB the process kept, for the occupation labels)."""
        digest = hashlib.sha256(
            "\n".join([f"{FORMAT} {np.dtype(self.dtype).name}", *texts]).encode()
        ).hexdigest()
        path = cache_dir / f"{prefix}-tfidf-{digest[:16]}.npz" if cache_dir else None
        if path is not None and path.exists():
            with np.load(path) as saved:
                terms = saved["terms"].tolist()
                self.vocabulary_ = dict(zip(terms, range(len(terms)), strict=True))
                self.idf_ = saved["idf"]
                return csr_matrix(
                    (saved["data"], saved["indices"], saved["indptr"]),
                    shape=(len(texts), len(terms)),
                )
        matrix = self.fit_transform(texts)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp.npz")
            terms = np.asarray(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__))
            np.savez(
                partial,
                terms=terms.astype("<U4"),
                idf=self.idf_,
                data=matrix.data,
                indices=matrix.indices,
                indptr=matrix.indptr,
            )
            partial.replace(path)  # another process never reads a half-written file
        return matrix

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Rows over the fitted vocabulary; n-grams it never saw are left out."""
        vocabulary = self.vocabulary_
        counted = [Counter(g for g in char_wb_ngrams(text) if g in vocabulary) for text in texts]
        columns = np.fromiter(
            (vocabulary[gram] for counts in counted for gram in counts), dtype=np.int64
        )
        counts = np.fromiter((c for row in counted for c in row.values()), dtype=np.float64)
        per_row = np.fromiter(map(len, counted), dtype=np.int64, count=len(counted))
        return self._matrix(columns, counts, per_row)

    def build_analyzer(self) -> Callable[[str], list[str]]:
        """The text-to-n-grams function (lower-casing included), as scikit-learn's."""
        return char_wb_ngrams

    def _matrix(self, columns: np.ndarray, counts: np.ndarray, per_row: np.ndarray) -> csr_matrix:
        """Unit-length rows of sublinear tf times idf from each row's n-gram columns and
        counts (rows one after another)."""
        rows = len(per_row)
        data = (1.0 + np.log(counts)) * self.idf_[columns]
        owner = np.repeat(np.arange(rows), per_row)
        norms = np.sqrt(np.bincount(owner, weights=data * data, minlength=rows))
        data /= np.where(norms > 0, norms, 1.0)[owner]
        matrix = csr_matrix(
            (data.astype(self.dtype), columns, np.r_[0, np.cumsum(per_row)]),
            shape=(rows, len(self.vocabulary_)),
            dtype=self.dtype,
        )
        matrix.sort_indices()
        return matrix
