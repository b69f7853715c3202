"""Two requests racing for the last opening, or for one candidate: exactly one wins."""

import threading
from datetime import date

import pytest
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.db import session_scope
from talentbridge.errors import Conflict
from talentbridge.organisations.models import Organisation
from talentbridge.placements import service
from talentbridge.placements.models import Placement
from talentbridge.vacancies.models import Vacancy
from tests.builders import tallies_and_recount
from tests.conftest import make_database


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    """A database of its own: races need real commits, not a rolled-back test transaction."""
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def _seed(session: Session, *, openings: int, candidates: int, vacancies: int):
    institute = Organisation(kind="institute", name="I", state="Gujarat")
    employer = Organisation(kind="employer", name="E", prefecture="Shizuoka")
    session.add_all([institute, employer])
    session.flush()
    people = [
        Candidate(
            institute_id=institute.id,
            external_id=f"R{i}",
            full_name=f"P{i}",
            date_of_birth=date(1995, 1, 1),
            state="Gujarat",
            sector="manufacturing",
            consent_to_share=True,
            # passes the SSW gates the pipeline re-checks
            japanese_level="N4",
            skill_test_passed=True,
            care_language_test_passed=True,
        )
        for i in range(candidates)
    ]
    jobs = [
        Vacancy(
            employer_id=employer.id,
            title="welder",
            sector="manufacturing",
            prefecture="Shizuoka",
            openings=openings,
        )
        for _ in range(vacancies)
    ]
    session.add_all(people + jobs)
    session.flush()
    placements = []
    for job in jobs:
        for person in people:
            placement = service.create(
                session=session, employer=employer, vacancy_id=job.id, candidate_id=person.id
            )
            for stage in ("interviewing", "offered", "visa_processing"):
                service.move(session=session, placement=placement, to=stage, organisation=employer)
            placements.append(placement.id)
    return employer.id, placements


def _race(engine, employer_id: int, placement_ids: list[int]) -> list[str]:
    return _race_moves(engine, [(employer_id, pid, "placed") for pid in placement_ids])


def _race_moves(engine, moves: list[tuple[int, int, str]]) -> list[str]:
    """Runs (organisation id, placement id, stage) moves at the same instant."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = []

    def run(organisation_id: int, placement_id: int, to: str) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                organisation = session.get(Organisation, organisation_id)
                placement = session.get(Placement, placement_id)
                service.move(session=session, placement=placement, to=to, organisation=organisation)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(f"conflict: {exc.message}")

    threads = [threading.Thread(target=run, args=move) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_last_opening_goes_to_exactly_one(committed_db):
    with session_scope(committed_db.engine) as session:
        employer_id, placements = _seed(session, openings=1, candidates=2, vacancies=1)
    outcomes = _race(committed_db.engine, employer_id, placements)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
    with session_scope(committed_db.engine) as session:
        vacancy = session.query(Vacancy).one()
        assert vacancy.placed_count == 1
        assert session.query(Placement).filter_by(status="placed").count() == 1


def test_one_candidate_in_two_vacancies_goes_to_exactly_one(committed_db):
    with session_scope(committed_db.engine) as session:
        employer_id, placements = _seed(session, openings=1, candidates=1, vacancies=2)
    outcomes = _race(committed_db.engine, employer_id, placements)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
    with session_scope(committed_db.engine) as session:
        assert session.query(Placement).filter_by(status="placed").count() == 1
        assert sum(v.placed_count for v in session.query(Vacancy)) == 1


def test_simultaneous_placements_are_all_counted(committed_db):
    """Six people placed at once into the same tally cell: the counts lose none of them."""
    with session_scope(committed_db.engine) as session:
        employer_id, placements = _seed(session, openings=6, candidates=6, vacancies=1)
    outcomes = _race(committed_db.engine, employer_id, placements)
    assert outcomes == ["won"] * 6
    with session_scope(committed_db.engine) as session:
        kept, recount = tallies_and_recount(session)
        assert kept == recount
        assert sum(kept[1].values()) == 6


def test_rejection_and_withdrawal_at_once_only_one_lands(committed_db):
    """The employer rejects while the institute withdraws: one wins, the counts agree."""
    with session_scope(committed_db.engine) as session:
        employer_id, placements = _seed(session, openings=1, candidates=1, vacancies=1)
        institute_id = session.get(Placement, placements[0]).institute_id
    outcomes = _race_moves(
        committed_db.engine,
        [(employer_id, placements[0], "rejected"), (institute_id, placements[0], "withdrawn")],
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
    with session_scope(committed_db.engine) as session:
        placement = session.get(Placement, placements[0])
        assert placement.status in ("rejected", "withdrawn")
        assert len(placement.events) == 5  # shortlisted … visa_processing, then one exit
        kept, recount = tallies_and_recount(session)
        assert kept == recount
