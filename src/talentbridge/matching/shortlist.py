"""The engine's row handling: columns taken at the rows a stage needs, the shortlist and
its ties, and the shortlist's exact vectors."""

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from talentbridge.matching.store import ColumnStore

SHORTLIST_CAP = 200  # at least this many contenders are scored for skills (10 x limit if more)
ExactVectors = Callable[[Sequence[int]], Mapping[int, np.ndarray]]


class Taken(Mapping[str, np.ndarray]):
    """One side's columns at some rows, each gathered when first read (the query side's
    0-d values as they are): a gate or component reads only the columns it needs."""

    def __init__(self, columns: Mapping[str, np.ndarray], rows: np.ndarray) -> None:
        self._columns, self._rows = columns, rows
        self._taken: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        found = self._taken.get(name)
        if found is None:
            values = self._columns[name]
            found = self._taken[name] = values[self._rows] if values.ndim else values
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def exact_vectors(store: ColumnStore, rows: np.ndarray, source: ExactVectors | None) -> np.ndarray:
    """The rows' float32 vectors from `source` where it has them, else decoded codes."""
    vectors = store.vectors_of(rows)
    if source is None or not len(rows):
        return vectors
    ids = store.ids[rows]
    found = source([int(i) for i in ids])
    for position, record_id in enumerate(ids):
        vector = found.get(int(record_id))
        if vector is not None and vector.shape == vectors.shape[1:]:
            vectors[position] = vector
    return vectors


def shortlist(key: np.ndarray, ids: np.ndarray, limit: int, later: float) -> np.ndarray:
    """Positions worth scoring for skills and words: those that could still make the top
    `limit` once they are added (worth at most `later`).

    Capped at max(10 x limit, SHORTLIST_CAP) positions by key, ties going to the lower id,
    so however many rows tie (a hundred thousand of one title) the shortlist is no wider;
    when more rows than the cap are within `later` of the top, a row whose skills would
    have lifted it into the top `limit` can be dropped (the ranking trades that for a
    bounded cost per request; allocation plans score every eligible pair and can find it).
    """
    if len(key) <= limit:
        return np.arange(len(key))
    kth = np.partition(key, len(key) - limit)[len(key) - limit]
    contenders = np.flatnonzero(key + later >= kth)
    cap = max(limit * 10, SHORTLIST_CAP)
    if len(contenders) > cap:
        contenders = _best(key, ids, contenders, cap)
    return contenders


def _best(key: np.ndarray, ids: np.ndarray, positions: np.ndarray, count: int) -> np.ndarray:
    """The `count` positions of highest key, a tie at the cut going to the lower ids,
    without sorting them all."""
    values = key[positions]
    cut = np.partition(values, len(values) - count)[len(values) - count]
    above = positions[values > cut]
    tied = positions[values == cut]
    need = count - len(above)
    if len(tied) > need:
        tied = tied[np.argpartition(ids[tied], need - 1)[:need]]
    return np.concatenate([above, tied])
