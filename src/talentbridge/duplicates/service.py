"""Officers review likely duplicates; an institute sees only pairs of its own records.

What an institute may learn is its own records: a pair one of whose records is another
institute's is not in its list, its count, nor its answers (a pair id it may not see is
"not found", the same answer as no pair at all).
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.db import utcnow
from talentbridge.duplicates import linking
from talentbridge.duplicates.models import DuplicatePair, PairStatus
from talentbridge.errors import Forbidden, NotFound
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.pages import Slice, Window, paginate


def _visible(organisation: Organisation):  # type: ignore[no-untyped-def]
    if organisation.kind == OrgKind.officer:
        return None
    if organisation.kind == OrgKind.institute:
        return linking.both_of(organisation.id)
    raise Forbidden("only officers and institutes review duplicates")


def page(
    *, session: Session, organisation: Organisation, status: str | None, window: Window
) -> Slice[DuplicatePair]:
    """Pairs the caller may see, the likeliest first."""
    query = select(DuplicatePair)
    condition = _visible(organisation)
    if condition is not None:
        query = query.where(condition)
    if status is not None:
        query = query.where(DuplicatePair.status == status)
    found = paginate(
        session, query, window, order_by=[DuplicatePair.score.desc(), DuplicatePair.id]
    )
    ids = [c for p in found.items for c in (p.candidate_a, p.candidate_b)]
    audit.candidates(session, organisation.id, "list_duplicates", ids)
    return found


def get(*, session: Session, organisation: Organisation, pair_id: int) -> DuplicatePair:
    query = select(DuplicatePair).where(DuplicatePair.id == pair_id)
    condition = _visible(organisation)
    if condition is not None:
        query = query.where(condition)
    pair = session.scalar(query)
    if pair is None:
        raise NotFound(f"duplicate pair {pair_id} not found")
    return pair


def records_of(
    *, session: Session, organisation: Organisation, pair: DuplicatePair
) -> list[Candidate]:
    """Both records of a pair the caller may see, the reading logged."""
    found = {
        c.id: c
        for c in session.scalars(
            select(Candidate).where(Candidate.id.in_([pair.candidate_a, pair.candidate_b]))
        )
    }
    audit.candidates(session, organisation.id, "read", list(found))
    return [found[i] for i in (pair.candidate_a, pair.candidate_b) if i in found]


def decide(
    *,
    session: Session,
    officer: Organisation,
    pair_id: int,
    status: str,
    at: datetime | None = None,
) -> DuplicatePair:
    """An officer's decision (or, with "open", its withdrawal), audited on both records."""
    if officer.kind != OrgKind.officer:
        raise Forbidden("only officers decide whether two records are one person")
    pair = session.get(DuplicatePair, pair_id, with_for_update=True)
    if pair is None:
        raise NotFound(f"duplicate pair {pair_id} not found")
    was = pair.status
    pair.status = status
    reopened = status == PairStatus.open
    pair.decided_by = None if reopened else officer.id
    pair.decided_at = None if reopened else (at or utcnow())
    session.flush()
    audit.candidates(
        session,
        officer.id,
        "duplicate_decision",
        [pair.candidate_a, pair.candidate_b],
        detail=f"pair {pair.id}: {was} -> {status}",
    )
    return pair


def counts(*, session: Session, organisation: Organisation) -> dict[str, int]:
    """How many pairs the caller may see, by status (the review's progress)."""
    query = select(DuplicatePair.status, func.count()).group_by(DuplicatePair.status)
    condition = _visible(organisation)
    if condition is not None:
        query = query.where(condition)
    found = {str(status): int(n) for status, n in session.execute(query)}
    return {status.value: found.get(status.value, 0) for status in PairStatus}


def listed_names(*, session: Session, pairs: Sequence[DuplicatePair]) -> dict[int, tuple[str, str]]:
    """The name and institute of each record of pairs already listed (`page` logged the
    listing), by record id: what a list of pairs shows of them."""
    ids = {c for p in pairs for c in (p.candidate_a, p.candidate_b)}
    if not ids:
        return {}
    rows = session.execute(
        select(Candidate.id, Candidate.full_name, Organisation.name)
        .join(Organisation, Organisation.id == Candidate.institute_id)
        .where(Candidate.id.in_(ids))
    )
    return {int(i): (str(name), str(institute)) for i, name, institute in rows}
