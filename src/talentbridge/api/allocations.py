from typing import Annotated

from fastapi import APIRouter, Path, status

from talentbridge.allocations import service
from talentbridge.allocations.schemas import (
    AllocationCreate,
    PlanPage,
    PlanRead,
    Proposals,
    Scope,
)
from talentbridge.deps import (
    CurrentOrg,
    MatcherDep,
    Officer,
    ReaderLocale,
    SessionDep,
    ToolsDep,
    VisibleVacancy,
    WindowDep,
)
from talentbridge.fields import MAX_ID

router = APIRouter(tags=["allocations"])


@router.post("/allocations", status_code=status.HTTP_201_CREATED, response_model=PlanRead)
def create_allocation(
    officer: Officer,
    session: SessionDep,
    matcher: MatcherDep,
    tools: ToolsDep,
    locale: ReaderLocale,
    body: AllocationCreate | None = None,
) -> PlanRead:
    """Plan today's openings: the most people placed, then the highest total match score,
    beside what greedy (vacancies in turn take their best remaining candidate) would place."""
    scope = Scope(**(body or AllocationCreate()).model_dump())
    plan = service.create_plan(
        session=session,
        matcher=matcher,
        normaliser=tools.normaliser if tools else None,
        organisation=officer,
        scope=scope,
    )
    return service.read(session=session, plan_id=plan.id, locale=locale)


@router.get("/allocations", response_model=PlanPage)
def list_allocations(_: Officer, session: SessionDep, window: WindowDep) -> PlanPage:
    """Plans made so far, newest first (without their assignments)."""
    return PlanPage.of(service.page(session=session, window=window), window)


@router.get("/allocations/{plan_id}", response_model=PlanRead)
def read_allocation(
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    _: Officer,
    session: SessionDep,
    locale: ReaderLocale,
) -> PlanRead:
    """A plan with its assignments, their reasons in the Accept-Language language (en, ja)."""
    return service.read(session=session, plan_id=plan_id, locale=locale)


@router.get("/vacancies/{vacancy_id}/proposals", response_model=Proposals)
def vacancy_proposals(
    vacancy: VisibleVacancy, organisation: CurrentOrg, session: SessionDep, locale: ReaderLocale
) -> Proposals:
    """The newest plan's proposed candidates for this vacancy (its employer, officers);
    accept one by shortlisting it (POST /api/v1/placements)."""
    return service.proposals(
        session=session, vacancy=vacancy, organisation=organisation, locale=locale
    )
