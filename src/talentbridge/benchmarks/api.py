"""`talentbridge bench api`: match requests through HTTP at the programme's size, on PostgreSQL.

Seeds N candidates (COPY) and a few hundred vacancies into a fresh database, starts
`talentbridge serve` in a subprocess and reports:
- cold start: process start until /health answers (model, index loaded in batches);
- warm p50/p95 of `GET /vacancies/{id}/matches` (top 20, gates, reasons, audit), one
  client on keep-alive, against NumPy brute force (M @ q, argpartition top 20) over the
  very same vectors read back from the database, in this process;
- resident memory of the server process against the raw vectors (N x 384 float32).
"""

import argparse
import random
import time

import httpx
import numpy as np
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from talentbridge.benchmarks.seed import (
    DIMENSION,
    Programme,
    Server,
    add_vacancies,
    copy_candidates,
    embedding_model,
    fresh_database,
    organisations_with_keys,
    percentiles,
)
from talentbridge.organisations import service as organisations
from talentbridge.organisations.models import Organisation
from talentbridge.vacancies.models import Vacancy

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
# --one-title: every candidate and vacancy has this ESCO occupation (label, sector, skills),
# as when an institute uploads thousands of care workers: ranking must not cost more for ties.
ONE_TITLE = "care home worker"


def brute_force(matrix: np.ndarray, query: np.ndarray, k: int = 20) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(scores, -k)[-k:]
    return top[np.argsort(-scores[top])]


def _vectors(url: str, table: str, ids: list[int] | None = None) -> np.ndarray:
    engine = create_engine(url)
    with engine.connect() as connection:
        query = f"SELECT embedding FROM {table} ORDER BY id"
        blobs = [bytes(row[0]) for row in connection.execute(text(query))]
    engine.dispose()
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(-1, DIMENSION)


def _brute_force_times(
    matrix: np.ndarray, queries: list[np.ndarray], *, threads: int | None
) -> list[float]:
    """Milliseconds per top-20 scan, after 20 warm-up scans."""
    times = []
    with threadpool_limits(limits=threads, user_api="blas"):
        for i, query in enumerate(queries):
            t0 = time.perf_counter()
            brute_force(matrix, query)
            if i >= 20:
                times.append((time.perf_counter() - t0) * 1000)
    return times


def _exists(server: str, name: str) -> bool:
    admin = create_engine(f"{server}/postgres")
    with admin.connect() as connection:
        found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    admin.dispose()
    return bool(found)


def reuse(url: str, programme: Programme) -> None:
    """A database seeded by an earlier run: fresh keys for its employers."""
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        employers = session.scalars(
            select(Organisation).where(Organisation.kind == "employer").order_by(Organisation.id)
        ).all()
        for employer in employers:
            programme.keys.setdefault("employer", []).append(
                organisations.issue_key(session=session, organisation=employer)
            )
        by_org = {employer.id: index for index, employer in enumerate(employers)}
        for vacancy_id, employer_id in session.execute(select(Vacancy.id, Vacancy.employer_id)):
            programme.vacancy_ids.append(vacancy_id)
            programme.vacancy_employer[vacancy_id] = by_org[employer_id]
    engine.dispose()


def main(args: argparse.Namespace) -> int:
    n, queries = args.candidates, args.queries
    name = args.db_name or f"tb_bench_api_{n}" + ("_one_title" if args.one_title else "")
    url = f"{args.pg}/{name}"
    programme = Programme()
    if args.reuse and _exists(args.pg, name):
        reuse(url, programme)
        print(f"reusing {name}")
    else:
        url = fresh_database(args.pg, name)
        engine = create_engine(url)
        institutes, employers = organisations_with_keys(engine, 20, 40, programme)
        started = time.perf_counter()
        one = ONE_TITLE if args.one_title else None
        copy_candidates(url, n, institutes, embedding_model(), occupation=one)
        add_vacancies(engine, args.vacancies, employers, embedding_model(), programme, one)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
        print(
            f"seeded {n:,} candidates and {args.vacancies} vacancies in "
            f"{time.perf_counter() - started:.0f} s"
        )

    server = Server(url, inprocess_worker="false")
    try:
        cold = server.ready_after
        r = random.Random(5)
        picks = [r.choice(programme.vacancy_ids) for _ in range(queries + 20)]
        keys = programme.keys["employer"]
        samples = []
        sizes = []
        with httpx.Client(base_url=server.base, timeout=120) as client:
            for i, vacancy_id in enumerate(picks):
                headers = {
                    "Authorization": f"Bearer {keys[programme.vacancy_employer[vacancy_id]]}"
                }
                t0 = time.perf_counter()
                response = client.get(
                    f"/api/v1/vacancies/{vacancy_id}/matches?limit=20", headers=headers
                )
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"match answered {response.status_code}: {response.text}")
                if i >= 20:  # the first 20 warm the caches
                    samples.append(elapsed)
                    sizes.append(len(response.json()["items"]))
        rss = server.rss_bytes()
    finally:
        server.stop()

    matrix = _vectors(url, "candidates")
    vacancy_vectors = _vectors(url, "vacancies")
    index_of = {vid: i for i, vid in enumerate(sorted(programme.vacancy_ids))}
    queries_vectors = [vacancy_vectors[index_of[v]] for v in picks]
    base = _brute_force_times(matrix, queries_vectors, threads=1)  # as the server runs it
    base_all_cores = _brute_force_times(matrix, queries_vectors, threads=None)

    api, brute, brute_all = percentiles(samples), percentiles(base), percentiles(base_all_cores)
    raw = n * DIMENSION * 4
    titles = f"all titled {ONE_TITLE!r}, as the vacancies" if args.one_title else "varied titles"
    print(f"\n{n:,} candidates ({titles}) on PostgreSQL, {queries} match requests (top 20)\n")
    print("| what | p50 ms | p95 ms |")
    print("|---|---|---|")
    print(f"| API: GET /vacancies/{{id}}/matches | {api[0]:.1f} | {api[1]:.1f} |")
    print(f"| baseline: NumPy brute force, one BLAS thread | {brute[0]:.1f} | {brute[1]:.1f} |")
    print(f"| baseline: NumPy brute force, every core | {brute_all[0]:.1f} | {brute_all[1]:.1f} |")
    print(
        f"\nwarm p95 API / brute force: {api[1] / brute[1]:.2f}x one thread (as the server "
        f"computes it), {api[1] / brute_all[1]:.2f}x every core"
    )
    print(f"cold start (process start to healthy, index loaded): {cold:.1f} s")
    print(
        "resident memory per server process: "
        + ", ".join(f"{b / 2**30:.2f} GiB" for b in rss)
        + f" for {raw / 2**30:.2f} GiB of raw vectors ({max(rss) / raw:.2f}x)"
    )
    print(f"matches per answer: min {min(sizes)}, max {max(sizes)}")
    if not args.keep:
        admin = create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0
