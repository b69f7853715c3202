"""`talentbridge backup` and `talentbridge restore`: consistent copies taken while serving.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database as one
snapshot while writers go on (WAL readers never block them). PostgreSQL: `pg_dump
--format=custom` (one repeatable-read snapshot, so every table is of the same moment) and
`pg_restore` in one transaction. A restore goes into an empty database unless `force`.
The file says which kind it is: SQLite's header or pg_dump's `PGDMP`.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that must not go ahead (the message says why and what to do)."""


@dataclass
class Outcome:
    path: Path
    bytes: int
    seconds: float


# pg_dump's zlib level: 1 writes a 100,000-candidate database in 21 s at 198 MB; its default
# took 83-105 s for 187 MB (the vectors do not compress), 0 took 4 s for 373 MB.
PG_COMPRESS = 1


def backup(database_url: str, to: Path, *, compress: int = PG_COMPRESS) -> Outcome:
    """Write a consistent copy of the database to `to` (replaced only once complete);
    `compress`: pg_dump's level, 0-9 (SQLite copies are not compressed)."""
    started = time.perf_counter()
    url = make_url(database_url)
    to = Path(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    partial = to.with_name(to.name + ".partial")
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), partial)
    elif url.get_backend_name() == "postgresql":
        command = ["pg_dump", "--format=custom", f"--compress={compress}", "--no-owner"]
        _run([*command, f"--file={partial}"], url)
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    os.replace(partial, to)
    return Outcome(to, to.stat().st_size, time.perf_counter() - started)


def restore(database_url: str, source: Path, *, force: bool = False) -> Outcome:
    """Load the backup `source` into the database; refuse one that holds tables unless
    `force` (then its tables are replaced by the backup's)."""
    started = time.perf_counter()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    url = make_url(database_url)
    backend = url.get_backend_name()
    kind = "sqlite" if head == SQLITE_MAGIC else "postgresql" if head.startswith(PG_MAGIC) else None
    if kind is None:
        raise BackupError(f"{source} is not a talentbridge backup (SQLite file or pg_dump archive)")
    if kind != backend:
        raise BackupError(f"{source} is a {kind} backup; the database is {backend}")
    tables = _tables(database_url)
    if tables and not force:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): "
            "restore into an empty database, or pass --force to replace its contents"
        )
    if backend == "sqlite":
        with sqlite3.connect(source) as backup_db, sqlite3.connect(_sqlite_path(url)) as target:
            backup_db.backup(target)
        backup_db.close()
        target.close()
    else:
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--single-transaction", *(["--clean", "--if-exists"] if tables else [])]
        _run([*command, str(source)], url)
    return Outcome(source, source.stat().st_size, time.perf_counter() - started)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_backup(path: Path, to: Path) -> None:
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    to.unlink(missing_ok=True)
    # Read-only: the copy never writes to (or checkpoints) the live database. One step
    # (pages=-1) reads one snapshot, so writes going on meanwhile are in it or not, whole.
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(to)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def _tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run(command: list[str], url: URL) -> None:
    """pg_dump/pg_restore against the URL's database, the password in the environment (never
    on a command line others can read)."""
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None, query={})
    dsn = target.render_as_string(hide_password=False)
    args = [tool, *command[1:], f"--dbname={dsn}"]
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(args, env=env, stderr=errors, stdout=subprocess.DEVNULL)
        if done.returncode:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()[-3:]
            raise BackupError(f"{command[0]} failed: " + " | ".join(message))
