"""Synthetic programmes for the HTTP benchmarks: fast bulk loads and a server in a subprocess.

Candidates and vacancies get plausible features (an ESCO occupation of their sector, its
skills, tests, levels, consent) and random unit vectors: ranking costs the same whatever
the vectors say, and a million real embeddings would take hours on two cores.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import Engine, create_engine, delete, insert, text
from sqlalchemy.orm import Session

from talentbridge import migrate, reference
from talentbridge.candidates.models import Candidate
from talentbridge.config import get_settings
from talentbridge.matching.titles import TitleVector, title_digest
from talentbridge.organisations import service as organisations
from talentbridge.organisations.schemas import OrganisationCreate
from talentbridge.reference import esco_occupations
from talentbridge.vacancies.models import Vacancy

DIMENSION = 384
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef0123"
CANDIDATE_COLUMNS = (  # noqa: SIM905 (a line of names reads better)
    "institute_id external_id full_name date_of_birth state sector job_title skills "
    "experience_years japanese_level jft_basic_passed skill_test_passed "
    "care_language_test_passed summary preferred_prefectures available_from consent_to_share "
    "created_at updated_at embedding embedding_model embedding_hash occupation_uri "
    "occupation_label isco_group"
).split()


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def fresh_url(backend: str, name: str, *, pg: str, sqlite_dir: str) -> str:
    """A new, migrated database for a benchmark: on PostgreSQL or as a SQLite file."""
    if backend == "postgresql":
        return fresh_database(pg, name)
    path = Path(sqlite_dir) / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    return url


def fresh_database(server: str, name: str) -> str:
    """Drop and create database `name` on a PostgreSQL server URL; return its URL, migrated."""
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{server}/{name}"
    migrate.upgrade(url)
    return url


@dataclass
class Programme:
    """What a benchmark seeded, and the keys to use it."""

    keys: dict[str, list[str]] = field(default_factory=dict)
    vacancy_ids: list[int] = field(default_factory=list)
    candidate_ids: list[int] = field(default_factory=list)
    vacancy_employer: dict[int, int] = field(default_factory=dict)  # vacancy id -> key index
    candidate_institute: dict[int, int] = field(default_factory=dict)


def organisations_with_keys(
    engine: Engine, institutes: int, employers: int, programme: Programme
) -> tuple[list[int], list[int]]:
    r = random.Random(7)
    ids: dict[str, list[int]] = {"institute": [], "employer": [], "officer": []}
    with Session(engine) as session, session.begin():
        for kind, count in (("institute", institutes), ("employer", employers), ("officer", 1)):
            for i in range(count):
                place = (
                    {"state": r.choice(reference.STATES)}
                    if kind == "institute"
                    else {"prefecture": r.choice(reference.PREFECTURES)}
                    if kind == "employer"
                    else {}
                )
                body = OrganisationCreate(kind=kind, name=f"bench {kind} {i}", **place)
                organisation, key = organisations.create(session=session, organisation_in=body)
                ids[kind].append(organisation.id)
                programme.keys.setdefault(kind, []).append(key)
    return ids["institute"], ids["employer"]


def _occupations(label: str | None) -> list[Any]:
    """ESCO's occupations, or only the one with this label (every record alike)."""
    occupations = esco_occupations()
    return [o for o in occupations if o.label == label] if label else list(occupations)


def _candidate_rows(
    n: int, institute_ids: list[int], model: str, seed: int, occupation: str | None = None
) -> Iterator[tuple[Any, ...]]:
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    occupations = _occupations(occupation)
    now = time.strftime("%Y-%m-%d %H:%M:%S+00")
    batch = 10_000
    for start in range(0, n, batch):
        vectors = unit_vectors(rng, min(batch, n - start))
        for i, vector in enumerate(vectors):
            occ = occupations[r.randrange(len(occupations))]
            level = r.choice(("N5", "N4", "N4", "N4", "N3", "N3", "N2"))
            yield (
                r.choice(institute_ids),
                f"S{start + i}",
                "Synthetic Person",
                date(r.randint(1975, 2006), r.randint(1, 12), r.randint(1, 28)),
                r.choice(reference.STATES),
                occ.sector,
                occ.label,
                json.dumps(list(occ.essential_skills[:5])),
                round(r.uniform(0, 10), 1),
                level,
                r.random() < 0.3,
                r.random() < 0.8,
                r.random() < 0.7,
                None,
                json.dumps(r.sample(reference.PREFECTURES, r.choice((0, 0, 1, 2)))),
                None,
                r.random() < 0.95,
                now,
                now,
                vector.tobytes(),
                model,
                None,
                occ.uri,
                occ.label,
                occ.isco_group,
            )


def copy_candidates(
    url: str,
    n: int,
    institute_ids: list[int],
    model: str,
    seed: int = 1,
    occupation: str | None = None,
) -> None:
    """n candidates through PostgreSQL's COPY (about a minute per million here); all of one
    occupation (its label as their title) if one is named."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        with connection.cursor() as cursor:
            columns = ", ".join(CANDIDATE_COLUMNS)
            with cursor.copy(f"COPY candidates ({columns}) FROM STDIN") as copy:
                for row in _candidate_rows(n, institute_ids, model, seed, occupation):
                    copy.write_row(row)
        connection.commit()


def insert_candidates(engine: Engine, n: int, institute_ids: list[int], model: str) -> None:
    """n candidates with plain multi-row INSERTs (SQLite)."""
    rows = _candidate_rows(n, institute_ids, model, 1)
    with engine.begin() as connection:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            values = dict(zip(CANDIDATE_COLUMNS, row, strict=True))
            for name in ("skills", "preferred_prefectures"):
                values[name] = json.loads(values[name])
            for name in ("created_at", "updated_at"):
                values.pop(name)
            chunk.append(values)
            if len(chunk) == 5_000:
                connection.execute(insert(Candidate), chunk)
                chunk = []
        if chunk:
            connection.execute(insert(Candidate), chunk)


def add_title_vectors(connection: Any, model: str) -> None:
    """A vector for every title the seeded records carry (the ESCO labels), as the worker
    would have stored them, so ranking pays for the title components too."""
    labels = sorted({o.label for o in esco_occupations()})
    vectors = unit_vectors(np.random.default_rng(13), len(labels))
    connection.execute(delete(TitleVector).where(TitleVector.model == model))
    connection.execute(
        insert(TitleVector),
        [
            {"model": model, "digest": title_digest(label), "vector": vector.tobytes()}
            for label, vector in zip(labels, vectors, strict=True)
        ],
    )


def add_vacancies(
    engine: Engine,
    n: int,
    employer_ids: list[int],
    model: str,
    programme: Programme,
    occupation: str | None = None,
) -> None:
    r = random.Random(11)
    occupations = _occupations(occupation)
    vectors = unit_vectors(np.random.default_rng(11), n)
    rows = []
    for i in range(n):
        occ = occupations[r.randrange(len(occupations))]
        employer = r.randrange(len(employer_ids))
        rows.append(
            {
                "employer_id": employer_ids[employer],
                "title": occ.label,
                "sector": occ.sector,
                "prefecture": r.choice(reference.PREFECTURES),
                "openings": r.randint(1, 8),
                "placed_count": 0,
                "required_skills": list(occ.essential_skills[:4]),
                "min_japanese_level": "N4",
                "requires_skill_test": True,
                "min_experience_years": r.choice((0, 1, 2)),
                "start_date": date(2027, r.randint(1, 12), 1),
                "status": "open",
                "embedding": vectors[i].tobytes(),
                "embedding_model": model,
                "occupation_uri": occ.uri,
                "occupation_label": occ.label,
                "isco_group": occ.isco_group,
            }
        )
    with engine.begin() as connection:
        add_title_vectors(connection, model)
        result = connection.execute(
            insert(Vacancy).returning(Vacancy.id, Vacancy.employer_id), rows
        )
        by_org = {org: index for index, org in enumerate(employer_ids)}
        for vacancy_id, employer_id in result:
            programme.vacancy_ids.append(vacancy_id)
            programme.vacancy_employer[vacancy_id] = by_org[employer_id]


def candidate_owners(
    engine: Engine, institute_ids: list[int], programme: Programme, n: int
) -> None:
    """A sample of candidate ids and the key index of their institute."""
    by_org = {org: index for index, org in enumerate(institute_ids)}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, institute_id FROM candidates ORDER BY id LIMIT :n"), {"n": n}
        ).all()
    for candidate_id, institute_id in rows:
        programme.candidate_ids.append(candidate_id)
        programme.candidate_institute[candidate_id] = by_org[institute_id]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`talentbridge serve` in a subprocess, as users meet it."""

    def __init__(self, url: str, *, workers: int = 1, **settings: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TALENTBRIDGE_DATABASE_URL": url,
            "TALENTBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
            **{f"TALENTBRIDGE_{k.upper()}": v for k, v in settings.items()},
        }
        command = [
            sys.executable,
            "-m",
            "talentbridge.cli",
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"talentbridge-bench-{self.port}.log"
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.ready_after = self._wait()

    def _wait(self, timeout: float = 600) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not become healthy; see {self.log}")

    def rss_bytes(self) -> list[int]:
        """Resident memory of each server process (the parent and any worker processes)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        sizes = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) * 1024)
        return sizes

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples_ms, 50)), float(np.percentile(samples_ms, 95))


def embedding_model() -> str:
    """The name the server's embedder stores with vectors (its backend's, e.g. '+int8')."""
    from talentbridge.matching.embedder import Embedder

    settings = get_settings()
    return Embedder(settings.embedding_model, backend=settings.embedding_backend).model_name
