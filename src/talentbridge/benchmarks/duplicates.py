"""`talentbridge bench duplicates`: how well and how fast duplicates are found.

Accuracy: parameters fitted on one generated set (seed 1), judged on another (seed 2):
precision and recall of the pairs listed at the threshold, beside the shipped parameters.
Speed: --candidates generated records in a throw-away database, a full scan timed (and
Splink's prediction over the same records, the scan's other way), then an incremental check
through the background checker: a duplicate of a stored record is created and the time
until its pair is listed is taken.
"""

import argparse
import os
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, delete, func, insert, select, text
from sqlalchemy.orm import sessionmaker

from talentbridge import migrate
from talentbridge.benchmarks.duplicates_synth import Generator, true_pairs
from talentbridge.candidates.models import Candidate
from talentbridge.db import make_engine, unit_of_work
from talentbridge.duplicates import linking
from talentbridge.duplicates.checker import DuplicateChecker
from talentbridge.duplicates.compare import Record, blocked_pairs, compare_pairs
from talentbridge.duplicates.model import LinkageModel
from talentbridge.duplicates.models import DuplicateCheck, DuplicatePair
from talentbridge.duplicates.training import fit, predict
from talentbridge.organisations.models import Organisation

SERVER = os.environ.get("TALENTBRIDGE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
HELD_OUT = 20_000  # generated records the accuracy is judged on


def _admin(statement: str) -> None:
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def evaluate(model: LinkageModel, n: int, *, seed: int = 2) -> dict[str, Any]:
    """Precision and recall at the model's threshold on n generated records."""
    labelled = Generator(seed).generate(n)
    records = [Record.of(r.row) for r in labelled]
    pairs = blocked_pairs(records)
    scores = model.probabilities(compare_pairs(records, pairs))
    ids = np.asarray([r.id for r in records])
    listed = {(int(ids[i]), int(ids[j])) for i, j in pairs[scores >= model.threshold]}
    truth = true_pairs(labelled)
    hits = len(listed & truth)
    precision = hits / max(len(listed), 1)
    recall = hits / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {
        "threshold": model.threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "listed": len(listed),
        "true_pairs": len(truth),
        "blocking_recall": round(
            len({(int(ids[i]), int(ids[j])) for i, j in pairs} & truth) / max(len(truth), 1), 4
        ),
    }


def _accuracy(args: argparse.Namespace) -> None:
    shipped = LinkageModel.load()
    print(f"shipped parameters ({shipped.fitted_on.get('source')}):")
    print(f"  held-out {HELD_OUT}: {evaluate(shipped, HELD_OUT)}")
    for threshold in (0.9, 0.95, 0.999):
        other = LinkageModel(shipped.m, shipped.u, shipped.prior, threshold)
        print(f"  at threshold {threshold}: {evaluate(other, HELD_OUT)}")
    started = time.perf_counter()
    train = [Record.of(r.row) for r in Generator(1).generate(HELD_OUT)]
    refitted = fit(train, source="bench")
    refitted.threshold = shipped.threshold
    took = time.perf_counter() - started
    print(f"refitted on {len(train)} generated records (seed 1) in {took:.1f} s:")
    print(f"  held-out {HELD_OUT}: {evaluate(refitted, HELD_OUT)}")


def _load(url: str, n: int) -> list[Any]:
    engine = make_engine(url)
    rows = [r.row for r in Generator(3).generate(n)]
    institutes = max(r.institute_id for r in rows)
    with unit_of_work(sessionmaker(bind=engine)) as session:
        session.execute(
            insert(Organisation),
            [
                {"id": i, "kind": "institute", "name": f"Institute {i}", "state": "Bihar"}
                for i in range(1, institutes + 1)
            ],
        )
        for start in range(0, len(rows), 10_000):
            session.execute(
                insert(Candidate),
                [
                    {
                        "id": r.id,
                        "institute_id": r.institute_id,
                        "external_id": f"E{r.id}",
                        "full_name": r.full_name,
                        "date_of_birth": r.date_of_birth,
                        "state": r.state,
                        "sector": r.sector,
                        "job_title": r.job_title,
                        "skills": [],
                        "preferred_prefectures": [],
                    }  # fmt: skip
                    for r in rows[start : start + 10_000]
                ],
            )
        if engine.dialect.name == "postgresql":  # ids given: move the sequences past them
            for table in ("organisations", "candidates"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                session.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
    engine.dispose()
    return rows


def _speed(args: argparse.Namespace, backend: str) -> None:
    name = f"tb_bench_dup_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        url = f"sqlite:///{Path(args.sqlite_dir) / (name + '.db')}"
    else:
        _admin(f'CREATE DATABASE "{name}"')
        url = f"{SERVER}/{name}"
    try:
        migrate.upgrade(url)
        rows = _load(url, args.candidates)
        engine = make_engine(url)
        sessions = sessionmaker(bind=engine, expire_on_commit=False)
        model = LinkageModel.load()
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            found = linking.scan(session, model, processes=os.cpu_count() or 1)
            session.execute(delete(DuplicateCheck))  # all checked by the scan
        scan_seconds = time.perf_counter() - started
        print(f"{backend}: full scan of {found['records']} records: {scan_seconds:.1f} s "
              f"({found['compared']} pairs compared, {found['listed']} listed; "
              f"seconds by step {found['seconds']})")  # fmt: skip
        _splink_scan(sessions, model, found["listed"], backend)
        _incremental(sessions, model, rows[0], backend)
        engine.dispose()
    finally:
        if backend == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _splink_scan(sessions: Any, model: LinkageModel, listed: int, backend: str) -> None:
    """The full scan's other way: the same records read, then Splink's prediction."""
    started = time.perf_counter()
    with unit_of_work(sessions, read_only=True) as session:
        records = linking.read_records(session)
    read = time.perf_counter() - started
    found = predict(records, model, threshold=model.threshold)
    took = time.perf_counter() - started
    print(f"{backend}: Splink predict over the same records: {took:.1f} s (read {read:.1f} s), "
          f"{len(found)} listed (the scan: {listed})")  # fmt: skip


def _incremental(sessions: Any, model: LinkageModel, original: Any, backend: str) -> None:
    stop = threading.Event()
    checker = DuplicateChecker(sessions=sessions, model=model)
    thread = threading.Thread(target=checker.run, args=(stop,), daemon=True)
    thread.start()
    born = original.date_of_birth
    if born.day <= 12:  # written day first: the day and month swapped
        born = date(born.year, born.day, born.month)
    copy = {
        "institute_id": original.institute_id % 40 + 1, "external_id": "BENCH-DUP",
        "full_name": original.full_name.upper(), "state": original.state,
        "date_of_birth": born,
        "sector": original.sector, "job_title": original.job_title,
        "skills": [], "preferred_prefectures": [],
    }  # fmt: skip
    started = time.perf_counter()
    with unit_of_work(sessions) as session:
        new_id = session.scalar(insert(Candidate).values(**copy).returning(Candidate.id))
    listed = None
    while time.perf_counter() - started < 120:
        with unit_of_work(sessions, read_only=True) as session:
            listed = session.scalar(
                select(func.count()).where(
                    DuplicatePair.candidate_a == original.id, DuplicatePair.candidate_b == new_id
                )
            )
        if listed:
            break
        time.sleep(0.1)
    took = time.perf_counter() - started
    stop.set()
    thread.join(10)
    state = "listed" if listed else "NOT listed"
    print(f"{backend}: a new record's duplicate {state} by the background checker in {took:.2f} s")


def main(args: argparse.Namespace) -> int:
    print(f"bench duplicates, {date.today()}")
    _accuracy(args)
    for backend in args.databases.split(","):
        _speed(args, backend.strip())
    return 0
