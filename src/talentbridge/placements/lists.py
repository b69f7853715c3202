"""Read-only lists of the pipeline for the pages: an institute's candidates by stage, a
candidate's history, officers' gate overrides."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from talentbridge.candidates.models import Candidate
from talentbridge.pages import Slice, Window, paginate
from talentbridge.placements.models import GateOverride, Placement
from talentbridge.vacancies.models import Vacancy


def candidates_at(*, institute_id: int, stage: str | None) -> Select[Any]:
    """The ids of the institute's candidates with a placement at `stage` now (None: with no
    placement at all, the complement is taken by the caller's NOT IN)."""
    query = select(Placement.candidate_id).where(
        Placement.institute_id == institute_id, Placement.candidate_id.is_not(None)
    )
    return query if stage is None else query.where(Placement.status == stage)


def history_of(*, session: Session, candidate: Candidate) -> list[tuple[Placement, Vacancy]]:
    """The candidate's placements, oldest first, each with its vacancy and its events (for
    the institute that owns the record: callers check that)."""
    rows = session.execute(
        select(Placement, Vacancy)
        .join(Vacancy, Vacancy.id == Placement.vacancy_id)
        .where(Placement.candidate_id == candidate.id)
        .options(selectinload(Placement.events))
        .order_by(Placement.id)
    ).all()
    return [(placement, vacancy) for placement, vacancy in rows]


def overrides(*, session: Session, window: Window) -> Slice[GateOverride]:
    """Officers' gate overrides, newest first."""
    return paginate(session, select(GateOverride), window, order_by=[GateOverride.id.desc()])
