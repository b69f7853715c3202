"""What two records are compared on, in levels, and which pairs are compared at all.

A record is compared with another only when they share a blocking key, so the work grows
with the records, not their square: the sound of one name word with the birth date (day
and month in either order), or with two of its three parts (so a typo in one part still
meets). Levels run from 0 (disagree) upwards; -1 is "not known" and weighs
nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from talentbridge.duplicates.names import Name, alignment, code

# Each comparison's levels, the highest first-named last (index = level).
LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("differ", "partly_alike", "words_missing", "typo", "sounds_alike", "same"),
    "birth_date": ("differ", "two_digits_off", "one_digit_off", "day_month_swapped", "same"),
    "state": ("differ", "same"),
    # One comparison, not two: a title names its sector, and two comparisons that move
    # together would be counted twice (and mislead the fit, which takes them as independent)
    "occupation": ("other_sector", "same_sector", "alike_title", "same_title"),
}
COMPARISONS = tuple(LEVELS)
MISSING = -1


@dataclass(frozen=True)
class Record:
    """What the comparisons read of a candidate, prepared once."""

    id: int
    institute_id: int
    full_name: str
    name: Name
    birth: date
    state: str
    sector: str
    title: str | None
    digits: str  # the birth date as YYYYMMDD

    @classmethod
    def of(cls, row: Any) -> "Record":
        """From anything with a candidate's columns (an ORM row or a plain row)."""
        title = " ".join((row.job_title or "").casefold().split()) or None
        return cls(
            row.id, row.institute_id, row.full_name, Name.of(row.full_name), row.date_of_birth,
            row.state, row.sector, title, row.date_of_birth.strftime("%Y%m%d"),
        )  # fmt: skip


def name_level(a: Name, b: Name) -> int:
    weakest, mean, left_over = alignment(a, b)
    if weakest >= 0.85 and left_over:
        # every word of one name in the other, which has more: a middle name left out, or
        # a relative ("Arijit Bose", "Sayali Arijit Bose"); one word alone says little
        return 2 if min(len(a.tokens), len(b.tokens)) >= 2 else 1
    if weakest == 1.0:
        return 5
    if weakest >= 0.9:
        return 4
    if weakest >= 0.85:
        return 3
    return 1 if mean >= 0.8 else 0


def _birth_level(a: Record, b: Record) -> int:
    x, y = a.birth, b.birth
    if x == y:
        return 4
    if x.year == y.year and x.day == y.month and x.month == y.day:
        return 3
    differing = sum(p != q for p, q in zip(a.digits, b.digits, strict=True))
    if differing == 1:
        return 2
    if differing == 2:
        return 1
    return 0


def _occupation_level(a: Record, b: Record) -> int:
    if a.sector != b.sector:
        return 0
    if a.title is None or b.title is None:
        return 1
    if a.title == b.title:
        return 3
    return 2 if alike_titles(*sorted((a.title, b.title))) else 1


@lru_cache(maxsize=100_000)
def alike_titles(a: str, b: str) -> bool:
    return bool(fuzz.token_sort_ratio(a, b) >= 80)


def compare(a: Record, b: Record) -> tuple[int, ...]:
    """The level of each comparison, in COMPARISONS order."""
    return (
        name_level(a.name, b.name),
        _birth_level(a, b),
        int(a.state == b.state),
        _occupation_level(a, b),
    )


def compare_pairs(records: Sequence[Record], pairs: np.ndarray) -> np.ndarray:
    """Levels of each (i, j) row of `pairs` (indices into records): an int8 matrix."""
    out = np.empty((len(pairs), len(COMPARISONS)), dtype=np.int8)
    for row, (i, j) in enumerate(pairs.tolist()):
        out[row] = compare(records[i], records[j])
    return out


def blocking_keys(record: Record) -> set[str]:
    """The keys a record is filed under; two records sharing one are compared."""
    d = record.birth
    either_way = _birth_key(d)
    sounds = {code(token) for token in record.name.tokens if len(token) >= 2}
    if not sounds:  # initials only: the birth date alone
        return {either_way}
    keys: set[str] = set()
    for sound in sounds:
        keys.update((f"{sound}|{either_way}", f"{sound}|{d.year}-{d.month}"))
        keys.update((f"{sound}|{d.year}/{d.day}", f"{sound}|{d.month}/{d.day}"))
    return keys


def _birth_key(d: date) -> str:
    low, high = sorted((d.month, d.day))
    return f"d{d.year}-{low}-{high}"


def blocked_pairs(
    records: Sequence[Record],
    *,
    max_block: int = 2_000,
    keys: Sequence[set[str]] | None = None,
) -> np.ndarray:
    """Every (i, j), i < j, of records sharing a key, once; blocks larger than max_block
    (a key that says nothing, such as a very common word) are skipped. `keys` are the
    records' blocking keys, if already made."""
    blocks: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        filed = keys[index] if keys is not None else blocking_keys(record)
        for key in filed:
            blocks.setdefault(key, []).append(index)
    twos: list[int] = []  # most blocks hold two records: no arrays for those
    parts = []
    for members in blocks.values():
        if len(members) == 2:
            twos.append(members[0] << 32 | members[1])
        elif 2 < len(members) <= max_block:
            ids = np.asarray(members, dtype=np.int64)
            i, j = np.triu_indices(len(ids), k=1)
            parts.append(ids[i] << 32 | ids[j])
    parts.append(np.asarray(twos, dtype=np.int64))
    codes = np.unique(np.concatenate(parts))
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)


def pairs_with(record: Record, others: Iterable[Record]) -> list[tuple[Record, tuple[int, ...]]]:
    """The record compared with each of the others (not itself)."""
    return [(other, compare(record, other)) for other in others if other.id != record.id]
