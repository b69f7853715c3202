"""`talentbridge backup`, `restore` and `prune`: the operator's commands (added to the CLI)."""

import argparse
import sys
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import sessionmaker

from talentbridge.config import get_settings


def safe_url() -> str:
    """The database URL without its password."""
    raw = get_settings().database_url
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except ArgumentError:
        return "TALENTBRIDGE_DATABASE_URL is not a database URL"


def backup_command(args: argparse.Namespace) -> int:
    from talentbridge.ops import backup

    try:
        done = backup.backup(get_settings().database_url, args.to, compress=args.compress)
    except backup.BackupError as exc:
        print(f"backup refused: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {safe_url()} to {done.path} ({done.bytes:,} bytes, {done.seconds:.1f} s)")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from talentbridge.ops import backup

    try:
        done = backup.restore(get_settings().database_url, args.source, force=args.force)
    except backup.BackupError as exc:
        print(f"restore refused: {exc}", file=sys.stderr)
        return 2
    print(f"restored {done.path} into {safe_url()} ({done.seconds:.1f} s)")
    print("run `talentbridge migrate` if this version's schema is newer than the backup's")
    return 0


def prune_command(_: argparse.Namespace) -> int:
    from talentbridge.db import get_engine
    from talentbridge.ops import prune

    deleted = prune.run(sessionmaker(bind=get_engine()), get_settings())
    for name, rows in deleted.items():
        print(f"{name}: {'failed (see the log)' if rows < 0 else f'{rows} rows deleted'}")
    return 1 if any(rows < 0 for rows in deleted.values()) else 0


def add_commands(commands: "argparse._SubParsersAction[Any]") -> None:
    """The operator's subcommands, on the `talentbridge` parser's subcommands."""
    backup = commands.add_parser(
        "backup", help="write a consistent copy of the database while the service runs"
    )
    backup.add_argument("--to", required=True, help="the backup file to write")
    backup.add_argument(
        "--compress", type=int, default=1, choices=range(10), help="PostgreSQL: pg_dump's level"
    )
    backup.set_defaults(run=backup_command)
    restore = commands.add_parser(
        "restore", help="load a backup into an empty database (the service stopped)"
    )
    restore.add_argument("--from", dest="source", required=True, help="the backup file")
    restore.add_argument(
        "--force", action="store_true", help="replace the contents of a non-empty database"
    )
    restore.set_defaults(run=restore_command)
    commands.add_parser(
        "prune", help="run every cleanup now: change feed, finished jobs, old audit entries"
    ).set_defaults(run=prune_command)
