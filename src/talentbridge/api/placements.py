from typing import Annotated

from fastapi import APIRouter, Query, status

from talentbridge.deps import (
    CurrentOrg,
    Employer,
    Officer,
    PartyTo,
    ReaderLocale,
    SessionDep,
    WindowDep,
)
from talentbridge.fields import MAX_ID
from talentbridge.placements import service
from talentbridge.placements.models import GateOverride, Placement
from talentbridge.placements.schemas import (
    OverrideCreate,
    OverrideRead,
    PlacementCreate,
    PlacementPage,
    PlacementRead,
    PlacementUpdate,
)
from talentbridge.serving.reasons import reason_codes, render
from talentbridge.serving.schemas import GateExplanation
from talentbridge.stages import Stage

router = APIRouter(prefix="/placements", tags=["placements"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlacementRead)
def shortlist(body: PlacementCreate, employer: Employer, session: SessionDep) -> Placement:
    """Shortlist a consenting candidate for one of your vacancies."""
    return service.create(
        session=session,
        employer=employer,
        vacancy_id=body.vacancy_id,
        candidate_id=body.candidate_id,
    )


@router.post("/overrides", status_code=status.HTTP_201_CREATED, response_model=OverrideRead)
def override_gates(body: OverrideCreate, officer: Officer, session: SessionDep) -> GateOverride:
    """Officers: let this person's shortlisting and moves in this vacancy pass the named
    SSW gates (tests, sector, availability; never age or consent), with a reason. Later
    steps that pass only thanks to it mark the placement `under_override`, and the
    progress report counts such placements."""
    return service.record_override(
        session=session,
        officer=officer,
        vacancy_id=body.vacancy_id,
        candidate_id=body.candidate_id,
        gates=body.gates,
        reason=body.reason,
    )


@router.patch("/{placement_id}", response_model=PlacementRead)
def move(
    placement: PartyTo, body: PlacementUpdate, organisation: CurrentOrg, session: SessionDep
) -> Placement:
    """Employers move shortlisted → interviewing → offered → visa_processing → placed, or
    reject; the candidate's institute may withdraw. Any other move is a 409."""
    return service.move(
        session=session,
        placement=placement,
        to=body.status,
        organisation=organisation,
        reason=body.reason,
    )


@router.get("/{placement_id}/gates", response_model=GateExplanation)
def gates(placement: PartyTo, session: SessionDep, locale: ReaderLocale) -> GateExplanation:
    """The SSW gates the next forward step would meet today, explained before it is tried:
    those failed, those an officer waived, and why each blocking one fails (sentences in the
    Accept-Language language, and as data)."""
    found = service.placement_gates(session=session, placement=placement)
    return GateExplanation(
        placement_id=placement.id,
        failed_gates=found.failed,
        waived_gates=found.waived,
        blocking_gates=found.blocking,
        reasons=render(found.reasons, locale),
        reason_codes=reason_codes(found.reasons),
    )


@router.get("/{placement_id}", response_model=PlacementRead)
def read(placement: PartyTo) -> Placement:
    return placement


@router.get("", response_model=PlacementPage)
def list_placements(
    organisation: CurrentOrg,
    session: SessionDep,
    window: WindowDep,
    vacancy_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    candidate_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Stage | None = None,
) -> PlacementPage:
    """Placements you are party to (officers: all)."""
    found = service.page(
        session=session,
        organisation=organisation,
        window=window,
        vacancy_id=vacancy_id,
        candidate_id=candidate_id,
        status=status,
    )
    return PlacementPage.of(found, window)
