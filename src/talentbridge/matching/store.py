"""A columnar, growable store of records for vectorised gating and scoring."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from talentbridge.matching.lexical import DocumentFrequencies

GROWTH = 1.25  # keeps spare capacity, and so memory, within 1.25x of the vectors' raw size


class ColumnStore:
    """Rows of fixed-type columns plus a unit-vector matrix, addressed by record id.

    Removal swaps the last row into the hole, so the live rows are always [0, size).
    """

    def __init__(self, dtypes: Mapping[str, Any], dimension: int, objects: Iterable[str] = ()):
        self.dtypes = dict(dtypes)
        self.dimension = dimension
        self.object_names = tuple(objects)
        self.size = 0
        self._capacity = 0
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, dimension), dtype=np.float32)
        self.embedded = np.zeros(0, dtype=np.bool_)  # False: the vector is still pending
        self.columns = {name: np.zeros(0, dtype=dtype) for name, dtype in self.dtypes.items()}
        self.objects: dict[str, list[Any]] = {name: [] for name in self.object_names}
        self._row: dict[int, int] = {}
        # Document frequencies of the "terms" objects (the lexical signal), if stored.
        self.frequencies = DocumentFrequencies()
        self._counted = "terms" in self.object_names

    def __len__(self) -> int:
        return self.size

    def reserve(self, capacity: int) -> None:
        if capacity <= self._capacity:
            return
        self.ids = _resize(self.ids, capacity)
        self.vectors = _resize(self.vectors, capacity)
        self.embedded = _resize(self.embedded, capacity)
        self.columns = {name: _resize(column, capacity) for name, column in self.columns.items()}
        self._capacity = capacity

    def upsert(self, record_id: int, vector: np.ndarray | None, values: Mapping[str, Any]) -> None:
        """Insert or replace one record; a missing vector is stored as zeros (no similarity)."""
        row = self._row.get(record_id)
        if row is None:
            if self.size == self._capacity:
                self.reserve(max(1024, int(self._capacity * GROWTH)))
            row = self.size
            self.size += 1
            self._row[record_id] = row
            for name in self.object_names:
                self.objects[name].append(None)
        elif self._counted:
            self.frequencies.remove(self.objects["terms"][row])
        if self._counted:
            self.frequencies.add(values["terms"])
        self.ids[row] = record_id
        self.vectors[row] = 0.0 if vector is None else vector
        self.embedded[row] = vector is not None
        for name in self.dtypes:
            self.columns[name][row] = values[name]
        for name in self.object_names:
            self.objects[name][row] = values[name]

    def extend(
        self,
        ids: Sequence[int],
        vectors: Sequence[np.ndarray | None],
        rows: Sequence[Mapping[str, Any]],
    ) -> None:
        """Append records not stored yet, a column at a time (the start-up load's path)."""
        count = len(ids)
        if not count:
            return
        if any(record_id in self._row for record_id in ids):
            for record_id, vector, values in zip(ids, vectors, rows, strict=True):
                self.upsert(record_id, vector, values)
            return
        if self.size + count > self._capacity:
            self.reserve(max(self.size + count, int(self._capacity * GROWTH)))
        start, end = self.size, self.size + count
        self.ids[start:end] = ids
        self.vectors[start:end] = 0.0
        self.embedded[start:end] = False
        for offset, vector in enumerate(vectors):
            if vector is not None:
                self.vectors[start + offset] = vector
                self.embedded[start + offset] = True
        for name, dtype in self.dtypes.items():
            self.columns[name][start:end] = np.fromiter(
                (values[name] for values in rows), dtype=dtype, count=count
            )
        for name in self.object_names:
            self.objects[name].extend(values[name] for values in rows)
        if self._counted:
            for values in rows:
                self.frequencies.add(values["terms"])
        self._row.update(zip(ids, range(start, end), strict=True))
        self.size = end

    def remove(self, record_id: int) -> bool:
        row = self._row.pop(record_id, None)
        if row is None:
            return False
        if self._counted:
            self.frequencies.remove(self.objects["terms"][row])
        last = self.size - 1
        if row != last:
            moved = int(self.ids[last])
            self.ids[row] = self.ids[last]
            self.vectors[row] = self.vectors[last]
            self.embedded[row] = self.embedded[last]
            for column in self.columns.values():
                column[row] = column[last]
            for values in self.objects.values():
                values[row] = values[last]
            self._row[moved] = row
        for values in self.objects.values():
            values.pop()
        self.size = last
        return True

    def column(self, name: str) -> np.ndarray:
        return self.columns[name][: self.size]

    def live_vectors(self) -> np.ndarray:
        return self.vectors[: self.size]

    def nbytes(self) -> int:
        return int(self.vectors.nbytes)


class TitleMatrix:
    """One unit vector per distinct title, both sides' titles together; records hold a row."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.vectors = np.zeros((0, dimension), dtype=np.float32)
        self.size = 0
        self._row: dict[str, int] = {}

    def __len__(self) -> int:
        return self.size

    def __contains__(self, digest: object) -> bool:
        return digest in self._row

    def row(self, digest: str | None) -> int:
        """The title's row, or -1 when its vector is not here (yet)."""
        return self._row.get(digest, -1) if digest else -1

    def add(self, digest: str, vector: np.ndarray) -> int:
        row = self._row.get(digest)
        if row is not None:
            return row
        if vector.shape != (self.dimension,):
            return -1
        if self.size == len(self.vectors):
            self.vectors = _resize(self.vectors, max(256, int(len(self.vectors) * 2)))
        row = self.size
        self.vectors[row] = vector
        self._row[digest] = row
        self.size += 1
        return row

    def similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of every title to each query vector: shape (titles,) or (titles, k)."""
        out: np.ndarray = self.vectors[: self.size] @ vectors
        return out

    def nbytes(self) -> int:
        return int(self.vectors.nbytes)


def _resize(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown
