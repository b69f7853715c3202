"""`talentbridge bench pages`: each page's p50/p95 over HTTP, signed in as a person, with N
candidates on PostgreSQL (TALENTBRIDGE_BENCH_PG / --pg).

Seeds a fresh database (COPY), adds a person to an employer and to the officers, starts
`talentbridge serve` in a subprocess (the real model and index), signs in through the
login form and times GET of every page in PAGES, after 5 warm-up requests each.
"""

import argparse
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from talentbridge.accounts import service as accounts
from talentbridge.accounts.schemas import UserCreate
from talentbridge.benchmarks.seed import (
    Programme,
    Server,
    add_vacancies,
    copy_candidates,
    embedding_model,
    fresh_database,
    organisations_with_keys,
    percentiles,
)
from talentbridge.organisations.models import Organisation
from talentbridge.vacancies.models import Vacancy

PASSWORD = "bench-password-1234"


@dataclass
class Seeded:
    """What a page's path may name: the signed-in employer's first vacancy."""

    vacancy_id: int = 0
    people: dict[str, str] = field(default_factory=dict)  # kind -> email


# (name, who signs in, path builder). Each engineer's pages in their own block.
PAGES: list[tuple[str, str, Callable[[Seeded], str]]] = []

# --- employer and officer pages (branch employer) ---
PAGES += [
    ("employer: vacancies", "employer", lambda s: "/app/vacancies"),
    ("employer: post a vacancy", "employer", lambda s: "/app/vacancies/new"),
    (
        "employer: vacancy, ranked candidates",
        "employer",
        lambda s: f"/app/vacancies/{s.vacancy_id}",
    ),
    (
        "employer: vacancy, ranked (ja)",
        "employer",
        lambda s: f"/app/vacancies/{s.vacancy_id}?lang=ja",
    ),
    ("employer: pipeline board", "employer", lambda s: "/app/placements"),
    ("employer: hires", "employer", lambda s: "/app/hires"),
    ("officer: demand", "officer", lambda s: "/app/demand"),
    ("officer: allocation plans", "officer", lambda s: "/app/plans"),
    ("officer: gate overrides", "officer", lambda s: "/app/overrides"),
]
# --- end employer block ---


def _seed(url: str, n: int, vacancies: int) -> Seeded:
    engine = create_engine(url)
    programme = Programme()
    institutes, employers = organisations_with_keys(engine, 20, 40, programme)
    copy_candidates(url, n, institutes, embedding_model())
    add_vacancies(engine, vacancies, employers, embedding_model(), programme)
    seeded = Seeded()
    with Session(engine) as session, session.begin():
        for kind in ("employer", "officer"):
            organisation = session.scalars(
                select(Organisation).where(Organisation.kind == kind).order_by(Organisation.id)
            ).first()
            assert organisation is not None
            email = f"{kind}-{uuid.uuid4().hex[:6]}@bench.example"
            accounts.create(
                session=session,
                organisation=organisation,
                user_in=UserCreate(
                    email=email, name=f"Bench {kind}", role="admin", password=PASSWORD
                ),
            )
            seeded.people[kind] = email
            if kind == "employer":
                seeded.vacancy_id = (
                    session.scalar(
                        select(Vacancy.id).where(Vacancy.employer_id == organisation.id).limit(1)
                    )
                    or 0
                )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return seeded


def _signed_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    form = client.get("/app/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/app/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code in (200, 303), answer.status_code
    return client


def main(args: argparse.Namespace) -> int:
    n = args.candidates
    url = fresh_database(args.pg, f"tb_bench_pages_emp_{n}")
    started = time.perf_counter()
    seeded = _seed(url, n, args.vacancies)
    print(
        f"seeded {n:,} candidates, {args.vacancies} vacancies "
        f"in {time.perf_counter() - started:.0f} s"
    )
    server = Server(url, inprocess_worker="false")
    try:
        clients = {kind: _signed_in(server.base, email) for kind, email in seeded.people.items()}
        print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8}")
        for name, kind, path_of in PAGES:
            if kind not in clients:
                continue
            path = path_of(seeded)
            samples = []
            for i in range(args.queries + 5):
                t0 = time.perf_counter()
                answer = clients[kind].get(path)
                elapsed = (time.perf_counter() - t0) * 1000
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} answered {answer.status_code}")
                if i >= 5:
                    samples.append(elapsed)
            p50, p95 = percentiles(samples)
            print(f"{name:40} {p50:8.1f} {p95:8.1f}")
    finally:
        server.stop()
    return 0
