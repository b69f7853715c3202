from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talentbridge import visibility
from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.candidates.schemas import CandidateCreate, CandidateUpdate
from talentbridge.errors import Conflict, Invalid, NotFound
from talentbridge.matching.derived import refresh_derived_fields
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations.models import Organisation
from talentbridge.placements.models import GateOverride, Placement, PlacementEvent

TITLE_FIELDS = {"job_title"}


def _values(candidate_in: CandidateCreate, institute: Organisation) -> dict[str, Any]:
    values = candidate_in.model_dump()
    values["state"] = values["state"] or institute.state
    if values["state"] is None:
        raise Invalid("the candidate's Indian state is required", field="state")
    return values


def _external_id_taken(session: Session, institute_id: int, external_id: str) -> bool:
    query = select(func.count()).where(
        Candidate.institute_id == institute_id, Candidate.external_id == external_id
    )
    return (session.scalar(query) or 0) > 0


def _taken(external_id: str) -> Conflict:
    message = f"external_id {external_id!r} is already used by another of your candidates"
    return Conflict(message, field="external_id")


def create(
    *,
    session: Session,
    institute: Organisation,
    candidate_in: CandidateCreate,
    tools: Toolkit | None,
) -> Candidate:
    candidate = Candidate(institute_id=institute.id, **_values(candidate_in, institute))
    # Embedded before the first query: on SQLite that query takes the write lock.
    refresh_derived_fields([candidate], tools)
    if _external_id_taken(session, institute.id, candidate_in.external_id):
        raise _taken(candidate_in.external_id)
    session.add(candidate)
    try:
        session.flush()
    except IntegrityError as exc:  # a racing request took the external_id first
        raise _taken(candidate_in.external_id) from exc
    audit.record(
        session=session,
        organisation_id=institute.id,
        action="create",
        entity="candidate",
        entity_ids=[candidate.id],
    )
    return candidate


def get(*, session: Session, candidate_id: int, institute_id: int | None = None) -> Candidate:
    """A candidate, restricted to one institute's when institute_id is given; else NotFound."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or (institute_id is not None and candidate.institute_id != institute_id):
        raise NotFound(f"candidate {candidate_id} not found")
    return candidate


def page(
    *, session: Session, institute_id: int | None, limit: int, offset: int
) -> tuple[Sequence[Candidate], int]:
    query = select(Candidate)
    if institute_id is not None:
        query = query.where(Candidate.institute_id == institute_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(Candidate.id).limit(limit).offset(offset)).all()
    return items, total


def apply_update(record: object, changes: dict[str, Any]) -> bool:
    """Set changed fields on any record; True when anything differed."""
    changed = False
    for name, value in changes.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def update_one(
    *, session: Session, candidate: Candidate, candidate_in: CandidateUpdate, tools: Toolkit | None
) -> Candidate:
    changes = candidate_in.model_dump(exclude_unset=True)
    for required in (
        "external_id",
        "full_name",
        "date_of_birth",
        "state",
        "sector",
        "guardian_consent",
    ):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be null", field=required)
    try:
        visibility.check_guardian(
            changes.get("date_of_birth", candidate.date_of_birth),
            changes.get("guardian_consent", candidate.guardian_consent),
        )
    except ValueError as exc:
        field = "date_of_birth" if "date_of_birth" in changes else "guardian_consent"
        raise Invalid(str(exc), field=field) from exc
    new_id = changes.get("external_id")
    if (
        new_id
        and new_id != candidate.external_id
        and _external_id_taken(session, candidate.institute_id, new_id)
    ):
        raise _taken(new_id)
    if apply_update(candidate, changes):
        refresh_derived_fields(
            [candidate], tools, titles_changed=bool(TITLE_FIELDS & changes.keys())
        )
        session.flush()
        audit.record(
            session=session,
            organisation_id=candidate.institute_id,
            action="update",
            entity="candidate",
            entity_ids=[candidate.id],
            detail=",".join(sorted(changes)),
        )
    return candidate


def erase(*, session: Session, candidate: Candidate) -> None:
    """Erase a person's record on request; their placements stay as anonymised rows.

    Free text written about the person (the reasons in placement histories and officers'
    overrides) goes too: it may name them. What stays is counted, not told: the stages,
    dates, sector, state and prefecture of each placement, and the audit entries (ids and
    actions, never the data). The id is never given to anyone else.
    """
    placements = select(Placement.id).where(Placement.candidate_id == candidate.id)
    session.execute(
        update(PlacementEvent)
        .where(PlacementEvent.placement_id.in_(placements), PlacementEvent.reason.is_not(None))
        .values(reason=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(GateOverride)
        .where(GateOverride.candidate_id == candidate.id)
        .values(candidate_id=None, reason=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(Placement)
        .where(Placement.candidate_id == candidate.id)
        .values(candidate_id=None, candidate_erased=True)
    )
    audit.record(
        session=session,
        organisation_id=candidate.institute_id,
        action="erase",
        entity="candidate",
        entity_ids=[candidate.id],
    )
    session.delete(candidate)
    session.flush()
