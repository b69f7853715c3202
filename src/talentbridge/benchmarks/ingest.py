"""`talentbridge bench ingest`: a big upload while other people use the service.

A seeded programme behind `talentbridge serve` (with its in-process embedding worker),
a few users making ordinary requests the whole time (match lists, lists, the reference
data), first alone for a baseline, then while an institute uploads N rows in one request
and the workers embed them. Reports the upload's answer time, how long until every row is
matchable (its job finished), rows embedded per second, and the other users' p50/p95 in
each phase beside the baseline.
"""

import argparse
import random
import threading
import time
from typing import Any

import httpx
from sqlalchemy import create_engine

from talentbridge.benchmarks.load import seed
from talentbridge.benchmarks.seed import Programme, Server, fresh_url, percentiles
from talentbridge.reference import esco_occupations

PHASES = ("storing the upload", "embedding the upload")
SUMMARIES = (
    "Two years at a hospital in {city}; night shifts, patient transfers and meal help.",
    "Trained at an ITI in {city}; welding, grinding and reading drawings.",
    "Worked on family farms near {city}: sowing, harvesting, tending cattle.",
    "Site helper in {city} for three years: formwork, rebar tying, scaffolding.",
)
CITIES = ("Lucknow", "Surat", "Vijayawada", "Madurai", "Kochi", "Pune", "Jaipur", "Patna")


def upload_rows(count: int, seed: int = 21) -> list[dict[str, Any]]:
    r = random.Random(seed)
    occupations = esco_occupations()
    rows = []
    for i in range(count):
        occ = occupations[r.randrange(len(occupations))]
        rows.append(
            {
                "external_id": f"UP-{seed}-{i}",
                "full_name": f"Uploaded Person {i}",
                "date_of_birth": f"{r.randint(1980, 2005)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}",
                "sector": occ.sector,
                "job_title": r.choice((occ.label, *occ.alt_labels[:3])),
                "skills": list(r.sample(occ.essential_skills, min(4, len(occ.essential_skills)))),
                "experience_years": r.randint(0, 9),
                "japanese_level": r.choice(("N5", "N4", "N3")),
                "skill_test_passed": r.random() < 0.8,
                "care_language_test_passed": r.random() < 0.5,
                "summary": r.choice(SUMMARIES).format(city=r.choice(CITIES)),
                "consent_to_share": True,
            }
        )
    return rows


class Users:
    """A few people making ordinary requests in a loop; samples tagged with the phase."""

    def __init__(self, base: str, programme: Programme, users: int) -> None:
        self.base = base
        self.programme = programme
        self.phase = "baseline"
        self.samples: dict[str, list[float]] = {}
        self.errors = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(users)]

    def _loop(self, seed: int) -> None:
        r = random.Random(seed)
        p = self.programme
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                choice = r.random()
                if choice < 0.6:
                    vacancy_id = r.choice(p.vacancy_ids)
                    key = p.keys["employer"][p.vacancy_employer[vacancy_id]]
                    path = f"/api/v1/vacancies/{vacancy_id}/matches"
                elif choice < 0.9:
                    key, path = r.choice(p.keys["employer"]), "/api/v1/vacancies?limit=20"
                else:
                    key, path = p.keys["officer"][0], "/api/v1/meta"
                phase = self.phase
                started = time.perf_counter()
                try:
                    response = client.get(path, headers={"Authorization": f"Bearer {key}"})
                    ok = response.status_code < 500
                except httpx.HTTPError:
                    ok = False
                if not ok:
                    self.errors += 1
                    continue
                self.samples.setdefault(phase, []).append((time.perf_counter() - started) * 1000)

    def __enter__(self) -> "Users":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def main(args: argparse.Namespace) -> int:
    backend = args.databases.split(",")[0]
    url = fresh_url(backend, "tb_bench_ingest", pg=args.pg, sqlite_dir=args.sqlite_dir)
    programme = seed(url, backend, args.load_candidates, args.vacancies)
    create_engine(url).dispose()
    rows = upload_rows(args.rows)
    institute = {"Authorization": f"Bearer {programme.keys['institute'][0]}"}
    server = Server(url)  # with its in-process embedding worker
    try:
        with Users(server.base, programme, args.users) as users:
            time.sleep(args.baseline_seconds)
            users.phase = "storing the upload"
            started = time.perf_counter()
            with httpx.Client(base_url=server.base, timeout=600) as client:
                answer = client.post("/api/v1/candidates/bulk", json=rows, headers=institute)
                answered = time.perf_counter() - started
                if answer.status_code != 200:
                    raise RuntimeError(f"upload answered {answer.status_code}: {answer.text}")
                result = answer.json()
                users.phase = "embedding the upload"
                while True:
                    job = client.get(f"/api/v1/jobs/{result['job_id']}", headers=institute).json()
                    if job["status"] == "finished":
                        break
                    time.sleep(0.5)
                matchable = time.perf_counter() - started
            users.phase = "after"
            time.sleep(1)
        errors = users.errors
        samples = users.samples
    finally:
        server.stop()

    print(
        f"\n{backend}: upload of {args.rows:,} candidates in one request, "
        f"{args.users} other users meanwhile\n"
    )
    print(
        f"- upload answered in {answered:.1f} s (created {result['created']:,}, "
        f"failed {result['failed']})"
    )
    print(
        f"- every row matchable after {matchable:.1f} s; the workers embedded "
        f"{job['done'] / (matchable - answered):.0f} rows/s (failed {job['failed']})"
    )
    print(f"- other users' errors: {errors}\n")
    print("| other users' requests | count | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    during = samples.get("storing the upload", []) + samples.get("embedding the upload", [])
    table = [(phase, samples.get(phase, [])) for phase in ("baseline", *PHASES)]
    for phase, times in [*table, ("the whole upload (both)", during)]:
        if times:
            a, b = percentiles(times)
            print(f"| {phase} | {len(times)} | {a:.0f} | {b:.0f} |")
    return 1 if errors else 0
