"""`talentbridge demo`: plan, embed and write the programme once; print fresh keys every time."""

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from typing import Any
from urllib.parse import urlsplit

from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.demo.draw import add_months
from talentbridge.demo.plan import HISTORY_MONTHS, make_plan
from talentbridge.demo.write import (
    MARKER,
    close_vacancies,
    counts,
    demo_organisation_ids,
    embed_records,
    find_marker,
    fresh_key,
    fresh_person,
    pick_examples,
    replay_pipelines,
    write_organisations,
    write_records,
)
from talentbridge.matching.text import title_of
from talentbridge.matching.titles import ensure_title_vectors
from talentbridge.matching.toolkit import Toolkit

BASE_URL = "http://127.0.0.1:8000"


@dataclass
class DemoSummary:
    """What the demo left in the database, and the keys to look at it with."""

    created: bool
    seed: int
    institutes: int
    employers: int
    candidates: int
    vacancies: int
    open_vacancies: int
    placements: int
    placed: int
    stages: dict[str, int]
    officer_key: str
    institute_key: str
    employer_key: str
    institute_name: str
    employer_name: str
    vacancy_id: int | None
    seconds: float = 0.0
    # (who, email, password) of the three organisations' demo admins, new passwords every run.
    people: list[tuple[str, str, str]] = field(default_factory=list)


def run_demo(
    settings: Settings,
    *,
    seed: int = 2025,
    candidates: int = 5000,
    vacancies: int = 400,
    today: date | None = None,
    tools: Toolkit | None = None,
    base_url: str = BASE_URL,
    serving: bool = False,
) -> DemoSummary:
    """Fill the database with a believable programme once; print fresh keys every time, with
    links at base_url (serving: the caller starts the server next, as scripts/run does)."""
    started = time.monotonic()
    today = today or date.today()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            exists = find_marker(session) is not None
        if not exists:
            print(f"planning {candidates} candidates and {vacancies} vacancies (seed {seed})…")
            plan = make_plan(seed, candidates, vacancies, today)
            if tools is None:
                # loads the model: only when needed
                from talentbridge.matching.toolkit import build_tools

                tools = build_tools(settings)
            embed_records([s.record for s in plan.seekers], tools, "candidates")
            embed_records([j.record for j in plan.jobs], tools, "vacancies")
            backdate = datetime.combine(add_months(today, -HISTORY_MONTHS - 3), clock(), tzinfo=UTC)
            with session_scope(engine) as session:
                _officer, institutes, employers = write_organisations(session, plan, backdate)
                write_records(session, plan, institutes, employers)
                records = [s.record for s in plan.seekers] + [j.record for j in plan.jobs]
                ensure_title_vectors(session, [title_of(r) for r in records], tools.embedder)
                replay_pipelines(session, plan, institutes, employers)
                close_vacancies(session, plan, tools)
        else:
            print(f"the demo data is already here ({MARKER!r} exists): nothing recreated")
        summary = _issue_keys_and_count(engine, created=not exists, seed=seed)
    finally:
        engine.dispose()
    summary.seconds = round(time.monotonic() - started, 1)
    print_summary(summary, base_url=base_url, serving=serving)
    return summary


def _issue_keys_and_count(engine: Any, *, created: bool, seed: int) -> DemoSummary:
    with session_scope(engine) as session:
        officer = find_marker(session)
        assert officer is not None
        institute, employer, vacancy = pick_examples(
            session, demo_organisation_ids(session, officer)
        )
        keys = [fresh_key(session, org) for org in (officer, institute, employer)]
        people = [
            (who, email, fresh_person(session, org, email))
            for who, org, email in (
                ("programme officer", officer, "officer@demo.example"),
                ("institute", institute, "institute@demo.example"),
                ("employer", employer, "employer@demo.example"),
            )
        ]
        return DemoSummary(
            created=created,
            seed=seed,
            **counts(session),
            officer_key=keys[0],
            institute_key=keys[1],
            employer_key=keys[2],
            institute_name=institute.name,
            employer_name=employer.name,
            vacancy_id=vacancy.id if vacancy else None,
            people=people,
        )


def print_summary(summary: DemoSummary, *, base_url: str = BASE_URL, serving: bool = False) -> None:
    stages = ", ".join(f"{k} {v}" for k, v in sorted(summary.stages.items()))
    base_url = base_url.rstrip("/")
    port = urlsplit(base_url).port or 8000
    start = (
        "The server is starting now; once it says it is running, open:"
        if serving
        else f"Start the server with `talentbridge serve --port {port}`, then open:"
    )
    match = (
        f"{base_url}/api/v1/vacancies/{summary.vacancy_id}/matches"
        if summary.vacancy_id
        else "(no open vacancy)"
    )
    signins = "\n".join(
        f"  {who:<18} {email}   {password}" for who, email, password in summary.people
    )
    print(f"""
TalentBridge demo {"created" if summary.created else "already present"} in {summary.seconds} s
  {summary.institutes} institutes, {summary.employers} employers, {summary.candidates} candidates,
  {summary.vacancies} vacancies ({summary.open_vacancies} open), {summary.placements} placements
  ({summary.placed} placed; {stages})

Keys (shown once; earlier demo keys of these three organisations are now revoked):
  programme officer  {summary.officer_key}
  institute          {summary.institute_key}   ({summary.institute_name})
  employer           {summary.employer_key}   ({summary.employer_name})

People to sign in as (email, password; new passwords every run):
{signins}

{start}
  {base_url}/app/login   sign in as any person above: each lands on their organisation's home
  {base_url}/dashboard   the same sign-in (the officer sees the whole programme)
  {base_url}/docs        press Authorize and paste any key above
  Matches for one of the employer's vacancies (employer key, Authorization: Bearer <key>):
  {match}
""")
