"""The pipeline: who may move a placement where, and the rules that keep counts right."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from talentbridge import visibility
from talentbridge.audit import service as audit
from talentbridge.candidates import service as candidate_service
from talentbridge.candidates.models import Candidate
from talentbridge.db import utcnow
from talentbridge.duplicates import linking as duplicates
from talentbridge.errors import Conflict, Forbidden, Invalid, NotFound
from talentbridge.matching.explain import gate_reasons
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.gates import GATE_NAMES as GATES
from talentbridge.matching.gates import pair_failed_gates
from talentbridge.matching.reasons import Reason
from talentbridge.notifications import events
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.pages import Slice, Window, paginate
from talentbridge.placements import conversation, tallies
from talentbridge.placements.models import GateOverride, Placement, PlacementEvent
from talentbridge.placements.refusals import conflict
from talentbridge.stages import FORWARD, OPEN, Stage
from talentbridge.vacancies import service as vacancy_service
from talentbridge.vacancies.models import Vacancy

# The SSW gates a pipeline step re-checks. "not_placed" and "vacancy_open" have their own
# rules (and messages) below; consent is checked where the candidate is looked up.
PIPELINE_GATES = tuple(g for g in GATES if g not in ("not_placed", "vacancy_open"))
# What an officer may waive for one person and one vacancy, with a reason: the tests and
# dates, for exemptions such as Technical Intern Training (ii) completers. Age and
# consent are the law and the person's choice: never waived.
OVERRIDABLE_GATES = ("sector", "skill_test", "japanese_level", "care_language_test", "availability")


def allowed_moves(status: str, kind: str) -> set[str]:
    """Stages an organisation of this kind may move a placement to from `status`."""
    if status not in OPEN:
        return set()
    if kind == OrgKind.employer:
        return {FORWARD[FORWARD.index(Stage(status)) + 1], Stage.rejected}
    if kind == OrgKind.institute:
        return {Stage.withdrawn}
    return set()


def placed_ids() -> Select[int | None]:
    """The ids of the people placed: the one definition of "placed" queries use.

    Erased people's rows are left out (a NULL in it would make NOT IN match nothing).
    """
    return select(Placement.candidate_id).where(
        Placement.status == Stage.placed, Placement.candidate_id.is_not(None)
    )


def is_placed(session: Session, candidate_id: int) -> bool:
    return bool(
        session.scalar(select(placed_ids().where(Placement.candidate_id == candidate_id).exists()))
    )


def check_other_records(session: Session, candidate_id: int, vacancy_id: int | None) -> None:
    """Refuse to place or shortlist a person already placed as another of their records
    (or, shortlisting, in this vacancy's pipeline as one), once an officer has decided the
    records are one person. The pair rows are locked, so two placements of one person
    racing in two transactions queue and the second sees the first."""
    others = duplicates.partners(session, candidate_id, lock=True)
    if not others:
        return
    mine = Placement.candidate_id.in_(others)
    placed = select(placed_ids().where(mine).exists())
    here = select(exists().where(mine, Placement.vacancy_id == vacancy_id))
    if session.scalar(placed) or (vacancy_id is not None and session.scalar(here)):
        raise conflict("placed_as_another_record")


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
    # One answer for "no such candidate" and "not one you may see" (no consent, under 18),
    # so ids cannot be probed.
    if candidate is None or not visibility.employer_may_see(
        consent=candidate.consent_to_share, birth=candidate.date_of_birth
    ):
        raise NotFound(f"candidate {candidate_id} not found", field="candidate_id")
    if not vacancy.is_open:
        raise conflict("vacancy_closed")
    if is_placed(session, candidate.id):
        raise conflict("already_placed")
    check_other_records(session, candidate.id, vacancy.id)
    if session.scalar(
        select(
            exists().where(
                Placement.vacancy_id == vacancy.id, Placement.candidate_id == candidate.id
            )
        )
    ):
        raise conflict("already_in_pipeline")
    under_override = _check_gates(session, candidate, vacancy, at)
    placement = Placement(
        vacancy_id=vacancy.id,
        candidate_id=candidate.id,
        employer_id=employer.id,
        institute_id=candidate.institute_id,
        status=Stage.shortlisted,
        sector=vacancy.sector,
        state=candidate.state,
        prefecture=vacancy.prefecture,
        under_override=under_override,
        created_at=at or utcnow(),
    )
    _event(placement, Stage.shortlisted, employer, None, at)
    session.add(placement)
    try:
        session.flush()
    except IntegrityError as exc:
        raise conflict("already_in_pipeline") from exc
    tallies.count_move(session, placement, None, Stage.shortlisted)
    _stage_changed(session, placement, None, Stage.shortlisted, employer, at)
    return placement


def _stage_changed(
    session: Session,
    placement: Placement,
    was: str | None,
    to: str,
    by: Organisation,
    at: datetime | None,
) -> None:
    """The event both parties get and the conversation's line, in the move's transaction."""
    conversation.stage_line(session, placement, was, to, by, at)
    events.emit(
        session,
        events.Kind.placement_stage_changed,
        [placement.employer_id, placement.institute_id],
        {
            "placement_id": placement.id,
            "vacancy_id": placement.vacancy_id,
            "from": was,
            "to": to,
            "by": by.kind,
        },
    )


@dataclass(frozen=True)
class GateCheck:
    """The SSW gates a pipeline step of this person in this vacancy fails: those an officer
    waived, and the rest, which block it, each with its reason (data)."""

    failed: list[str]
    waived: list[str]
    blocking: list[str]
    reasons: list[Reason]


def gate_check(
    *, session: Session, candidate: Candidate, vacancy: Vacancy, at: datetime | None = None
) -> GateCheck:
    """The gates a step would meet on the day of `at` (today), before it is tried."""
    today = (at or utcnow()).date()
    c = candidate_features(candidate, occ=-1, placed=False)
    v = vacancy_features(vacancy, occ=-1)
    failed = [g for g in pair_failed_gates(c, v, today) if g in PIPELINE_GATES]
    waived = set(override_for(session, vacancy.id, candidate.id)) if failed else set()
    blocking = [g for g in failed if g not in waived]
    return GateCheck(
        failed=failed,
        waived=[g for g in failed if g in waived],
        blocking=blocking,
        reasons=gate_reasons(c, v, blocking, today),
    )


def placement_gates(*, session: Session, placement: Placement) -> GateCheck:
    """The gates the placement's next forward step would meet today (none once the
    person's record was erased)."""
    candidate = session.get(Candidate, placement.candidate_id) if placement.candidate_id else None
    vacancy = session.get(Vacancy, placement.vacancy_id)
    if candidate is None or vacancy is None:
        return GateCheck(failed=[], waived=[], blocking=[], reasons=[])
    return gate_check(session=session, candidate=candidate, vacancy=vacancy)


def _check_gates(
    session: Session, candidate: Candidate, vacancy: Vacancy, at: datetime | None
) -> bool:
    """Refuse a step the SSW gates forbid, naming each failed gate (409); True when the
    step passes only thanks to an officer's override."""
    check = gate_check(session=session, candidate=candidate, vacancy=vacancy, at=at)
    if check.blocking:
        raise Conflict(
            f"the SSW rules forbid this step, failed gates: {', '.join(check.blocking)}",
            field="gates",
            reasons=check.reasons,
            code="gates_refused",
        )
    return bool(check.failed)


def override_for(session: Session, vacancy_id: int, candidate_id: int) -> list[str]:
    """Gates an officer waived for this person in this vacancy."""
    gates = session.scalar(
        select(GateOverride.gates).where(
            GateOverride.vacancy_id == vacancy_id, GateOverride.candidate_id == candidate_id
        )
    )
    return list(gates or [])


def record_override(
    *,
    session: Session,
    officer: Organisation,
    vacancy_id: int,
    candidate_id: int,
    gates: Sequence[str],
    reason: str,
) -> GateOverride:
    """An officer's exception to SSW gates for one person and one vacancy (replaces any
    earlier one for the pair). The reason is kept; the audit log gets no free text."""
    if officer.kind != OrgKind.officer:
        raise Forbidden("only officer organisations may override SSW gates", code="officers_only")
    refused = sorted(set(gates) - set(OVERRIDABLE_GATES))
    if refused:
        raise Invalid(
            f"these gates cannot be overridden: {', '.join(refused)}; "
            f"allowed: {', '.join(OVERRIDABLE_GATES)}",
            field="gates",
            code="gate_not_overridable",
            params={"gates": ", ".join(refused)},
        )
    vacancy_service.get(session=session, vacancy_id=vacancy_id)
    if session.get(Candidate, candidate_id) is None:
        raise NotFound(f"candidate {candidate_id} not found", field="candidate_id")
    override = session.scalar(
        select(GateOverride).where(
            GateOverride.vacancy_id == vacancy_id, GateOverride.candidate_id == candidate_id
        )
    )
    if override is None:
        override = GateOverride(vacancy_id=vacancy_id, candidate_id=candidate_id)
        session.add(override)
    override.gates = sorted(set(gates), key=OVERRIDABLE_GATES.index)
    override.reason = reason
    override.officer_id = officer.id
    override.created_at = utcnow()
    session.flush()
    audit.candidates(
        session,
        officer.id,
        "override",
        [candidate_id],
        detail=f"vacancy {vacancy_id}: {','.join(override.gates)}",
    )
    vacancy = session.get(Vacancy, vacancy_id)
    candidate = session.get(Candidate, candidate_id)
    told = {"vacancy_id": vacancy_id, "candidate_id": candidate_id, "gates": override.gates}
    events.emit(session, events.Kind.override_recorded, [officer.id], told)
    if candidate is not None:
        events.emit(session, events.Kind.override_recorded, [candidate.institute_id], told)
    if vacancy is not None:  # the employer learns its vacancy, not whom it concerns
        events.emit(
            session,
            events.Kind.override_recorded,
            [vacancy.employer_id],
            {"vacancy_id": vacancy_id, "gates": override.gates},
        )
    return override


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
        raise Forbidden("officers follow the pipeline; they do not change it", code="officers")
    # Lock the row and re-read its stage: of two moves racing from the same stage (an
    # employer's rejection and the institute's withdrawal, a double-clicked "offered"),
    # the second sees where the first left it and is refused, instead of both landing.
    session.refresh(placement, ["status", "placed_on"], with_for_update=True)
    if to not in allowed_moves(placement.status, organisation.kind):
        raise Conflict(
            _illegal(placement.status, to, organisation.kind),
            field="status",
            code="move_not_allowed",
            params={"stage": placement.status, "to": to},
        )
    if to in FORWARD and placement.candidate_id is not None:
        candidate = session.get(Candidate, placement.candidate_id)
        vacancy = session.get(Vacancy, placement.vacancy_id)
        if candidate and vacancy and _check_gates(session, candidate, vacancy, at):
            placement.under_override = True
    if to == Stage.placed:
        _take_opening(session, placement)
        placement.placed_on = (at or utcnow()).date()
    _event(placement, to, organisation, reason, at)
    was, placement.status = placement.status, to
    try:
        session.flush()
    except IntegrityError as exc:
        raise conflict("placed_elsewhere") from exc
    tallies.count_move(session, placement, was, to)
    _stage_changed(session, placement, was, to, organisation, at)
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
        raise conflict("openings_full")
    if placement.candidate_id is not None:
        if is_placed(session, placement.candidate_id):
            raise conflict("placed_elsewhere")
        check_other_records(session, placement.candidate_id, None)
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
    window: Window,
    vacancy_id: int | None = None,
    candidate_id: int | None = None,
    status: str | None = None,
) -> Slice[Placement]:
    """The placements the organisation is party to (officers: all), oldest first."""
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
    return paginate(
        session, query, window, order_by=[Placement.id], options=[selectinload(Placement.events)]
    )


def stages_with(
    session: Session, employer_id: int, candidate_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The stages of the employer's placements of each of these candidates."""
    found: dict[int, list[str]] = {}
    if not candidate_ids:
        return found
    rows = session.execute(
        select(Placement.candidate_id, Placement.status).where(
            Placement.employer_id == employer_id, Placement.candidate_id.in_(candidate_ids)
        )
    )
    for candidate_id, stage in rows:
        if candidate_id is not None:
            found.setdefault(candidate_id, []).append(stage)
    return found


def erase_candidate(*, session: Session, candidate: Candidate) -> None:
    """Erase a person's record on request; their placements stay as anonymised rows.

    Free text written about the person (the reasons in placement histories, officers'
    overrides and the placements' conversations) goes too: it may name them. What stays is
    counted, not told: the stages, dates, sector, state and prefecture of each placement,
    the conversations' stage lines, and the audit entries (ids and actions, never the
    data). The id is never given to anyone else.
    """
    placements = select(Placement.id).where(Placement.candidate_id == candidate.id)
    conversation.forget(session, placements)
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
    candidate_service.erase_record(session=session, candidate=candidate)


def views_of(
    *, session: Session, viewer: Organisation, candidates: Sequence[Candidate]
) -> dict[int, visibility.View]:
    """What the viewer sees of each candidate (matches, proposals), by the visibility
    policy: an employer's view depends on its placements of the person."""
    ids = [c.id for c in candidates]
    stages = stages_with(session, viewer.id, ids) if viewer.kind == OrgKind.employer else {}
    return {
        c.id: visibility.candidate_view(
            role=viewer.kind,
            own=False,
            consent=c.consent_to_share,
            adult=visibility.is_adult(c.date_of_birth),
            stages=stages.get(c.id, ()),
        )
        for c in candidates
    }
