"""Likely duplicates: officers review every pair; an institute sees pairs of its own
records only; employers are refused."""

from fastapi import APIRouter

from talentbridge.candidates.schemas import CandidateRead
from talentbridge.deps import InstituteOrOfficer, Officer, RecordId, SessionDep, WindowDep
from talentbridge.duplicates import service
from talentbridge.duplicates.schemas import (
    Decision,
    PairPage,
    PairRead,
    PairWithRecords,
    Status,
    pair_read,
)

router = APIRouter(prefix="/duplicates", tags=["duplicates"])


@router.get("", response_model=PairPage)
def list_pairs(
    organisation: InstituteOrOfficer,
    session: SessionDep,
    window: WindowDep,
    status: Status | None = None,
) -> PairPage:
    """Pairs of records that may be one person, the likeliest first. Officers: every pair;
    an institute: the pairs both of whose records are its own."""
    found = service.page(session=session, organisation=organisation, status=status, window=window)
    return PairPage(
        items=[pair_read(p) for p in found.items],
        total=found.total,
        limit=window.limit,
        offset=window.offset,
    )


@router.get("/{pair_id}", response_model=PairWithRecords)
def read_pair(
    pair_id: RecordId, organisation: InstituteOrOfficer, session: SessionDep
) -> PairWithRecords:
    """One pair with both records side by side (what a review page shows)."""
    pair = service.get(session=session, organisation=organisation, pair_id=pair_id)
    records = service.records_of(session=session, organisation=organisation, pair=pair)
    return PairWithRecords(
        **pair_read(pair).model_dump(),
        records=[CandidateRead.model_validate(r) for r in records],
    )


@router.patch("/{pair_id}", response_model=PairRead)
def decide(pair_id: RecordId, body: Decision, officer: Officer, session: SessionDep) -> PairRead:
    """Officers: record whether the two records are one person (`same_person`) or not
    (`different_people`); `open` takes the decision back. Audited on both records."""
    pair = service.decide(session=session, officer=officer, pair_id=pair_id, status=body.status)
    return pair_read(pair)
