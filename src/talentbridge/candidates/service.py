from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talentbridge import visibility
from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.candidates.schemas import CandidateCreate, CandidateRead, CandidateUpdate
from talentbridge.crud import apply_changes, changes_of, get_owned, non_nullable
from talentbridge.errors import Conflict, Invalid
from talentbridge.matching.derived import refresh_derived_fields
from talentbridge.matching.toolkit import Toolkit
from talentbridge.notifications import events
from talentbridge.organisations.models import Organisation
from talentbridge.pages import Slice, Window, paginate

TITLE_FIELDS = {"job_title", "sector"}  # what the occupation is derived from
# What a candidate always has (its read schema admits no None): a PATCH may not send null.
NOT_NULL = non_nullable(CandidateRead)


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
    refresh_derived_fields([candidate], tools, session=session)
    if _external_id_taken(session, institute.id, candidate_in.external_id):
        raise _taken(candidate_in.external_id)
    session.add(candidate)
    try:
        session.flush()
    except IntegrityError as exc:  # a racing request took the external_id first
        raise _taken(candidate_in.external_id) from exc
    audit.candidates(session, institute.id, "create", [candidate.id])
    return candidate


def get(*, session: Session, candidate_id: int, institute_id: int | None = None) -> Candidate:
    """A candidate, restricted to one institute's when institute_id is given; else NotFound."""
    return get_owned(session, Candidate, candidate_id, owner="institute_id", owner_id=institute_id)


def read(*, session: Session, candidate: Candidate, reader: Organisation) -> Candidate:
    """The candidate, its reading logged."""
    audit.candidates(session, reader.id, "read", [candidate.id])
    return candidate


def page(
    *, session: Session, institute_id: int | None, window: Window, reader: Organisation
) -> Slice[Candidate]:
    """One institute's candidates (None: everyone's), oldest first; the reading is logged."""
    query = select(Candidate)
    if institute_id is not None:
        query = query.where(Candidate.institute_id == institute_id)
    found = paginate(session, query, window, order_by=[Candidate.id])
    audit.candidates(session, reader.id, "list", [c.id for c in found.items])
    return found


COUNT_CAP = 10_000  # a filtered list counts this far ("more than 10,000"), not the whole table


def search(
    *,
    session: Session,
    institute_id: int,
    window: Window,
    reader: Organisation,
    text: str = "",
    sector: str | None = None,
    consent: bool | None = None,
    among: Select[Any] | None = None,
    not_among: Select[Any] | None = None,
) -> Slice[Candidate]:
    """One institute's candidates whose name holds `text` or whose external_id starts with
    it (any case), of a sector, with or without consent to share, and only those whose ids
    the query `among` selects (or `not_among` does not); newest first. The reading is logged.

    A filtered list's total stops at COUNT_CAP + 1 (the page says "more than"); the window is
    chosen on ids alone (an index-only scan) before the rows are read, so a deep page does
    not read the rows it skips. Trigram indexes serve the text on PostgreSQL (0014).
    """
    ids = select(Candidate.id).where(Candidate.institute_id == institute_id)
    text = text.strip()
    if text:
        # ILIKE on PostgreSQL (served by the trigram indexes), lower() LIKE lower() on SQLite
        literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        ids = ids.where(
            or_(
                Candidate.full_name.ilike(f"%{literal}%", escape="\\"),
                Candidate.external_id.ilike(f"{literal}%", escape="\\"),
            )
        )
    if sector is not None:
        ids = ids.where(Candidate.sector == sector)
    if consent is not None:
        ids = ids.where(Candidate.consent_to_share.is_(consent))
    if among is not None:
        ids = ids.where(Candidate.id.in_(among))
    if not_among is not None:
        ids = ids.where(Candidate.id.not_in(not_among))
    filtered = bool(text) or sector is not None or consent is not None or among is not None
    counted = ids.limit(COUNT_CAP + 1) if filtered or not_among is not None else ids
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    window_ids = (
        ids.order_by(Candidate.id.desc()).limit(window.limit).offset(window.offset).subquery()
    )
    items = session.scalars(
        select(Candidate)
        .where(Candidate.id.in_(select(window_ids.c.id)))
        .order_by(Candidate.id.desc())
    ).all()
    audit.candidates(session, reader.id, "list", [c.id for c in items])
    return Slice(items, total)


def update_one(
    *, session: Session, candidate: Candidate, candidate_in: CandidateUpdate, tools: Toolkit | None
) -> Candidate:
    changes = changes_of(candidate_in, not_null=NOT_NULL)
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
    withdrawn = candidate.consent_to_share and changes.get("consent_to_share") is False
    if apply_changes(candidate, changes):
        refresh_derived_fields(
            [candidate],
            tools,
            session=session,
            titles_changed=bool(TITLE_FIELDS & changes.keys()),
        )
        session.flush()
        audit.candidates(
            session, candidate.institute_id, "update", [candidate.id], ",".join(sorted(changes))
        )
        if withdrawn:
            events.consent_withdrawn(session, candidate_id=candidate.id)
    return candidate


def erase_record(*, session: Session, candidate: Candidate) -> None:
    """Delete the person's record and log it: the last step of an erasure, which starts
    with their placements (placements.service.erase_candidate does both)."""
    audit.candidates(session, candidate.institute_id, "erase", [candidate.id])
    session.delete(candidate)
    session.flush()
