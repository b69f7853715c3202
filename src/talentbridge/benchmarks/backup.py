"""`talentbridge bench backup`: backup and restore of a seeded 100,000-candidate database.

Seeds a throw-away database on each backend (candidates with vectors, vacancies, and one
audit entry per candidate), then times `talentbridge backup` and `talentbridge restore` into
a fresh empty database, and checks that every table holds the same rows and the progress
report answers the same. The baseline of the same run is a plain copy of the SQLite file
(what a backup cannot beat) and, on PostgreSQL, the seeding itself.
"""

import argparse
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from talentbridge.audit.models import AuditEntry
from talentbridge.benchmarks.seed import (
    Programme,
    add_vacancies,
    copy_candidates,
    embedding_model,
    fresh_url,
    insert_candidates,
    organisations_with_keys,
)
from talentbridge.config import Settings
from talentbridge.ops import backup
from talentbridge.organisations.models import Organisation
from talentbridge.reports import service


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        found = {
            n: connection.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names
        }
    engine.dispose()
    return found


def _report(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    with Session(engine) as session:
        officer = session.scalars(select(Organisation).where(Organisation.kind == "officer")).one()
        report = service.progress(
            session=session, settings=Settings(), organisation=officer, filters=service.Filters()
        ).model_dump(mode="json")
    engine.dispose()
    report.pop("generated_at", None)
    return report


def _seed(backend: str, n: int, args: argparse.Namespace) -> tuple[str, float]:
    started = time.perf_counter()
    name = f"tb_bench_backup_{uuid.uuid4().hex[:6]}"
    url = fresh_url(backend, name, pg=args.pg, sqlite_dir=args.sqlite_dir)
    engine = create_engine(url)
    programme = Programme()
    institutes, employers = organisations_with_keys(engine, 20, 40, programme)
    if backend == "postgresql":
        copy_candidates(url, n, institutes, embedding_model())
    else:
        insert_candidates(engine, n, institutes, embedding_model())
    add_vacancies(engine, args.vacancies, employers, embedding_model(), programme)
    with engine.begin() as connection:
        ids = connection.execute(text("SELECT id, institute_id FROM candidates")).all()
        for start in range(0, len(ids), 10_000):
            connection.execute(
                insert(AuditEntry),
                [
                    {
                        "organisation_id": org,
                        "action": "create",
                        "entity": "candidate",
                        "entity_id": cid,
                    }
                    for cid, org in ids[start : start + 10_000]
                ],
            )
    engine.dispose()
    return url, time.perf_counter() - started


def _empty(backend: str, args: argparse.Namespace) -> str:
    name = f"tb_bench_restored_{uuid.uuid4().hex[:6]}"
    if backend == "sqlite":
        return f"sqlite:///{Path(args.sqlite_dir) / (name + '.db')}"
    admin = create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{args.pg}/{name}"


def _drop(url: str, args: argparse.Namespace) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def main(args: argparse.Namespace) -> int:
    n = args.candidates
    ok = True
    print("| database | candidates | seed s | backup s | file MB | restore s | baseline | same |")
    print("|---|---|---|---|---|---|---|---|")
    for backend in args.databases.split(","):
        url, seeded = _seed(backend, n, args)
        restored = _empty(backend, args)
        folder = Path(tempfile.mkdtemp(prefix="tb_backup_"))
        try:
            made = backup.backup(url, folder / "db.backup")
            loaded = backup.restore(restored, made.path)
            same = _counts(url) == _counts(restored) and _report(url) == _report(restored)
            if backend == "sqlite":
                t0 = time.perf_counter()
                shutil.copyfile(url.removeprefix("sqlite:///"), folder / "plain.copy")
                baseline = f"file copy {time.perf_counter() - t0:.1f} s"
            else:
                baseline = f"seeding {seeded:.0f} s"
            ok = ok and same
            print(
                f"| {backend} | {n:,} | {seeded:.0f} | {made.seconds:.1f} | "
                f"{made.bytes / 1e6:.0f} | {loaded.seconds:.1f} | {baseline} | {same} |"
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            if not args.keep:
                _drop(url, args)
            _drop(restored, args)
    return 0 if ok else 1
