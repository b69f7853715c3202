from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from talentbridge.allocations import service
from talentbridge.allocations.schemas import (
    AllocationCreate,
    PlanPage,
    PlanRead,
    Proposals,
    Scope,
)
from talentbridge.deps import CurrentOrg, SessionDep, ToolsDep, require
from talentbridge.errors import DomainError
from talentbridge.fields import MAX_ID
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.vacancies.router import VisibleVacancy

router = APIRouter(tags=["allocations"])
Officer = Annotated[Organisation, Depends(require(OrgKind.officer))]


class Unavailable(DomainError):
    status_code = 503


def _matcher(request: Request) -> Any:
    matcher = getattr(request.app.state, "matcher", None)
    if matcher is None:
        raise Unavailable("matching is not loaded in this server process")
    return matcher


@router.post("/allocations", status_code=status.HTTP_201_CREATED, response_model=PlanRead)
def create_allocation(
    request: Request,
    officer: Officer,
    session: SessionDep,
    tools: ToolsDep,
    body: AllocationCreate | None = None,
) -> PlanRead:
    """Plan today's openings: the most people placed, then the highest total match score,
    beside what greedy (vacancies in turn take their best remaining candidate) would place."""
    scope = Scope(**(body or AllocationCreate()).model_dump())
    plan = service.create_plan(
        session=session,
        matcher=_matcher(request),
        normaliser=tools.normaliser if tools else None,
        organisation=officer,
        scope=scope,
    )
    return service.read(session=session, plan_id=plan.id)


@router.get("/allocations", response_model=PlanPage)
def list_allocations(
    _: Officer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PlanPage:
    """Plans made so far, newest first (without their assignments)."""
    items, total = service.page(session=session, limit=limit, offset=offset)
    return PlanPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/allocations/{plan_id}", response_model=PlanRead)
def read_allocation(
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)], _: Officer, session: SessionDep
) -> PlanRead:
    return service.read(session=session, plan_id=plan_id)


@router.get("/vacancies/{vacancy_id}/proposals", response_model=Proposals)
def vacancy_proposals(
    vacancy: VisibleVacancy, organisation: CurrentOrg, session: SessionDep
) -> Proposals:
    """The newest plan's proposed candidates for this vacancy (its employer, officers);
    accept one by shortlisting it (POST /api/v1/placements)."""
    return service.proposals(session=session, vacancy=vacancy, organisation=organisation)
