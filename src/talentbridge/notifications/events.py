"""Writing events to the outbox, in the caller's transaction (services call these, not routes).

The data of an event is what its receiver may see at any time: ids, stages and counts,
never a candidate's name or date of birth.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from talentbridge.db import utcnow
from talentbridge.notifications.models import OutboxEvent


class Kind(StrEnum):
    placement_stage_changed = "placement.stage_changed"
    upload_finished = "upload.finished"
    override_recorded = "override.recorded"
    consent_withdrawn = "consent.withdrawn"
    vacancy_new_matches = "vacancy.new_matches"


KINDS = tuple(k.value for k in Kind)

# The pipeline's table by name only: placements import candidates, which call
# consent_withdrawn below, so importing the placements package here would close a circle.
_placements = table("placements", column("id"), column("candidate_id"), column("employer_id"))


def emit(
    session: Session, kind: Kind, organisation_ids: Iterable[int], data: dict[str, Any]
) -> None:
    """One event per receiving organisation, added to the session (committed with the change)."""
    at = utcnow()
    for organisation_id in sorted(set(organisation_ids)):
        session.add(
            OutboxEvent(kind=kind.value, organisation_id=organisation_id, occurred_at=at, data=data)
        )
    session.flush()


def consent_withdrawn(session: Session, *, candidate_id: int) -> None:
    """Tell the employers that had the person in a pipeline which of their own placements
    it concerns, and nothing about the person."""
    per_employer: dict[int, list[int]] = {}
    for placement_id, employer_id in session.execute(
        select(_placements.c.id, _placements.c.employer_id)
        .where(_placements.c.candidate_id == candidate_id)
        .order_by(_placements.c.id)
    ):
        per_employer.setdefault(employer_id, []).append(placement_id)
    for employer_id, placement_ids in per_employer.items():
        emit(session, Kind.consent_withdrawn, [employer_id], {"placement_ids": placement_ids})
