"""Small builders shared by test packages: a pipeline made through the real services."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.organisations.models import Organisation
from talentbridge.placements import service as placements
from talentbridge.placements.models import PlacedTally, Placement, StageTally
from talentbridge.stages import FORWARD
from talentbridge.vacancies.models import Vacancy

# The moves from shortlisted to placed, one step at a time (the real stage list, less its
# first stage: create() shortlists).
MOVES = [str(stage) for stage in FORWARD[1:]]


def _at(today: date, days: int) -> datetime:
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), tzinfo=UTC)


def build_pipeline(session: Session, rows, today: date):
    """One placement per (state, prefecture, sector, final stage, days before today it was
    reached) row, moved there step by step; returns the institutes and employers by place."""
    institutes: dict[str, Organisation] = {}
    employers: dict[str, Organisation] = {}
    for number, (state, prefecture, sector, final, days) in enumerate(rows):
        if state not in institutes:
            institutes[state] = Organisation(kind="institute", name=state, state=state)
        if prefecture not in employers:
            employers[prefecture] = Organisation(
                kind="employer", name=prefecture, prefecture=prefecture
            )
        institute, employer = institutes[state], employers[prefecture]
        session.add_all([institute, employer])
        session.flush()
        candidate = Candidate(
            institute_id=institute.id,
            external_id=f"F{number}",
            full_name="x",
            date_of_birth=date(1995, 1, 1),
            state=state,
            sector=sector,
            consent_to_share=True,
            # passes the SSW gates the pipeline re-checks
            japanese_level="N4",
            skill_test_passed=True,
            care_language_test_passed=True,
        )
        vacancy = Vacancy(
            employer_id=employer.id, title="job", sector=sector, prefecture=prefecture, openings=5
        )
        session.add_all([candidate, vacancy])
        session.flush()
        placement = placements.create(
            session=session,
            employer=employer,
            vacancy_id=vacancy.id,
            candidate_id=candidate.id,
            at=_at(today, days + 30),
        )
        if final in MOVES:
            path = MOVES[: MOVES.index(final) + 1]
        elif final == "shortlisted":
            path = []
        else:
            path = ["interviewing", final]
        for step, stage in enumerate(path):
            placements.move(
                session=session,
                placement=placement,
                to=stage,
                organisation=institute if stage == "withdrawn" else employer,
                at=_at(today, days + len(path) - 1 - step),
            )
    return institutes, employers


def tallies_and_recount(session: Session) -> tuple[dict, dict]:
    """The kept tallies (zero cells left out) beside the same counts made from the rows."""
    kept = (
        {
            (t.sector, t.state, t.prefecture, t.status): t.count
            for t in session.scalars(select(StageTally))
            if t.count
        },
        {
            (t.month, t.sector, t.state, t.prefecture): t.count
            for t in session.scalars(select(PlacedTally))
            if t.count
        },
    )
    rows = session.scalars(select(Placement)).all()
    recount = (
        dict(Counter((p.sector, p.state, p.prefecture, p.status) for p in rows)),
        dict(
            Counter(
                (f"{p.placed_on:%Y-%m}", p.sector, p.state, p.prefecture)
                for p in rows
                if p.status == "placed"
            )
        ),
    )
    return kept, recount
