"""The pipeline tallies always equal a recount of the placement rows."""

import random
from datetime import date

from sqlalchemy import select

from talentbridge.candidates.models import Candidate
from talentbridge.placements import service as placement_service
from talentbridge.placements import tallies
from tests.builders import build_pipeline, tallies_and_recount

TODAY = date(2026, 11, 28)
STAGES = ("shortlisted", "interviewing", "offered", "visa_processing", "placed", "rejected")


def test_every_move_and_erasure_is_counted(session):
    r = random.Random(5)
    rows = [
        (
            r.choice(("Bihar", "Kerala")),
            r.choice(("Osaka", "Aichi")),
            r.choice(("care", "agriculture")),
            r.choice((*STAGES, "withdrawn")),
            r.randrange(0, 400),
        )
        for _ in range(60)
    ]
    build_pipeline(session, rows, TODAY)
    for candidate in session.scalars(select(Candidate).limit(10)):
        placement_service.erase_candidate(session=session, candidate=candidate)
    session.flush()
    kept, recount = tallies_and_recount(session)
    assert kept == recount
    assert sum(kept[0].values()) == 60
    assert sum(kept[1].values()) == sum(row[3] == "placed" for row in rows)


def test_rebuild_counts_what_the_moves_counted(session):
    build_pipeline(
        session,
        [("Gujarat", "Shizuoka", "manufacturing", stage, 3 * i) for i, stage in enumerate(STAGES)],
        TODAY,
    )
    before, recount = tallies_and_recount(session)
    tallies.rebuild(session)
    after, _ = tallies_and_recount(session)
    assert before == after == recount
