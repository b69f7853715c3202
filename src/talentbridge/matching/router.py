from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from talentbridge import visibility
from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.candidates.router import VisibleCandidate
from talentbridge.deps import CurrentOrg, SessionDep
from talentbridge.errors import DomainError
from talentbridge.matching.schemas import (
    CandidateMatch,
    CandidateMatches,
    CandidateSummary,
    VacancyMatch,
    VacancyMatches,
    VacancySummary,
)
from talentbridge.matching.sync import MatchService
from talentbridge.organisations.models import OrgKind
from talentbridge.placements import service as placement_service
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.router import VisibleVacancy

router = APIRouter(tags=["matching"])
Limit = Annotated[int, Query(ge=1, le=200)]


class Unavailable(DomainError):
    status_code = 503


def _matcher(request: Request) -> MatchService:
    matcher = getattr(request.app.state, "matcher", None)
    if matcher is None:
        raise Unavailable("matching is not loaded in this server process")
    return matcher


@router.get("/vacancies/{vacancy_id}/matches", response_model=CandidateMatches)
def candidates_for_vacancy(
    request: Request,
    vacancy: VisibleVacancy,
    organisation: CurrentOrg,
    session: SessionDep,
    limit: Limit = 20,
    include_ineligible: bool = False,
) -> CandidateMatches:
    """Eligible candidates for the vacancy, best first, each with its reasons."""
    employer = organisation.kind == OrgKind.employer
    results = _matcher(request).candidates_for(
        session,
        vacancy,
        limit=limit,
        include_ineligible=include_ineligible,
        # Employers never see people who have not consented, even among the ineligible.
        always_gates=("consent",) if employer else (),
    )
    ids = [r.record_id for r in results]
    rows = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    stages = placement_service.stages_with(session, organisation.id, ids) if employer else {}
    views = {
        c.id: visibility.candidate_view(
            role=organisation.kind,
            own=False,
            consent=c.consent_to_share,
            adult=visibility.is_adult(c.date_of_birth),
            stages=stages.get(c.id, ()),
        )
        for c in rows.values()
    }
    shown = [r for r in results if r.record_id in rows and views[r.record_id].profile]
    audit.record(
        session=session,
        organisation_id=organisation.id,
        action="match",
        entity="candidate",
        entity_ids=[r.record_id for r in shown],
        detail=f"vacancy {vacancy.id}",
    )
    items = [
        CandidateMatch(
            candidate_id=r.record_id,
            candidate=_summary(rows[r.record_id], views[r.record_id].identity),
            **_fields(r),
        )
        for r in shown
    ]
    return CandidateMatches(vacancy_id=vacancy.id, items=items)


@router.get("/candidates/{candidate_id}/matches", response_model=VacancyMatches)
def vacancies_for_candidate(
    request: Request,
    candidate: VisibleCandidate,
    session: SessionDep,
    limit: Limit = 20,
    include_ineligible: bool = False,
) -> VacancyMatches:
    """Vacancies the candidate is eligible for, best first, each with its reasons."""
    results = _matcher(request).vacancies_for(
        session, candidate, limit=limit, include_ineligible=include_ineligible
    )
    ids = [r.record_id for r in results]
    rows = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))}
    items = [
        VacancyMatch(
            vacancy_id=r.record_id, vacancy=_vacancy_summary(rows[r.record_id]), **_fields(r)
        )
        for r in results
        if r.record_id in rows
    ]
    return VacancyMatches(candidate_id=candidate.id, items=items)


def _fields(result):  # type: ignore[no-untyped-def]
    return {
        "rank": result.rank,
        "score": result.score,
        "eligible": result.eligible,
        "components": result.components,
        "reasons": result.reasons,
        "failed_gates": result.failed_gates,
        "pending": result.pending,
    }


def _summary(candidate: Candidate, named: bool) -> CandidateSummary:
    return CandidateSummary(
        state=candidate.state,
        sector=candidate.sector,
        job_title=candidate.job_title,
        occupation=candidate.occupation_label,
        skills=candidate.skills,
        experience_years=candidate.experience_years,
        japanese_level=candidate.japanese_level,
        jft_basic_passed=candidate.jft_basic_passed,
        available_from=candidate.available_from,
        full_name=candidate.full_name if named else None,
        date_of_birth=candidate.date_of_birth if named else None,
    )


def _vacancy_summary(vacancy: Vacancy) -> VacancySummary:
    return VacancySummary(
        title=vacancy.title,
        sector=vacancy.sector,
        prefecture=vacancy.prefecture,
        occupation=vacancy.occupation_label,
        openings=vacancy.openings - vacancy.placed_count,
        monthly_wage_jpy=vacancy.monthly_wage_jpy,
        start_date=vacancy.start_date,
    )
