"""The match service's answers: what the ranking found, cut to what the caller may see.

Below the routes and above the engine: the ranking knows nothing of tenancy; here each
candidate is shown as the visibility policy allows (via placements.service.views_of),
and every personal profile shown is written to the audit log.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements import service as placement_service
from talentbridge.serving.reasons import reason_codes, render
from talentbridge.serving.schemas import (
    CandidateMatch,
    CandidateMatches,
    CandidateSummary,
    MatchFields,
    VacancyMatch,
    VacancyMatches,
    VacancySummary,
)
from talentbridge.serving.sync import MatchService
from talentbridge.vacancies.models import Vacancy


def _fields(result: Any, locale: str) -> dict[str, Any]:
    """A ranked result's scores and reasons (as sentences in `locale` and as data), as the
    answer schemas name them."""
    fields = {
        name: getattr(result, name)
        for name in MatchFields.model_fields
        if name not in ("reasons", "reason_codes")
    }
    return {
        **fields,
        "reasons": render(result.reasons, locale),
        "reason_codes": reason_codes(result.reasons),
    }


def candidates_for_vacancy(
    session: Session,
    matcher: MatchService,
    vacancy: Vacancy,
    viewer: Organisation,
    limit: int,
    include_ineligible: bool,
    locale: str = "en",
) -> CandidateMatches:
    """Candidates for the vacancy, best first, as much of each as the viewer may see, with
    reasons in `locale`."""
    results = matcher.candidates_for(
        session,
        vacancy,
        limit=limit,
        include_ineligible=include_ineligible,
        # Employers never see people who have not consented, even among the ineligible.
        always_gates=("consent",) if viewer.kind == OrgKind.employer else (),
    )
    ids = [r.record_id for r in results]
    rows = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    views = placement_service.views_of(
        session=session, viewer=viewer, candidates=list(rows.values())
    )
    shown = [r for r in results if r.record_id in rows and views[r.record_id].profile]
    audit.candidates(
        session, viewer.id, "match", [r.record_id for r in shown], detail=f"vacancy {vacancy.id}"
    )
    items = [
        CandidateMatch(
            candidate_id=r.record_id,
            candidate=CandidateSummary.of(rows[r.record_id], named=views[r.record_id].identity),
            **_fields(r, locale),
        )
        for r in shown
    ]
    return CandidateMatches(vacancy_id=vacancy.id, items=items)


def vacancies_for_candidate(
    session: Session,
    matcher: MatchService,
    candidate: Candidate,
    limit: int,
    include_ineligible: bool,
    locale: str = "en",
) -> VacancyMatches:
    """Vacancies for the candidate, best first (vacancies hold no personal data), with
    reasons in `locale`."""
    results = matcher.vacancies_for(
        session, candidate, limit=limit, include_ineligible=include_ineligible
    )
    ids = [r.record_id for r in results]
    rows = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))}
    items = [
        VacancyMatch(
            vacancy_id=r.record_id,
            vacancy=VacancySummary.of(rows[r.record_id]),
            **_fields(r, locale),
        )
        for r in results
        if r.record_id in rows
    ]
    return VacancyMatches(candidate_id=candidate.id, items=items)
