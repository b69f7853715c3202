"""Records compared and pairs kept: one record against those sharing a key (the background
check), or everyone against everyone blocked with them (the full scan)."""

import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.duplicates.compare import (
    Record,
    blocked_pairs,
    blocking_keys,
    compare,
    compare_pairs,
)
from talentbridge.duplicates.model import LinkageModel
from talentbridge.duplicates.models import DuplicateKey, DuplicatePair, PairStatus

COLUMNS = (
    Candidate.id,
    Candidate.institute_id,
    Candidate.full_name,
    Candidate.date_of_birth,
    Candidate.state,
    Candidate.sector,
    Candidate.job_title,
)
MAX_NEIGHBOURS = 5_000  # records one check compares with, at most
CHUNK = 50_000


def read_records(session: Session, ids: Iterable[int] | None = None) -> list[Record]:
    query = select(*COLUMNS).order_by(Candidate.id)
    if ids is not None:
        query = query.where(Candidate.id.in_(list(ids)))
    return [Record.of(row) for row in session.execute(query)]


def _reasons(model: LinkageModel, levels: Sequence[int]) -> list[dict[str, Any]]:
    return [{"kind": kind, "params": params} for kind, params in model.reasons(levels)]


def _keep(
    session: Session, found: dict[tuple[int, int], tuple[float, list[dict[str, Any]]]]
) -> int:
    """Insert the pairs found, or refresh their score; a decision already made stays."""
    if not found:
        return 0
    keys = list(found)
    existing: dict[tuple[int, int], DuplicatePair] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for pair in session.scalars(
            select(DuplicatePair).where(
                tuple_(DuplicatePair.candidate_a, DuplicatePair.candidate_b).in_(chunk)
            )
        ):
            existing[(pair.candidate_a, pair.candidate_b)] = pair
    new: list[dict[str, Any]] = []
    for (a, b), (score, reasons) in found.items():
        known = existing.get((a, b))
        if known is None:
            new.append(
                {"candidate_a": a, "candidate_b": b, "score": score, "reasons": reasons,
                 "status": PairStatus.open}
            )  # fmt: skip
        else:
            known.score, known.reasons = score, reasons
    if new:
        session.execute(insert(DuplicatePair), new)
    session.flush()
    return len(new)


def check(session: Session, candidate_ids: Sequence[int], model: LinkageModel) -> int:
    """Compare each of these records with every record sharing a key, file it under its
    keys, keep the pairs above the threshold, and drop its open pairs that fell below;
    the number of new pairs."""
    records = read_records(session, candidate_ids)
    live = {r.id for r in records}
    found: dict[tuple[int, int], tuple[float, list[dict[str, Any]]]] = {}
    for record in records:
        keys = sorted(blocking_keys(record))
        session.execute(delete(DuplicateKey).where(DuplicateKey.candidate_id == record.id))
        session.execute(insert(DuplicateKey), [{"candidate_id": record.id, "key": k} for k in keys])
        neighbour_ids = session.scalars(
            select(DuplicateKey.candidate_id)
            .where(DuplicateKey.key.in_(keys), DuplicateKey.candidate_id != record.id)
            .distinct()
            .limit(MAX_NEIGHBOURS)
        ).all()
        others = read_records(session, neighbour_ids)
        if not others:
            continue
        levels = np.asarray([compare(record, other) for other in others], dtype=np.int8)
        scores = model.probabilities(levels)
        for other, row, score in zip(others, levels, scores, strict=True):
            pair = (min(record.id, other.id), max(record.id, other.id))
            if score >= model.threshold:
                found[pair] = (round(float(score), 4), _reasons(model, row.tolist()))
    _drop_open(session, live, keep=set(found))
    return _keep(session, found)


def _drop_open(session: Session, ids: set[int] | None, *, keep: set[tuple[int, int]]) -> None:
    """Open pairs of these records (None: of everyone) not found again: they no longer
    look alike."""
    if ids is not None and not ids:
        return
    query = select(DuplicatePair.id, DuplicatePair.candidate_a, DuplicatePair.candidate_b).where(
        DuplicatePair.status == PairStatus.open
    )
    if ids is not None:
        query = query.where(
            or_(DuplicatePair.candidate_a.in_(ids), DuplicatePair.candidate_b.in_(ids))
        )
    stale = session.execute(query).all()
    gone = [row.id for row in stale if (row.candidate_a, row.candidate_b) not in keep]
    for start in range(0, len(gone), 10_000):
        chunk = gone[start : start + 10_000]
        session.execute(delete(DuplicatePair).where(DuplicatePair.id.in_(chunk)))


_SHARED: list[Record] = []  # the records a forked comparing process reads


def _compare_chunk(chunk: np.ndarray) -> np.ndarray:
    return compare_pairs(_SHARED, chunk)


def _levels(
    records: list[Record], pairs: np.ndarray, processes: int, progress: Any
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(pairs, levels) chunk by chunk, compared in `processes` forked processes."""
    chunks = [pairs[s : s + CHUNK] for s in range(0, len(pairs), CHUNK)]
    shown: Iterable[int] = range(len(chunks))
    if progress is not None:
        shown = progress(shown, len(chunks))
    ticks = iter(shown)
    if processes <= 1 or len(chunks) < 2:
        for chunk in chunks:
            next(ticks, None)
            yield chunk, compare_pairs(records, chunk)
        return
    _SHARED[:] = records
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for chunk, levels in zip(chunks, pool.imap(_compare_chunk, chunks), strict=True):
                next(ticks, None)
                yield chunk, levels
    finally:
        _SHARED.clear()
    for _ in ticks:  # let the bar finish
        pass


def scan(
    session: Session,
    model: LinkageModel,
    *,
    progress: Callable[[Iterable[int], int], Iterable[int]] | None = None,
    processes: int = 1,
) -> dict[str, Any]:
    """Every record against those blocked with it: keys rewritten, pairs kept or dropped."""
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name] = round(time.perf_counter() - clock, 1)
        clock = time.perf_counter()

    records = read_records(session)
    keys = [blocking_keys(r) for r in records]
    pairs = blocked_pairs(records, keys=keys)
    lap("read_and_block")
    ids = np.asarray([r.id for r in records], dtype=np.int64)
    found: dict[tuple[int, int], tuple[float, list[dict[str, Any]]]] = {}
    for chunk, levels in _levels(records, pairs, processes, progress):
        scores = model.probabilities(levels)
        for k in np.flatnonzero(scores >= model.threshold):
            a, b = int(ids[chunk[k, 0]]), int(ids[chunk[k, 1]])
            found[(a, b)] = (round(float(scores[k]), 4), _reasons(model, levels[k].tolist()))
    lap("compare")
    session.execute(delete(DuplicateKey))
    _write_keys(session, [(r.id, k) for r, filed in zip(records, keys, strict=True) for k in filed])
    lap("keys")
    _drop_open(session, None, keep=set(found))
    new = _keep(session, found)
    lap("pairs")
    return {
        "records": len(records),
        "compared": len(pairs),
        "listed": len(found),
        "new": new,
        "seconds": seconds,
    }


def _write_keys(session: Session, rows: list[tuple[int, str]]) -> None:
    """Many keys at once: COPY on PostgreSQL, batched inserts on SQLite."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        with cursor.copy("COPY duplicate_keys (candidate_id, key) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        session.execute(insert(DuplicateKey), [{"candidate_id": c, "key": k} for c, k in chunk])


def same_person_pairs(*, status: str = PairStatus.same_person) -> Any:
    """Pairs an officer decided are one person."""
    return select(DuplicatePair.candidate_a, DuplicatePair.candidate_b).where(
        DuplicatePair.status == status
    )


def partners(session: Session, candidate_id: int, *, lock: bool = False) -> list[int]:
    """The other records decided to be this same person (locked, when asked: two
    placements of one person racing queue on their pair)."""
    query = select(DuplicatePair).where(
        DuplicatePair.status == PairStatus.same_person,
        or_(DuplicatePair.candidate_a == candidate_id, DuplicatePair.candidate_b == candidate_id),
    )
    if lock:
        query = query.with_for_update()
    return [
        p.candidate_b if p.candidate_a == candidate_id else p.candidate_a
        for p in session.scalars(query)
    ]


def both_of(institute_id: int) -> Any:
    """Condition: both records of the pair are this institute's."""
    a = select(Candidate.id).where(
        Candidate.institute_id == institute_id, Candidate.id == DuplicatePair.candidate_a
    )
    b = select(Candidate.id).where(
        Candidate.institute_id == institute_id, Candidate.id == DuplicatePair.candidate_b
    )
    return and_(a.exists(), b.exists())
