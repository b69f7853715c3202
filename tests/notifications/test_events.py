"""Events are written in the transaction of the change that causes them, and only then."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.candidates import service as candidates
from talentbridge.candidates.models import Candidate
from talentbridge.candidates.schemas import CandidateUpdate
from talentbridge.errors import Conflict
from talentbridge.ingestion import service as ingestion
from talentbridge.notifications.models import OutboxEvent
from talentbridge.organisations.models import Organisation
from talentbridge.placements import service as placements
from talentbridge.vacancies.models import Vacancy


def _pipeline(session: Session) -> tuple[Organisation, Organisation, Candidate, Vacancy]:
    institute = Organisation(kind="institute", name="Lucknow", state="Uttar Pradesh")
    employer = Organisation(kind="employer", name="Kofu Care", prefecture="Yamanashi")
    session.add_all([institute, employer])
    session.flush()
    candidate = Candidate(
        institute_id=institute.id,
        external_id="E1",
        full_name="Asha Verma",
        date_of_birth=date(1995, 1, 1),
        state="Uttar Pradesh",
        sector="care",
        consent_to_share=True,
        japanese_level="N4",
        skill_test_passed=True,
        care_language_test_passed=True,
    )
    vacancy = Vacancy(
        employer_id=employer.id, title="job", sector="care", prefecture="Yamanashi", openings=2
    )
    session.add_all([candidate, vacancy])
    session.flush()
    return institute, employer, candidate, vacancy


def _events(session: Session, *organisations: Organisation) -> list[OutboxEvent]:
    """The events of these organisations (the database is shared with tests that commit)."""
    ids = [o.id for o in organisations]
    return list(
        session.scalars(
            select(OutboxEvent).where(OutboxEvent.organisation_id.in_(ids)).order_by(OutboxEvent.id)
        )
    )


def test_a_stage_change_tells_the_employer_and_the_institute(session: Session) -> None:
    institute, employer, candidate, vacancy = _pipeline(session)
    placement = placements.create(
        session=session, employer=employer, vacancy_id=vacancy.id, candidate_id=candidate.id
    )
    placements.move(session=session, placement=placement, to="interviewing", organisation=employer)
    moved = [e for e in _events(session, institute, employer) if e.data["to"] == "interviewing"]
    assert {e.organisation_id for e in moved} == {employer.id, institute.id}
    assert all(e.kind == "placement.stage_changed" for e in moved)
    assert moved[0].data["from"] == "shortlisted"
    assert moved[0].data["placement_id"] == placement.id
    assert "Asha" not in str([e.data for e in _events(session, institute, employer)])


def test_a_refused_move_writes_no_event(session: Session) -> None:
    institute, employer, candidate, vacancy = _pipeline(session)
    placement = placements.create(
        session=session, employer=employer, vacancy_id=vacancy.id, candidate_id=candidate.id
    )
    before = len(_events(session, institute, employer))
    with pytest.raises(Conflict):
        placements.move(session=session, placement=placement, to="placed", organisation=employer)
    assert len(_events(session, institute, employer)) == before


def test_a_rolled_back_change_leaves_no_event(session: Session) -> None:
    institute, employer, candidate, vacancy = _pipeline(session)
    point = session.begin_nested()
    placements.create(
        session=session, employer=employer, vacancy_id=vacancy.id, candidate_id=candidate.id
    )
    assert _events(session, institute, employer)  # written beside the placement...
    point.rollback()
    assert _events(session, institute, employer) == []  # ...and gone with it


def test_withdrawn_consent_tells_the_employers_without_the_person(session: Session) -> None:
    institute, employer, candidate, vacancy = _pipeline(session)
    placement = placements.create(
        session=session, employer=employer, vacancy_id=vacancy.id, candidate_id=candidate.id
    )
    candidates.update_one(
        session=session,
        candidate=candidate,
        candidate_in=CandidateUpdate(consent_to_share=False),
        tools=None,
    )
    told = [e for e in _events(session, institute, employer) if e.kind == "consent.withdrawn"]
    assert [(e.organisation_id, e.data) for e in told] == [
        (employer.id, {"placement_ids": [placement.id]})
    ]


def test_an_override_is_recorded_for_the_officer_institute_and_employer(session: Session) -> None:
    institute, employer, candidate, vacancy = _pipeline(session)
    officer = Organisation(kind="officer", name="Ministry")
    session.add(officer)
    session.flush()
    placements.record_override(
        session=session,
        officer=officer,
        vacancy_id=vacancy.id,
        candidate_id=candidate.id,
        gates=["skill_test"],
        reason="TITP (ii) completer",
    )
    told = {
        e.organisation_id: e.data
        for e in _events(session, institute, employer, officer)
        if e.kind == "override.recorded"
    }
    assert set(told) == {officer.id, institute.id, employer.id}
    assert "candidate_id" not in told[employer.id]
    assert told[institute.id]["candidate_id"] == candidate.id


def test_an_empty_upload_job_is_finished_at_once(session: Session) -> None:
    institute, employer, *_ = _pipeline(session)
    job = ingestion.start_job(
        session=session,
        organisation_id=institute.id,
        kind="candidate_upload",
        entity="candidate",
        record_ids=[],
    )
    told = [e for e in _events(session, institute, employer) if e.kind == "upload.finished"]
    assert [(e.organisation_id, e.data) for e in told] == [
        (institute.id, {"job_id": job.id, "total": 0, "done": 0, "failed": 0})
    ]
