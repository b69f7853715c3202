"""The pipeline: who may move a placement where, and the rules that keep counts right."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from talentbridge.candidates.models import Candidate
from talentbridge.db import utcnow
from talentbridge.errors import Conflict, Forbidden, NotFound
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements import tallies
from talentbridge.placements.models import Placement, PlacementEvent, Stage
from talentbridge.vacancies import service as vacancy_service
from talentbridge.vacancies.models import Vacancy

FORWARD = [
    Stage.shortlisted,
    Stage.interviewing,
    Stage.offered,
    Stage.visa_processing,
    Stage.placed,
]
OPEN_STAGES = frozenset(FORWARD[:-1])
FINAL = frozenset({Stage.placed, Stage.rejected, Stage.withdrawn})


def allowed_moves(status: str, kind: str) -> set[str]:
    """Stages an organisation of this kind may move a placement to from `status`."""
    if status not in OPEN_STAGES:
        return set()
    if kind == OrgKind.employer:
        return {FORWARD[FORWARD.index(Stage(status)) + 1], Stage.rejected}
    if kind == OrgKind.institute:
        return {Stage.withdrawn}
    return set()


def is_placed(session: Session, candidate_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Placement.candidate_id == candidate_id, Placement.status == Stage.placed
                )
            )
        )
    )


def _event(
    placement: Placement,
    to: str,
    organisation: Organisation,
    reason: str | None,
    at: datetime | None,
) -> None:
    placement.events.append(
        PlacementEvent(
            from_status=None if not placement.events else placement.status,
            to_status=to,
            organisation_id=organisation.id,
            reason=reason,
            at=at or utcnow(),
        )
    )


def create(
    *,
    session: Session,
    employer: Organisation,
    vacancy_id: int,
    candidate_id: int,
    at: datetime | None = None,
) -> Placement:
    """Shortlist a candidate for one of the employer's vacancies."""
    vacancy = vacancy_service.get(session=session, vacancy_id=vacancy_id, employer_id=employer.id)
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound(f"candidate {candidate_id} not found", field="candidate_id")
    if not candidate.consent_to_share:
        raise Conflict(
            "the candidate has not consented to share their profile with employers",
            field="candidate_id",
        )
    if vacancy.status != "open" or vacancy.placed_count >= vacancy.openings:
        raise Conflict("the vacancy is closed or all its openings are placed", field="vacancy_id")
    if is_placed(session, candidate.id):
        raise Conflict("the candidate is already placed", field="candidate_id")
    if session.scalar(
        select(
            exists().where(
                Placement.vacancy_id == vacancy.id, Placement.candidate_id == candidate.id
            )
        )
    ):
        raise Conflict("the candidate is already in this vacancy's pipeline", field="candidate_id")
    placement = Placement(
        vacancy_id=vacancy.id,
        candidate_id=candidate.id,
        employer_id=employer.id,
        institute_id=candidate.institute_id,
        status=Stage.shortlisted,
        sector=vacancy.sector,
        state=candidate.state,
        prefecture=vacancy.prefecture,
        created_at=at or utcnow(),
    )
    _event(placement, Stage.shortlisted, employer, None, at)
    session.add(placement)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "the candidate is already in this vacancy's pipeline", field="candidate_id"
        ) from exc
    tallies.count_move(session, placement, None, Stage.shortlisted)
    return placement


def get(*, session: Session, placement_id: int, organisation: Organisation) -> Placement:
    """A placement the organisation is party to (officers: any); else NotFound."""
    placement = session.get(Placement, placement_id)
    if placement is None or not _party_to(placement, organisation):
        raise NotFound(f"placement {placement_id} not found")
    return placement


def _party_to(placement: Placement, organisation: Organisation) -> bool:
    return (
        organisation.kind == OrgKind.officer
        or (organisation.kind == OrgKind.employer and placement.employer_id == organisation.id)
        or (organisation.kind == OrgKind.institute and placement.institute_id == organisation.id)
    )


def move(
    *,
    session: Session,
    placement: Placement,
    to: str,
    organisation: Organisation,
    reason: str | None = None,
    at: datetime | None = None,
) -> Placement:
    """Move a placement to the next stage, or out of the pipeline."""
    if organisation.kind == OrgKind.officer:
        raise Forbidden("officers follow the pipeline; they do not change it")
    # Lock the row and re-read its stage: of two moves racing from the same stage (an
    # employer's rejection and the institute's withdrawal, a double-clicked "offered"),
    # the second sees where the first left it and is refused, instead of both landing.
    session.refresh(placement, ["status", "placed_on"], with_for_update=True)
    if to not in allowed_moves(placement.status, organisation.kind):
        raise Conflict(_illegal(placement.status, to, organisation.kind), field="status")
    if to == Stage.placed:
        _take_opening(session, placement)
        placement.placed_on = (at or utcnow()).date()
    _event(placement, to, organisation, reason, at)
    was, placement.status = placement.status, to
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "the candidate is already placed in another vacancy", field="candidate_id"
        ) from exc
    tallies.count_move(session, placement, was, to)
    return placement


def _illegal(status: str, to: str, kind: str) -> str:
    allowed = sorted(allowed_moves(status, kind))
    who = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    if not allowed:
        return f"{who} cannot move a placement that is {status}"
    return f"{who} cannot move a placement from {status} to {to}; allowed: {', '.join(allowed)}"


def _take_opening(session: Session, placement: Placement) -> None:
    # A conditional increment: the database row lock makes racing requests queue, and the
    # loser sees no opening left (PostgreSQL re-checks the WHERE after the winner commits).
    result: Any = session.execute(
        update(Vacancy)
        .where(Vacancy.id == placement.vacancy_id, Vacancy.placed_count < Vacancy.openings)
        .values(placed_count=Vacancy.placed_count + 1)
        .execution_options(synchronize_session="fetch")
    )
    taken = result.rowcount
    if taken != 1:
        raise Conflict("all openings of this vacancy are already placed", field="status")
    if placement.candidate_id is not None:
        if is_placed(session, placement.candidate_id):
            raise Conflict(
                "the candidate is already placed in another vacancy", field="candidate_id"
            )
        # The matching index learns of the new placement through the candidate's timestamp.
        session.execute(
            update(Candidate)
            .where(Candidate.id == placement.candidate_id)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)  # don't scan the whole session
        )


def page(
    *,
    session: Session,
    organisation: Organisation,
    limit: int,
    offset: int,
    vacancy_id: int | None = None,
    candidate_id: int | None = None,
    status: str | None = None,
) -> tuple[Sequence[Placement], int]:
    query = select(Placement)
    if organisation.kind == OrgKind.employer:
        query = query.where(Placement.employer_id == organisation.id)
    elif organisation.kind == OrgKind.institute:
        query = query.where(Placement.institute_id == organisation.id)
    for column, value in (
        (Placement.vacancy_id, vacancy_id),
        (Placement.candidate_id, candidate_id),
        (Placement.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.options(selectinload(Placement.events))
        .order_by(Placement.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return items, total


def shortlisted_by(session: Session, employer_id: int, candidate_ids: Sequence[int]) -> set[int]:
    """Which of these candidates are in one of the employer's pipelines (names then visible)."""
    if not candidate_ids:
        return set()
    return set(
        session.scalars(
            select(Placement.candidate_id).where(
                Placement.employer_id == employer_id, Placement.candidate_id.in_(candidate_ids)
            )
        )
    )
