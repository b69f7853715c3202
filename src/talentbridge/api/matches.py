"""Matches over HTTP: the routes parse and authorise; serving.answers decides what is shown."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from talentbridge.deps import (
    CurrentOrg,
    MatcherDep,
    ReaderLocale,
    SessionDep,
    VisibleCandidate,
    VisibleVacancy,
)
from talentbridge.serving import answers
from talentbridge.serving.schemas import CandidateMatches, VacancyMatches

router = APIRouter(tags=["matching"])


@dataclass(frozen=True)
class Asked:
    """How many matches, and whether the ineligible ones come too (with failed gates)."""

    limit: int
    include_ineligible: bool


def asked(
    limit: Annotated[int, Query(ge=1, le=200)] = 20, include_ineligible: bool = False
) -> Asked:
    return Asked(limit, include_ineligible)


AskedDep = Annotated[Asked, Depends(asked)]


@router.get("/vacancies/{vacancy_id}/matches", response_model=CandidateMatches)
def candidates_for_vacancy(
    vacancy: VisibleVacancy,
    organisation: CurrentOrg,
    session: SessionDep,
    matcher: MatcherDep,
    ask: AskedDep,
    locale: ReaderLocale,
) -> CandidateMatches:
    """Eligible candidates for the vacancy, best first, each with its reasons (sentences in
    the Accept-Language language, en or ja, and as data in `reason_codes`)."""
    return answers.candidates_for_vacancy(
        session, matcher, vacancy, organisation, ask.limit, ask.include_ineligible, locale
    )


@router.get("/candidates/{candidate_id}/matches", response_model=VacancyMatches)
def vacancies_for_candidate(
    candidate: VisibleCandidate,
    session: SessionDep,
    matcher: MatcherDep,
    ask: AskedDep,
    locale: ReaderLocale,
) -> VacancyMatches:
    """Vacancies the candidate is eligible for, best first, each with its reasons (sentences
    in the Accept-Language language, en or ja, and as data in `reason_codes`)."""
    return answers.vacancies_for_candidate(
        session, matcher, candidate, ask.limit, ask.include_ineligible, locale
    )
