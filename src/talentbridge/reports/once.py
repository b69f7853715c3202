"""One person, counted once: a placement of a record that an officer decided is the same
person as another record placed before it is a repeat, and the reports leave it out.

Driven from the decided pairs (few) through the index of placed rows by candidate, so the
subtraction costs little however many placements there are. Within an organisation's
report only an earlier placement of its own counts: it must not learn from its figures
that another institute (or employer) holds the person.
"""

from typing import Any

from sqlalchemy import and_, case, exists, or_, select, union
from sqlalchemy.orm import aliased

from talentbridge.candidates.models import Candidate
from talentbridge.duplicates.models import DuplicatePair, PairStatus
from talentbridge.placements.models import Placement
from talentbridge.stages import Stage


def _decided() -> Any:
    same = DuplicatePair.status == PairStatus.same_person
    return union(
        select(DuplicatePair.candidate_a.label("id")).where(same),
        select(DuplicatePair.candidate_b.label("id")).where(same),
    )


def repeated(owner: str | None = None) -> Any:
    """Condition on Placement: a placed row whose person was placed before as another
    record (of the same `owner` column, "institute_id" or "employer_id", when given)."""
    earlier = aliased(Placement)
    pair = DuplicatePair
    other = case(
        (pair.candidate_a == Placement.candidate_id, pair.candidate_b), else_=pair.candidate_a
    )
    conditions = [
        pair.status == PairStatus.same_person,
        or_(pair.candidate_a == Placement.candidate_id, pair.candidate_b == Placement.candidate_id),
        earlier.candidate_id == other,
        earlier.status == Stage.placed,
        or_(
            earlier.placed_on < Placement.placed_on,
            and_(earlier.placed_on == Placement.placed_on, earlier.id < Placement.id),
        ),
    ]
    if owner is not None:
        conditions.append(getattr(earlier, owner) == getattr(Placement, owner))
    return and_(
        Placement.status == Stage.placed,
        Placement.candidate_id.in_(_decided()),
        exists().where(*conditions),
    )


def extra_record(institute_id: int | None = None) -> Any:
    """Condition on Candidate: another record of this person (decided by an officer) comes
    first, or is placed: supply counts each person once. Within an institute's figures only
    its own records count."""
    other = aliased(Candidate)
    pair = DuplicatePair
    partner = case((pair.candidate_a == Candidate.id, pair.candidate_b), else_=pair.candidate_a)
    placed = select(Placement.candidate_id).where(
        Placement.status == Stage.placed, Placement.candidate_id == other.id
    )
    conditions = [
        pair.status == PairStatus.same_person,
        or_(pair.candidate_a == Candidate.id, pair.candidate_b == Candidate.id),
        other.id == partner,
        or_(other.id < Candidate.id, placed.exists()),
    ]
    if institute_id is not None:
        conditions.append(other.institute_id == institute_id)
    return and_(Candidate.id.in_(_decided()), exists().where(*conditions))
