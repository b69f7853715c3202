from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from talentbridge.deps import CurrentOrg, SessionDep, SettingsDep
from talentbridge.errors import Invalid, NotFound
from talentbridge.fields import EARLIEST_DATE, LATEST_DATE, PrefectureName, Sector, StateName
from talentbridge.reports import export, service
from talentbridge.reports.schemas import ProgressReport
from talentbridge.reports.static import STATIC
from talentbridge.web.render import standalone

router = APIRouter(prefix="/reports", tags=["reports"])
pages = APIRouter(include_in_schema=False)
# Dates a programme report can mean; beyond them month arithmetic leaves the calendar.
EARLIEST, LATEST = EARLIEST_DATE, LATEST_DATE


def filters(
    sector: Sector | None = None,
    state: Annotated[StateName | None, Query()] = None,
    prefecture: Annotated[PrefectureName | None, Query()] = None,
    date_from: Annotated[date | None, Query(alias="from", ge=EARLIEST, le=LATEST)] = None,
    date_to: Annotated[date | None, Query(alias="to", ge=EARLIEST, le=LATEST)] = None,
) -> service.Filters:
    if date_from and date_to and date_from > date_to:
        raise Invalid("'from' must not be after 'to'", field="from")
    return service.Filters(
        sector=sector, state=state, prefecture=prefecture, date_from=date_from, date_to=date_to
    )


FiltersDep = Annotated[service.Filters, Depends(filters)]


@router.get("/progress", response_model=ProgressReport)
def progress(
    organisation: CurrentOrg, session: SessionDep, settings: SettingsDep, chosen: FiltersDep
) -> ProgressReport:
    """Placements against the goal, with pace, projection and breakdowns.

    Officers see everything; an institute its own candidates, an employer its own vacancies.
    """
    return service.progress(
        session=session, settings=settings, organisation=organisation, filters=chosen
    )


@router.get(
    "/progress.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def progress_csv(
    organisation: CurrentOrg, session: SessionDep, settings: SettingsDep, chosen: FiltersDep
) -> Response:
    """The same report as CSV, for spreadsheets: a summary (as-of date, scope, filters, goal,
    percent, pace, projection) as field,value rows, a blank row, then the breakdowns."""
    report = service.progress(
        session=session, settings=settings, organisation=organisation, filters=chosen
    )
    return Response(
        export.csv_text(export.to_csv_rows(report)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="progress-{report.as_of}.csv"'},
    )


@pages.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """The officers' dashboard: one self-contained page that reads the report API, in the
    reader's language (?lang=, the remembered choice, Accept-Language)."""
    return standalone(request, "dashboard/progress.html")


# The pages' scripts and styles, as files (a strict CSP runs no inline script or style).
ASSETS = {
    f"{page}.{kind}": media
    for page in ("dashboard", "demand")
    for kind, media in (("js", "text/javascript"), ("css", "text/css"))
}


@pages.get("/dashboard/assets/{name}")
def dashboard_asset(name: str) -> Response:
    """One of the dashboard pages' scripts or style sheets."""
    media = ASSETS.get(name)
    if media is None:
        raise NotFound(f"no dashboard asset {name!r}", field="name")
    return Response((STATIC / name).read_bytes(), media_type=f"{media}; charset=utf-8")


@pages.get("/", response_class=HTMLResponse)
def home() -> HTMLResponse:
    return HTMLResponse(
        '<meta http-equiv="refresh" content="0; url=/dashboard">'
        '<a href="/dashboard">Dashboard</a> · <a href="/docs">API docs</a>'
    )
