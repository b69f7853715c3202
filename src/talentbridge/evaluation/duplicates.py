"""`talentbridge duplicates scan` (a full pass, with a progress bar) and
`talentbridge duplicates fit` (the linkage parameters, estimated by Splink from the
programme's records or a generated set, measured on a held-out generated set before they
are written)."""

import argparse
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from tqdm import tqdm

from talentbridge import models_registry  # noqa: F401  (every table, for the foreign keys)
from talentbridge.config import get_settings
from talentbridge.db import session_scope
from talentbridge.duplicates import checker, linking
from talentbridge.duplicates import model as linkage
from talentbridge.duplicates.compare import Record
from talentbridge.duplicates.models import DuplicateCheck


def scan(args: argparse.Namespace) -> int:
    settings = get_settings()
    model = checker.model_for(settings)

    def bar(chunks: Iterable[int], total: int) -> Iterable[int]:
        shown: Iterable[int] = tqdm(chunks, total=total, unit="chunk", desc="comparing")
        return shown

    with session_scope() as session:
        queued = session.scalar(select(func.max(DuplicateCheck.id)))
        found = linking.scan(session, model, progress=bar, processes=args.processes)
        if queued is not None:  # checked now: records queued before the scan began
            session.execute(delete(DuplicateCheck).where(DuplicateCheck.id <= queued))
    print(
        f"{found['records']} records, {found['compared']} pairs compared, "
        f"{found['listed']} listed above {model.threshold} ({found['new']} new)"
    )
    return 0


def fit(args: argparse.Namespace) -> int:
    # Splink (DuckDB and Arrow, tens of MB resident) is imported for the fit alone: every
    # command builds this parser, `talentbridge serve` included.
    from talentbridge.benchmarks.duplicates import evaluate
    from talentbridge.benchmarks.duplicates_synth import Generator
    from talentbridge.duplicates import training

    if args.synthetic:
        rows: list[Any] = [r.row for r in Generator(args.seed).generate(args.synthetic)]
        source = f"synthetic: {args.synthetic} records, generator seed {args.seed}"
    else:
        with session_scope() as session:
            rows = list(session.execute(select(*linking.COLUMNS)))
        source = f"the programme's records ({len(rows)})"
    fitted = training.fit([Record.of(r) for r in rows], source=source, seed=args.fit_seed)
    print(f"fitted by {fitted.fitted_on['library']}")
    current = linkage.LinkageModel.load(args.out and Path(args.out))
    fitted.threshold = args.threshold or current.threshold
    before, after = evaluate(current, args.held_out), evaluate(fitted, args.held_out)
    fitted.fitted_on["held_out"] = after
    print(f"today's parameters on the held-out set: {before}")
    print(f"fitted parameters on the held-out set:  {after}")
    better = after["f1"] >= before["f1"] and after["precision"] >= 0.95
    if not (better or args.force):
        print("not written: no better on the held-out set (--force writes anyway)")
        return 1
    out = Path(args.out) if args.out else linkage.MODEL_FILE
    fitted.save(out)
    print(f"written to {out}")
    return 0


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    group = commands.add_parser("duplicates", help="records that may be one person").add_subparsers(
        dest="duplicates_command", required=True
    )
    scanning = group.add_parser("scan", help="compare every record with those blocked with it")
    scanning.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="comparing processes"
    )
    scanning.set_defaults(run=scan)
    fitting = group.add_parser("fit", help="fit the linkage parameters (m, u, lambda)")
    fitting.add_argument("--synthetic", type=int, default=0, help="fit on N generated records")
    fitting.add_argument("--seed", type=int, default=1, help="the generator's seed")
    fitting.add_argument("--fit-seed", type=int, default=7, help="Splink's sampling seed")
    fitting.add_argument("--held-out", type=int, default=20_000, help="generated records judged")
    fitting.add_argument("--threshold", type=float, default=None)
    fitting.add_argument("--out", default=None, help="where to write (models/duplicates.json)")
    fitting.add_argument("--force", action="store_true", help="write even if not better")
    fitting.set_defaults(run=fit)
