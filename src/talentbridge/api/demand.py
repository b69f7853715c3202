from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from talentbridge.deps import CurrentOrg, SessionDep
from talentbridge.fields import PrefectureName, Sector, StateName
from talentbridge.reports import demand as service
from talentbridge.reports import export
from talentbridge.reports.demand_schemas import DemandReport
from talentbridge.web.render import standalone

router = APIRouter(prefix="/reports", tags=["reports"])
pages = APIRouter(include_in_schema=False)


def demand_filters(
    sector: Sector | None = None,
    state: Annotated[StateName | None, Query(description="candidates' Indian state")] = None,
    prefecture: Annotated[PrefectureName | None, Query(description="vacancies' prefecture")] = None,
) -> service.DemandFilters:
    return service.DemandFilters(sector=sector, state=state, prefecture=prefecture)


DemandFiltersDep = Annotated[service.DemandFilters, Depends(demand_filters)]


@router.get("/demand", response_model=DemandReport)
def demand(organisation: CurrentOrg, session: SessionDep, chosen: DemandFiltersDep) -> DemandReport:
    """What open vacancies ask for (skills, occupations, Japanese, tests) beside the supply:
    an institute's own candidates, everyone's for officers; employers see demand only."""
    return service.demand(session=session, organisation=organisation, filters=chosen)


@router.get("/demand.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def demand_csv(organisation: CurrentOrg, session: SessionDep, chosen: DemandFiltersDep) -> Response:
    """The same report as one CSV table: section, name, vacancies, openings, supply, gap."""
    report = service.demand(session=session, organisation=organisation, filters=chosen)
    return Response(
        export.csv_text(service.to_csv_rows(report)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="demand.csv"'},
    )


@pages.get("/dashboard/demand", response_class=HTMLResponse)
def demand_page(request: Request) -> HTMLResponse:
    """The demand view: top skill and occupation gaps per sector, for the signed-in
    institute or officer (an employer sees the openings alone)."""
    return standalone(request, "dashboard/demand.html")
