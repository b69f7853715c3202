"""`talentbridge bench load`: many users at once, through HTTP, on PostgreSQL and on SQLite.

A seeded programme (institutes, employers, an officer, candidates with vectors, vacancies)
behind `talentbridge serve` in a subprocess, then a fixed number of mixed requests at a
fixed concurrency: match lists both ways, shortlistings, lists, the progress report, and
creates each followed at once by a read of what was created. Reports throughput, p50/p95
per kind, 4xx answers (a shortlisting may rightly be refused), 5xx answers or transport
errors (there should be none), and acknowledged writes that could not be read back.
"""

import argparse
import asyncio
import random
import time
from collections import defaultdict
from typing import Any

import httpx
from sqlalchemy import create_engine

from talentbridge.benchmarks.seed import (
    Programme,
    Server,
    add_vacancies,
    candidate_owners,
    copy_candidates,
    embedding_model,
    fresh_url,
    insert_candidates,
    organisations_with_keys,
    percentiles,
)

MIX = (
    ("vacancy matches", 25),
    ("candidate matches", 10),
    ("shortlist", 15),
    ("list", 20),
    ("report", 10),
    ("create + read", 20),
)


def seed(url: str, backend: str, candidates: int, vacancies: int) -> Programme:
    engine = create_engine(url)
    programme = Programme()
    institutes, employers = organisations_with_keys(engine, 10, 20, programme)
    if backend == "postgresql":
        copy_candidates(url, candidates, institutes, embedding_model())
    else:
        insert_candidates(engine, candidates, institutes, embedding_model())
    add_vacancies(engine, vacancies, employers, embedding_model(), programme)
    candidate_owners(engine, institutes, programme, candidates)
    engine.dispose()
    return programme


class Mix:
    """Draws requests of each kind as the seeded organisations would make them."""

    def __init__(self, programme: Programme, seed: int = 3) -> None:
        self.p = programme
        self.r = random.Random(seed)
        self.serial = 0

    def _auth(self, kind: str, index: int | None = None) -> dict[str, str]:
        keys = self.p.keys[kind]
        key = keys[index] if index is not None else self.r.choice(keys)
        return {"Authorization": f"Bearer {key}"}

    def _vacancy(self) -> tuple[int, dict[str, str]]:
        vacancy_id = self.r.choice(self.p.vacancy_ids)
        return vacancy_id, self._auth("employer", self.p.vacancy_employer[vacancy_id])

    def _candidate(self) -> tuple[int, dict[str, str]]:
        candidate_id = self.r.choice(self.p.candidate_ids)
        return candidate_id, self._auth("institute", self.p.candidate_institute[candidate_id])

    def draw(self) -> tuple[str, list[tuple[str, str, dict[str, str], Any]]]:
        kind = self.r.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        self.serial += 1
        if kind == "vacancy matches":
            vacancy_id, auth = self._vacancy()
            return kind, [("GET", f"/api/v1/vacancies/{vacancy_id}/matches", auth, None)]
        if kind == "candidate matches":
            candidate_id, auth = self._candidate()
            return kind, [("GET", f"/api/v1/candidates/{candidate_id}/matches", auth, None)]
        if kind == "shortlist":
            vacancy_id, auth = self._vacancy()
            body: dict[str, Any] = {
                "vacancy_id": vacancy_id,
                "candidate_id": self.r.choice(self.p.candidate_ids),
            }
            return kind, [("POST", "/api/v1/placements", auth, body)]
        if kind == "list":
            path, who = self.r.choice(
                [
                    ("/api/v1/candidates?limit=50", "institute"),
                    ("/api/v1/vacancies?limit=50", "employer"),
                    ("/api/v1/placements?limit=50", "employer"),
                ]
            )
            return kind, [("GET", path, self._auth(who), None)]
        if kind == "report":
            return kind, [("GET", "/api/v1/reports/progress", self._auth("officer"), None)]
        if self.r.random() < 0.5:
            body = {
                "external_id": f"LOAD-{time.time_ns()}-{self.serial}",
                "full_name": "Load Test",
                "date_of_birth": "1997-03-01",
                "sector": "construction",
                "job_title": "scaffolder",
                "skills": ["erect scaffolding"],
                "japanese_level": "N4",
                "skill_test_passed": True,
                "consent_to_share": True,
            }
            return kind, [("POST", "/api/v1/candidates", self._auth("institute"), body)]
        body = {"title": "scaffolder", "sector": "construction", "openings": 2}
        return kind, [("POST", "/api/v1/vacancies", self._auth("employer"), body)]


async def _run(base: str, mix: Mix, requests: int, concurrency: int) -> dict[str, Any]:
    timings: dict[str, list[float]] = defaultdict(list)
    counts = {"4xx": 0, "5xx": 0, "shed": 0, "transport": 0, "unreadable": 0}
    shed: list[float] = []  # how long a refused request took to hear it
    plan = [mix.draw() for _ in range(requests)]
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def user() -> None:
            while not queue.empty():
                kind, steps = queue.get_nowait()
                for method, path, headers, body in steps:
                    started = time.perf_counter()
                    try:
                        response = await client.request(method, path, headers=headers, json=body)
                    except httpx.HTTPError:
                        counts["transport"] += 1
                        continue
                    took = (time.perf_counter() - started) * 1000
                    if response.status_code == 503 and "retry-after" in response.headers:
                        counts["shed"] += 1  # bounded admission: told to come back
                        shed.append(took)
                        continue
                    timings[kind].append(took)
                    if response.status_code >= 500:
                        counts["5xx"] += 1
                    elif response.status_code >= 400:
                        counts["4xx"] += 1
                    elif kind == "create + read":
                        try:
                            read = await client.get(
                                f"{path}/{response.json()['id']}", headers=headers
                            )
                        except httpx.HTTPError:
                            counts["transport"] += 1
                            continue
                        if read.status_code == 503 and "retry-after" in read.headers:
                            counts["shed"] += 1  # told to come back, not lost
                        elif read.status_code != 200:
                            counts["unreadable"] += 1

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "timings": timings,
        "counts": counts,
        "elapsed": elapsed,
        "requests": requests,
        "shed": shed,
    }


def report(backend: str, concurrency: int, result: dict[str, Any]) -> None:
    everything = [t for samples in result["timings"].values() for t in samples]
    p50, p95 = percentiles(everything)
    counts = result["counts"]
    print(f"\n{backend}: {result['requests']} mixed requests at concurrency {concurrency}\n")
    print("| kind | requests | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    for kind, _ in MIX:
        samples = result["timings"].get(kind, [])
        if samples:
            a, b = percentiles(samples)
            print(f"| {kind} | {len(samples)} | {a:.0f} | {b:.0f} |")
    print(f"| **all** | {len(everything)} | {p50:.0f} | {p95:.0f} |")
    shed = result["shed"]
    if shed:
        a, b = percentiles(shed)
        print(f"| shed: 503 with Retry-After | {len(shed)} | {a:.0f} | {b:.0f} |")
    print(
        f"\nthroughput {result['requests'] / result['elapsed']:.1f} requests/s "
        f"({len(everything) / result['elapsed']:.1f} answered/s); "
        f"shed {counts['shed']}, other 5xx {counts['5xx']}, "
        f"transport errors {counts['transport']}, "
        f"4xx {counts['4xx']} (refused shortlistings), "
        f"acknowledged writes not readable at once {counts['unreadable']}"
    )


def main(args: argparse.Namespace) -> int:
    failures = 0
    for backend in args.databases.split(","):
        concurrency = args.concurrency or (64 if backend == "postgresql" else 32)
        name = args.db_name or "tb_bench_load"
        url = fresh_url(backend, name, pg=args.pg, sqlite_dir=args.sqlite_dir)
        programme = seed(url, backend, args.load_candidates, args.vacancies)
        workers = args.server_workers or (2 if backend == "postgresql" else 1)
        server = Server(url, workers=workers, inprocess_worker="false")
        try:
            result = asyncio.run(_run(server.base, Mix(programme), args.requests, concurrency))
        finally:
            server.stop()
        print(f"({workers} server process{'es' if workers > 1 else ''})", end="")
        report(backend, concurrency, result)
        counts = result["counts"]
        failures += counts["5xx"] + counts["transport"] + counts["unreadable"]
    return 1 if failures else 0
