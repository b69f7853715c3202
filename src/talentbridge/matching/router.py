"""Matches over HTTP: the routes parse and authorise; matching.answers decides what is shown."""

from typing import Annotated

from fastapi import APIRouter, Query

from talentbridge.candidates.router import VisibleCandidate
from talentbridge.deps import CurrentOrg, MatcherDep, SessionDep
from talentbridge.matching import answers
from talentbridge.matching.schemas import CandidateMatches, VacancyMatches
from talentbridge.vacancies.router import VisibleVacancy

router = APIRouter(tags=["matching"])
Limit = Annotated[int, Query(ge=1, le=200)]


@router.get("/vacancies/{vacancy_id}/matches", response_model=CandidateMatches)
def candidates_for_vacancy(
    vacancy: VisibleVacancy,
    organisation: CurrentOrg,
    session: SessionDep,
    matcher: MatcherDep,
    limit: Limit = 20,
    include_ineligible: bool = False,
) -> CandidateMatches:
    """Eligible candidates for the vacancy, best first, each with its reasons."""
    return answers.candidates_for_vacancy(
        session=session,
        matcher=matcher,
        vacancy=vacancy,
        viewer=organisation,
        limit=limit,
        include_ineligible=include_ineligible,
    )


@router.get("/candidates/{candidate_id}/matches", response_model=VacancyMatches)
def vacancies_for_candidate(
    candidate: VisibleCandidate,
    session: SessionDep,
    matcher: MatcherDep,
    limit: Limit = 20,
    include_ineligible: bool = False,
) -> VacancyMatches:
    """Vacancies the candidate is eligible for, best first, each with its reasons."""
    return answers.vacancies_for_candidate(
        session=session,
        matcher=matcher,
        candidate=candidate,
        limit=limit,
        include_ineligible=include_ineligible,
    )
