"""The talentbridge command."""

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.orm import sessionmaker

from talentbridge.config import get_settings


def _migrate(_: argparse.Namespace) -> int:
    from talentbridge import migrate

    migrate.upgrade(get_settings().database_url)
    print("database is at the newest schema")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from talentbridge import migrate
    from talentbridge.app import create_app
    from talentbridge.config import ConfigError
    from talentbridge.db import get_engine

    try:
        current = migrate.is_current(get_engine())
        app = create_app()
    except (SQLAlchemyError, ImportError) as exc:  # bad URL, absent driver, server down
        from talentbridge.ops.commands import safe_url

        print(f"cannot open the database ({safe_url()}): {_first_line(exc)}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 2
    if not current:
        print(
            "the database schema is not current: run `talentbridge migrate` first", file=sys.stderr
        )
        return 2
    settings = get_settings()
    from talentbridge import logs

    log_config = logs.dict_config(settings.log_level, settings.log_format)
    logs.configure(settings.log_level, settings.log_format)
    if args.workers > 1:
        # Each worker process builds its own app (model, match index, in-process embedding
        # worker) from the same settings; the change feed keeps their indexes equal.
        uvicorn.run(
            "talentbridge.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_keep_alive=settings.keep_alive_seconds,
            log_config=log_config,  # JSON lines; the app writes one access line per request
            access_log=False,
        )
    else:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            timeout_keep_alive=settings.keep_alive_seconds,
            log_config=log_config,  # JSON lines; the app writes one access line per request
            access_log=False,
        )
    return 0


def _worker(args: argparse.Namespace) -> int:
    import signal
    import threading

    from talentbridge import logs
    from talentbridge.db import get_engine
    from talentbridge.ingestion.worker import EmbeddingWorker
    from talentbridge.matching.toolkit import build_tools
    from talentbridge.ops import prune

    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)
    tools = build_tools(settings)
    worker = EmbeddingWorker(
        sessions=sessionmaker(bind=get_engine(), expire_on_commit=False),
        embedder=tools.embedder,
        normaliser=tools.normaliser,
        batch_size=args.batch_size or settings.worker_batch_size,
        lease_seconds=settings.worker_lease_seconds,
    )
    from talentbridge.app import build_matcher
    from talentbridge.notifications.worker import NotificationWorker
    from talentbridge.serving import new_matches

    matcher = build_matcher(tools, settings)  # loaded on the first look for new matches
    notifier = NotificationWorker(
        sessions=worker.sessions,
        settings=settings,
        steps=[new_matches.step(worker.sessions, lambda: matcher)],
    )
    if args.once:
        print(f"prepared {worker.drain()} records")
        from talentbridge.duplicates.checker import DuplicateChecker, model_for

        duplicates = DuplicateChecker(sessions=worker.sessions, model=model_for(settings))
        print(f"checked {duplicates.drain()} changes for duplicates")
        print(f"tried {notifier.run_once()} notification deliveries")
        return 0
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    from talentbridge.duplicates import checker

    checker.start(worker.sessions, settings, stop)  # each changed record against the others
    # The notification deliveries (webhooks, email) run beside it, in a thread.
    threading.Thread(target=notifier.run, args=(stop,), name="notifications", daemon=True).start()
    print(f"embedding worker {worker.name} waiting for work (Ctrl-C stops it)")
    sessions = sessionmaker(bind=get_engine(), expire_on_commit=False)
    cleanup = (settings.maintenance_interval_seconds, lambda: prune.run(sessions, settings))
    worker.run(stop, every=[cleanup])
    return 0


def _first_line(exc: Exception) -> str:
    inner = getattr(exc, "orig", None) or exc
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]


def _recount(_: argparse.Namespace) -> int:
    from talentbridge.db import session_scope
    from talentbridge.placements import tallies
    from talentbridge.reports import supply

    with session_scope() as session:
        wrong = tallies.recount(session)
        counted = supply.rebuild(session)
    print(f"recounted the report tallies from the placements: {wrong} cells corrected")
    print(f"recounted the demand report's supply: {counted} candidates")
    return 0


def _embed(args: argparse.Namespace) -> int:
    from talentbridge.serving.embed_all import embed_all

    settings = get_settings()
    counts = embed_all(settings, batch_size=args.batch_size)
    print(
        f"embedded {counts['candidates']} candidates and {counts['vacancies']} vacancies "
        f"with {settings.embedding_model}"
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from talentbridge.demo import run_demo

    run_demo(
        get_settings(),
        seed=args.seed,
        candidates=args.candidates,
        vacancies=args.vacancies,
        base_url=args.url,
        serving=args.serving,
    )
    return 0


def _eval(args: argparse.Namespace) -> int:
    from talentbridge.evaluation.command import main

    return main(args)


def _allocate(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from tqdm import tqdm

    from talentbridge.allocations import service
    from talentbridge.allocations.schemas import AllocationCreate, Scope
    from talentbridge.app import build_matcher
    from talentbridge.db import session_scope
    from talentbridge.matching.toolkit import build_tools

    try:
        body = AllocationCreate(sector=args.sector, state=args.state, prefecture=args.prefecture)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc'])) or 'input'}: {error['msg']}", file=sys.stderr)
        return 2
    settings = get_settings()
    tools = build_tools(settings)
    matcher = build_matcher(tools, settings)
    with session_scope() as session, tqdm(desc="scoring", unit="vacancy") as bar:
        plan = service.create_plan(
            session=session,
            matcher=matcher,
            normaliser=tools.normaliser,
            organisation=None,
            scope=Scope(**body.model_dump()),
            top_k=args.top_k,
            progress=bar.update,
        )
    print(service.summary_text(plan))
    return 0


BENCHMARKS = {
    "matching": "talentbridge.benchmarks.engine",
    "embed": "talentbridge.benchmarks.embed",
    "api": "talentbridge.benchmarks.api",
    "load": "talentbridge.benchmarks.load",
    "ingest": "talentbridge.benchmarks.ingest",
    "reports": "talentbridge.benchmarks.reports",
    "allocate": "talentbridge.benchmarks.allocate",
    "backup": "talentbridge.benchmarks.backup",
    "duplicates": "talentbridge.benchmarks.duplicates",
    "pages": "talentbridge.benchmarks.pages",
    "notifications": "talentbridge.benchmarks.notifications",
}


def _bench(args: argparse.Namespace) -> int:
    import importlib

    return int(importlib.import_module(BENCHMARKS[args.what]).main(args))


def _model_train(args: argparse.Namespace) -> int:
    from talentbridge.evaluation.train import main

    return main(args)


def _model_fit(args: argparse.Namespace) -> int:
    from talentbridge.evaluation.fit import main

    return main(args)


def _model_titles(args: argparse.Namespace) -> int:
    from talentbridge.evaluation.known import main

    return main(args)


def _model_export(args: argparse.Namespace) -> int:
    from talentbridge.matching.embedder import Embedder

    settings = get_settings()
    for backend in args.backends:
        embedder = Embedder(settings.embedding_model, backend=backend)
        embedder.encode(["warm-up"])  # loads the model, exporting it if the cache lacks it
        print(f"{backend}: ready in {settings.cache_dir} as {embedder.model_name}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="talentbridge", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="upgrade the database to the newest schema").set_defaults(
        run=_migrate
    )

    commands.add_parser(
        "recount",
        help="recount the report tallies from the placement rows (after loading placements "
        "outside the API, or moves made by a server still running the previous version) "
        "and the demand report's supply from the candidates",
    ).set_defaults(run=_recount)

    from talentbridge.ops.commands import add_commands

    add_commands(commands)  # backup, restore, prune

    serve = commands.add_parser("serve", help="run the API and dashboard")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes (PostgreSQL; SQLite: use 1)"
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker", help="compute vectors and occupations of uploaded records (any number, any host)"
    )
    worker.add_argument("--batch-size", type=int, default=None)
    worker.add_argument("--once", action="store_true", help="drain the queue, then stop")
    worker.set_defaults(run=_worker)

    from talentbridge.ops.people import add_commands as add_people

    add_people(commands)  # org create / revoke-keys / rotate-key, user create

    embed = commands.add_parser("embed", help="embed every record whose text or model changed")
    embed.add_argument("--batch-size", type=int, default=256)
    embed.set_defaults(run=_embed)

    demo = commands.add_parser("demo", help="fill the database with a believable programme")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument("--candidates", type=int, default=5000)
    demo.add_argument("--vacancies", type=int, default=400)
    demo.add_argument(
        "--url", default="http://127.0.0.1:8000", help="where the server is, for the links printed"
    )
    demo.add_argument(
        "--serving", action="store_true", help="the server is started next (as scripts/run does)"
    )
    demo.set_defaults(run=_demo)

    evaluate = commands.add_parser("eval", help="matching quality on the development set")
    evaluate.add_argument("--data", default=None, help="path to jobbert_titles_dev.csv")
    evaluate.add_argument("--limit", type=int, default=None, help="evaluate at most N titles")
    evaluate.add_argument(
        "--all", action="store_true", help="also the titles weights are fitted on"
    )
    evaluate.set_defaults(run=_eval)

    allocate = commands.add_parser(
        "allocate", help="plan who could be placed where today (most people, then best score)"
    )
    allocate.add_argument("--sector")
    allocate.add_argument("--state", help="candidates from this Indian state")
    allocate.add_argument("--prefecture", help="vacancies in this prefecture")
    allocate.add_argument("--top-k", type=int, default=50, help="candidates listed per vacancy")
    allocate.set_defaults(run=_allocate)

    bench = commands.add_parser("bench", help="performance benchmarks")
    bench.add_argument(
        "what",
        nargs="?",
        default="matching",
        choices=list(BENCHMARKS),
    )
    bench.add_argument("--candidates", type=int, default=100_000)
    bench.add_argument("--queries", type=int, default=200)
    bench.add_argument("--placements", type=int, default=1_000_000)
    bench.add_argument(
        "--embed-texts",
        type=int,
        default=None,
        help="texts to embed (matching: 256, 0 skips; embed: 1000)",
    )
    bench.add_argument("--repeats", type=int, default=3, help="interleaved rounds (embed)")
    bench.add_argument(
        "--backends", nargs="+", choices=["torch", "onnx", "onnx-int8"], help="(embed)"
    )

    bench.add_argument(
        "--pg",
        default="postgresql+psycopg://postgres@127.0.0.1:5432",
        help="PostgreSQL server for the HTTP benchmarks (no database name)",
    )
    bench.add_argument("--vacancies", type=int, default=500)
    bench.add_argument("--keep", action="store_true", help="keep the benchmark database")
    bench.add_argument("--only", default=None, help="bench pages: pages whose name has this")
    bench.add_argument("--baseline-repeats", type=int, default=5, help="bench pages: demand")
    bench.add_argument("--reuse", action="store_true", help="bench api: reuse a kept database")
    bench.add_argument(
        "--one-title", action="store_true", help="bench api: every record of one occupation"
    )
    bench.add_argument("--db-name", default=None, help="bench api/load: the database's name")
    bench.add_argument("--requests", type=int, default=1200, help="bench load: requests sent")
    bench.add_argument("--concurrency", type=int, default=0, help="bench load: 64 PG, 32 SQLite")
    bench.add_argument("--databases", default="postgresql,sqlite", help="bench load: which")
    bench.add_argument("--load-candidates", type=int, default=5000)
    bench.add_argument("--server-workers", type=int, default=0, help="0: 2 on PG, 1 on SQLite")
    bench.add_argument("--sqlite-dir", default="/tmp")
    bench.add_argument("--rows", type=int, default=2000, help="bench ingest: rows uploaded")
    bench.add_argument("--users", type=int, default=4, help="bench ingest: other users")
    bench.add_argument("--baseline-seconds", type=float, default=10.0)
    bench.add_argument("--plan-vacancies", type=int, default=5000, help="bench allocate")
    bench.add_argument("--openings", type=int, default=20_000, help="bench allocate")
    bench.add_argument("--top-k", type=int, default=50, help="bench allocate: edges per vacancy")
    bench.add_argument("--rate", type=float, default=1000, help="bench notifications: events/min")
    bench.add_argument("--seconds", type=float, default=120, help="bench notifications: per arm")
    bench.set_defaults(run=_bench)

    model = commands.add_parser("model", help="the embedding model and weights").add_subparsers(
        dest="model_command", required=True
    )
    export = model.add_parser(
        "export", help="export the packaged weights to ONNX in the cache dir (offline)"
    )
    export.add_argument(
        "--backends", nargs="+", default=["onnx", "onnx-int8"], choices=["onnx", "onnx-int8"]
    )
    export.set_defaults(run=_model_export)
    fit = model.add_parser(
        "fit", help="fit the component weights; written only if they beat today's on held data"
    )
    fit.add_argument("--data", default=None, help="path to jobbert_titles_dev.csv")
    fit.add_argument("--limit", type=int, default=None, help="fit on at most N titles")
    fit.add_argument("--outcomes", action="store_true", help="fit on placement outcomes")
    fit.add_argument("--out", default=None, help="where to write (models/match_weights.json)")
    fit.add_argument("--force", action="store_true", help="write even if not better")
    fit.set_defaults(run=_model_fit)
    train = model.add_parser(
        "train", help="fine-tune the base model on ESCO and development-split titles"
    )
    train.add_argument("--steps", type=int, default=400)
    train.add_argument("--learning-rate", type=float, default=3e-5)
    train.add_argument("--data", default=None, help="path to jobbert_titles_dev.csv")
    train.add_argument("--esco", default=None, help="path to ESCO occupations_en.csv")
    train.add_argument("--out", default=None, help="where to write (models/<shipped model>)")
    train.set_defaults(run=_model_train)
    titles = model.add_parser(
        "titles", help="the real vacancy titles the normaliser knows, from the fitting titles"
    )
    titles.add_argument("--data", default=None, help="path to jobbert_titles_dev.csv")
    titles.add_argument("--out", default=None, help="where to write (models/known_titles.json)")
    titles.set_defaults(run=_model_titles)
    from talentbridge.evaluation.duplicates import add_commands

    add_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
