"""A columnar, growable store of records for vectorised gating and scoring.

Vectors are held once, as int8 codes with one float32 scale per row (a quarter of the
float32 bytes): a ranking's one pass over the rows it needs reads a byte per dimension,
decoding cache-sized blocks to float32 for the product; the shortlist is re-scored in
float32 from the decoded rows (within 2e-3 of the float32 cosine; `tests/matching/
test_compact.py`).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from talentbridge.matching.lexical import DocumentFrequencies

GROWTH = 1.25  # keeps spare capacity, and so memory, within 1.25x of the vectors' raw size
# Rows decoded per product: 768 KiB of float32 at 384 dimensions, within L2 (1,024: 18 % slower).
DECODE_BLOCK = 512
CODE_MAX = 127.0


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 codes, float32 scales) of float vectors, one scale per row (its largest
    magnitude / 127), so each row is decoded as codes * scale."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    scales = np.abs(vectors).max(axis=1) / CODE_MAX
    safe = np.where(scales > 0, scales, 1.0)
    codes = np.rint(vectors / safe[:, None]).astype(np.int8)
    return codes, scales.astype(np.float32)


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
        self.codes = np.zeros((0, dimension), dtype=np.int8)  # the vectors, compact
        self.scales = np.zeros(0, dtype=np.float32)
        self.version = 0  # bumped by every change; what cached masks and partitions key on
        self.embedded = np.zeros(0, dtype=np.bool_)  # False: the vector is still pending
        self.columns = {name: np.zeros(0, dtype=dtype) for name, dtype in self.dtypes.items()}
        self.objects: dict[str, list[Any]] = {name: [] for name in self.object_names}
        # The row of each record id (-1: not stored): 4 bytes an id where a dict held about 100
        # (10 MB at 100,000 records). Ids are the tables' sequences, so the array is dense.
        self._where = np.full(0, -1, dtype=np.int32)
        # Document frequencies of the "terms" objects (the lexical signal), if stored.
        self.frequencies = DocumentFrequencies()
        self._counted = "terms" in self.object_names
        self._cache: dict[Any, tuple[int, Any]] = {}

    def __len__(self) -> int:
        return self.size

    def reserve(self, capacity: int) -> None:
        if capacity <= self._capacity:
            return
        self.ids = _resize(self.ids, capacity)
        self.codes = _resize(self.codes, capacity)
        self.scales = _resize(self.scales, capacity)
        self.embedded = _resize(self.embedded, capacity)
        self.columns = {name: _resize(column, capacity) for name, column in self.columns.items()}
        self._capacity = capacity

    def upsert(self, record_id: int, vector: np.ndarray | None, values: Mapping[str, Any]) -> None:
        """Insert or replace one record; a missing vector is stored as zeros (no similarity)."""
        row = self._row_of(record_id)
        if row is None:
            if self.size == self._capacity:
                self.reserve(max(1024, int(self._capacity * GROWTH)))
            row = self.size
            self.size += 1
            self._place(np.asarray([record_id]), np.asarray([row]))
            for name in self.object_names:
                self.objects[name].append(None)
        elif self._counted:
            self.frequencies.remove(self.objects["terms"][row])
        if self._counted:
            self.frequencies.add(values["terms"])
        self.version += 1
        self.ids[row] = record_id
        self._put_vector(row, vector)
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
        record_ids = np.asarray(ids, dtype=np.int64)
        known = record_ids[(record_ids >= 0) & (record_ids < len(self._where))]
        if (self._where[known] >= 0).any():
            for record_id, vector, values in zip(ids, vectors, rows, strict=True):
                self.upsert(record_id, vector, values)
            return
        if self.size + count > self._capacity:
            self.reserve(max(self.size + count, int(self._capacity * GROWTH)))
        start, end = self.size, self.size + count
        self.version += 1
        self.ids[start:end] = ids
        present = np.fromiter((v is not None for v in vectors), dtype=np.bool_, count=count)
        self.embedded[start:end] = present
        self.codes[start:end] = 0
        self.scales[start:end] = 0.0
        if present.any():
            given = np.stack([v for v in vectors if v is not None]).astype(np.float32)
            codes, scales = quantise(given)
            at = start + np.flatnonzero(present)
            self.codes[at], self.scales[at] = codes, scales
        for name, dtype in self.dtypes.items():
            self.columns[name][start:end] = np.fromiter(
                (values[name] for values in rows), dtype=dtype, count=count
            )
        for name in self.object_names:
            self.objects[name].extend(values[name] for values in rows)
        if self._counted:
            for values in rows:
                self.frequencies.add(values["terms"])
        self._place(record_ids, np.arange(start, end))
        self.size = end

    def remove(self, record_id: int) -> bool:
        row = self._row_of(record_id)
        if row is None:
            return False
        self._where[record_id] = -1
        if self._counted:
            self.frequencies.remove(self.objects["terms"][row])
        self.version += 1
        last = self.size - 1
        if row != last:
            moved = int(self.ids[last])
            self.ids[row] = self.ids[last]
            self.codes[row] = self.codes[last]
            self.scales[row] = self.scales[last]
            self.embedded[row] = self.embedded[last]
            for column in self.columns.values():
                column[row] = column[last]
            for values in self.objects.values():
                values[row] = values[last]
            self._where[moved] = row
        for values in self.objects.values():
            values.pop()
        self.size = last
        return True

    def _row_of(self, record_id: int) -> int | None:
        if 0 <= record_id < len(self._where):
            row = int(self._where[record_id])
            return row if row >= 0 else None
        return None

    def _place(self, ids: np.ndarray, rows: np.ndarray) -> None:
        top = int(ids.max()) + 1
        if top > len(self._where):
            grown = np.full(max(top, int(len(self._where) * GROWTH)), -1, dtype=np.int32)
            grown[: len(self._where)] = self._where
            self._where = grown
        self._where[ids] = rows

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """A value derived from the rows (a gate mask, a sector's rows), kept until the
        store next changes."""
        found = self._cache.get(key)
        if found is None or found[0] != self.version:
            found = (self.version, make())
            self._cache[key] = found
        return found[1]

    def column(self, name: str) -> np.ndarray:
        return self.columns[name][: self.size]

    def _put_vector(self, row: int, vector: np.ndarray | None) -> None:
        if vector is None:
            self.codes[row], self.scales[row] = 0, 0.0
            return
        codes, scales = quantise(vector)
        self.codes[row], self.scales[row] = codes[0], scales[0]

    def vectors_of(self, rows: np.ndarray) -> np.ndarray:
        """The decoded float32 vectors of some rows (zeros for a pending one)."""
        decoded: np.ndarray = self.codes[rows].astype(np.float32)
        decoded *= self.scales[rows, None]
        return decoded

    def live_vectors(self) -> np.ndarray:
        """Every live row's decoded vector (a copy: allocation plans, benchmarks)."""
        return self.vectors_of(np.arange(self.size))

    def similarity(self, rows: np.ndarray | None, query: np.ndarray) -> np.ndarray:
        """The decoded vectors of `rows` (None: every live row) times a float32 query, in
        one pass over their codes, decoded a cache-sized block at a time."""
        count = self.size if rows is None else len(rows)
        out = np.empty(count, dtype=np.float32)
        block = np.empty((min(DECODE_BLOCK, count), self.dimension), dtype=np.float32)
        query = np.asarray(query, dtype=np.float32)
        for start in range(0, count, DECODE_BLOCK):
            end = min(start + DECODE_BLOCK, count)
            codes = self.codes[start:end] if rows is None else self.codes[rows[start:end]]
            decoded = block[: end - start]
            decoded[...] = codes
            np.matmul(decoded, query, out=out[start:end])
        out *= self.scales[: self.size] if rows is None else self.scales[rows]
        return out

    def rounding_bound(self, query: np.ndarray) -> float:
        """How far two rows' decoded products with `query` can be from their float32 ones
        in opposite directions: each component is within half a step (the row's scale / 2),
        so each product within 0.5 x scale x |query|_1."""
        largest: float = self.cached("largest", lambda: float(self.scales[: self.size].max()))
        return largest * float(np.abs(query).sum()) + 1e-6

    def nbytes(self) -> int:
        return int(self.codes.nbytes + self.scales.nbytes)


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
