"""An employer's hires: the people it placed, named as the visibility policy allows."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentbridge import visibility
from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.organisations.models import Organisation
from talentbridge.pages import Slice, Window
from talentbridge.placements.models import Placement
from talentbridge.stages import Stage
from talentbridge.vacancies.models import Vacancy


@dataclass(frozen=True)
class Hire:
    """One placed person of the employer's: the name and profile only under consent."""

    placement_id: int
    vacancy_id: int
    vacancy_title: str
    placed_on: date | None
    sector: str
    prefecture: str
    candidate: Candidate | None  # None: erased, or no longer consenting
    institute: str | None  # whom to contact about the person


def page(*, session: Session, employer: Organisation, window: Window) -> Slice[Hire]:
    """The employer's placements at `placed`, newest first."""
    where = (Placement.employer_id == employer.id, Placement.status == Stage.placed)
    total = session.scalar(select(func.count()).select_from(Placement).where(*where)) or 0
    rows = session.execute(
        select(Placement, Vacancy.title, Candidate, Organisation.name)
        .join(Vacancy, Vacancy.id == Placement.vacancy_id)
        .outerjoin(Candidate, Candidate.id == Placement.candidate_id)
        .outerjoin(Organisation, Organisation.id == Placement.institute_id)
        .where(*where)
        .order_by(Placement.placed_on.desc(), Placement.id.desc())
        .limit(window.limit)
        .offset(window.offset)
    ).all()
    hires = []
    for placement, title, candidate, institute in rows:
        shown = candidate is not None and (
            visibility.hire_view(
                consent=candidate.consent_to_share,
                adult=visibility.is_adult(candidate.date_of_birth),
                stage=placement.status,
            ).identity
        )
        hires.append(
            Hire(
                placement_id=placement.id,
                vacancy_id=placement.vacancy_id,
                vacancy_title=title,
                placed_on=placement.placed_on,
                sector=placement.sector,
                prefecture=placement.prefecture,
                candidate=candidate if shown else None,
                institute=institute,
            )
        )
    named = [h.candidate.id for h in hires if h.candidate is not None]
    if named:
        audit.candidates(session, employer.id, "read", named, detail="hires")
    return Slice(items=hires, total=total)
