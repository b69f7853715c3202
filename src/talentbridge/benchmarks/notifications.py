"""`talentbridge bench notifications`: latency and throughput of webhooks and email.

On a fresh PostgreSQL database: an institute and employers, each with one person and one
webhook, candidates and vacancies written directly, and placements shortlisted through the
placements service (their events marked sent, so they are not measured). Then, for each
arm, `talentbridge serve` in a subprocess (its in-process worker delivers), a webhook
receiver and an SMTP receiver (aiosmtpd) on 127.0.0.1 in this process, and placement moves
through the HTTP API at `--rate` events a minute (each move tells the employer and the
institute: two events) for `--seconds`. Latency runs from the moment the move's request was
sent to the moment the receiver had the delivery (de-duplicated by its
X-TalentBridge-Delivery id). The baseline arm, in the same run, delivers webhooks only; the
other webhooks and email.
"""

import argparse
import asyncio
import email
import math
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import numpy as np
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.orm import Session

from talentbridge.accounts.models import User
from talentbridge.benchmarks.seed import (
    Programme,
    Server,
    free_port,
    fresh_database,
    organisations_with_keys,
)
from talentbridge.candidates.models import Candidate
from talentbridge.notifications.models import Delivery, OutboxEvent, Webhook
from talentbridge.notifications.worker import DELIVERY_HEADER
from talentbridge.organisations.models import Organisation
from talentbridge.placements import service as placements
from talentbridge.vacancies.models import Vacancy

EMPLOYERS = 4
MOVES = ("interviewing", "offered", "visa_processing")  # three moves per placement
Clock = dict[str, float]  # delivery id -> when it first arrived (time.time())


def _receiver(arrived: Clock) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            arrived.setdefault(self.headers[DELIVERY_HEADER], time.time())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _smtp(arrived: Clock) -> Any:
    try:
        from aiosmtpd.controller import Controller
    except ImportError as exc:  # a dev dependency: pip install -e '.[dev]'
        raise SystemExit("bench notifications needs aiosmtpd (the dev extras)") from exc

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            message = email.message_from_bytes(envelope.content)
            arrived.setdefault(str(message[DELIVERY_HEADER]), time.time())
            return "250 OK"

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def seed(url: str, placements_needed: int, hook_url: str) -> dict[str, Any]:
    """Organisations with a person and a webhook each, and open placements to move."""
    engine = create_engine(url)
    programme = Programme()
    [institute], employers = organisations_with_keys(engine, 1, EMPLOYERS, programme)
    per_employer = math.ceil(placements_needed / EMPLOYERS)
    with Session(engine) as session, session.begin():
        for n, org in enumerate([institute, *employers]):
            session.add(
                User(organisation_id=org, email=f"p{n}@bench.invalid", name=f"Person {n}",
                     role="member", password_hash="-")
            )  # fmt: skip
        people = [
            Candidate(
                institute_id=institute,
                external_id=f"N{i}",
                full_name="Bench Person",
                date_of_birth=date(1996, 5, 9),
                state="Gujarat",
                sector="care",
                job_title="care worker",
                skills=["assist with personal hygiene"],
                experience_years=3,
                japanese_level="N3",
                jft_basic_passed=True,
                skill_test_passed=True,
                care_language_test_passed=True,
                consent_to_share=True,
            )  # fmt: skip
            for i in range(per_employer)
        ]
        session.add_all(people)
        session.flush()
        moves: list[tuple[int, int]] = []  # (placement id, employer key index)
        for index, org in enumerate(employers):
            employer = session.get_one(Organisation, org)
            vacancy = Vacancy(
                employer_id=org, title="care worker", sector="care", prefecture="Shizuoka",
                openings=1, min_japanese_level="N4", requires_skill_test=True,
                min_experience_years=1, start_date=date(2027, 4, 1),
            )  # fmt: skip
            session.add(vacancy)
            session.flush()
            for person in people:
                made = placements.create(
                    session=session, employer=employer, vacancy_id=vacancy.id,
                    candidate_id=person.id,
                )  # fmt: skip
                moves.append((made.id, index))
        session.execute(update(OutboxEvent).values(dispatched_at=func.now()))  # not measured
        for org in [institute, *employers]:
            session.add(
                Webhook(organisation_id=org, url=hook_url, events=["placement.stage_changed"],
                        secret=uuid.uuid4().hex)
            )  # fmt: skip
    engine.dispose()
    return {"keys": programme.keys["employer"], "moves": moves}


async def _load(
    base: str, plan: list[tuple[int, str, str]], per_second: float
) -> tuple[dict[tuple[int, str], float], int]:
    """Send each (placement, stage, key) move at its time; when each was sent, refusals."""
    sent: dict[tuple[int, str], float] = {}
    refused = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def move(placement: int, to: str, key: str) -> None:
            nonlocal refused
            sent[(placement, to)] = time.time()
            try:
                answer = await client.patch(
                    f"/api/v1/placements/{placement}",
                    json={"status": to},
                    headers={"Authorization": f"Bearer {key}"},
                )
                if answer.status_code != 200:
                    refused += 1
            except httpx.HTTPError:
                refused += 1

        started = time.perf_counter()
        tasks = []
        for i, step in enumerate(plan):
            await asyncio.sleep(max(0.0, started + i / per_second - time.perf_counter()))
            tasks.append(asyncio.create_task(move(*step)))
        await asyncio.gather(*tasks)
    return sent, refused


def _arm(
    url: str, name: str, plan: list[tuple[int, str, str]], args: argparse.Namespace, *, mail: bool
) -> dict[str, Any]:
    arrived: Clock = {}
    hook = _receiver(arrived)
    engine = create_engine(url)
    with engine.begin() as connection:  # this arm's receiver
        connection.execute(
            update(Webhook).values(url=f"http://127.0.0.1:{hook.server_address[1]}/hook")
        )
    controller = _smtp(arrived) if mail else None
    server = Server(
        url, inprocess_worker="true", webhook_allow_private="true", duplicates_check="false",
        smtp_host="127.0.0.1" if controller else "",  # empty: email off
        smtp_port=str(controller.port) if controller else "587",
        smtp_security="none", smtp_from="TalentBridge <bench@bench.invalid>",
    )  # fmt: skip
    first_event = _newest_event(engine)
    counts: dict[str, int] = {}
    try:
        started = time.time()
        sent, refused = asyncio.run(_load(server.base, plan, args.rate / 2 / 60))
        loaded = time.time() - started
        deadline = time.time() + 300
        while time.time() < deadline:  # until every delivery of the arm's events arrived
            with Session(engine) as session:
                rows = session.execute(
                    select(Delivery.status, func.count())
                    .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
                    .where(OutboxEvent.id > first_event)
                    .group_by(Delivery.status)
                ).all()
                waiting = session.scalar(
                    select(func.count())
                    .select_from(OutboxEvent)
                    .where(OutboxEvent.dispatched_at.is_(None))
                )
            counts = {status: int(n) for status, n in rows}
            if not waiting and not counts.get("pending") and len(arrived) >= sum(counts.values()):
                break
            time.sleep(0.5)
    finally:
        server.stop()
        hook.shutdown()
        if controller is not None:
            controller.stop()
    with Session(engine) as session:
        events = session.execute(
            select(OutboxEvent.id, OutboxEvent.data).where(OutboxEvent.id > first_event)
        ).all()
    engine.dispose()
    of_event = {e: sent.get((d["placement_id"], d["to"])) for e, d in events}
    latencies = []
    for key, when in arrived.items():
        changed = of_event.get(int(key.split("-", 1)[0]))
        if changed is not None:
            latencies.append(when - changed)
    last = max(arrived.values(), default=started)
    return {
        "arm": name,
        "events": len(events),
        "per_minute": len(events) / loaded * 60,
        "deliveries": len(arrived),
        "expected": sum(counts.values()),
        "failed": counts.get("failed", 0),
        "refused": refused,
        "throughput": len(arrived) / max(last - started, 1e-9),
        "latencies": latencies,
    }


def _newest_event(engine: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))) or 0)


def _plans(
    seeded: dict[str, Any], moves_per_arm: int, arms: int
) -> list[list[tuple[int, str, str]]]:
    """Each arm's moves: its own placements, all to interviewing, then offered, then on."""
    per_arm = math.ceil(moves_per_arm / len(MOVES))
    plans = []
    for a in range(arms):
        mine = seeded["moves"][a * per_arm : (a + 1) * per_arm]
        steps = [(p, to, seeded["keys"][k]) for to in MOVES for p, k in mine]
        plans.append(steps[:moves_per_arm])
    return plans


def _row(result: dict[str, Any]) -> str:
    lat = np.asarray(result["latencies"]) if result["latencies"] else np.zeros(1)
    within = float(np.mean(lat <= 30.0)) * 100
    return (
        f"| {result['arm']} | {result['events']:,} | {result['per_minute']:.0f} | "
        f"{result['deliveries']:,} of {result['expected']:,} | {result['throughput']:.1f} | "
        f"{np.percentile(lat, 50):.2f} | {np.percentile(lat, 95):.2f} | {lat.max():.2f} | "
        f"{within:.1f} % | {result['failed']} | {result['refused']} |"
    )


def main(args: argparse.Namespace, *, say: Callable[[str], None] = print) -> int:
    moves_per_arm = math.ceil(args.seconds * args.rate / 60 / 2)
    arms = [("webhooks only", False), ("webhooks + email", True)]
    url = fresh_database(args.pg, args.db_name or "tb_bench_notifications")
    per_arm = math.ceil(moves_per_arm / len(MOVES))
    seeded = seed(url, per_arm * len(arms), "http://127.0.0.1:9/hook")
    plans = _plans(seeded, moves_per_arm, len(arms))
    say(
        f"{args.rate} events/min for {args.seconds:.0f} s per arm ({moves_per_arm} placement "
        f"moves, each two events); one server process, its in-process worker delivering\n"
    )
    say("| arm | events | events/min | deliveries received | deliveries/s | p50 s | p95 s | "
        "max s | within 30 s | failed | moves refused |")  # fmt: skip
    say("|---|---|---|---|---|---|---|---|---|---|---|")
    results = [
        _arm(url, name, plan, args, mail=mail)
        for (name, mail), plan in zip(arms, plans, strict=True)
    ]
    for result in results:
        say(_row(result))
    if not args.keep:
        admin = create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    lost = sum(r["expected"] - r["deliveries"] for r in results)
    return 1 if lost else 0
