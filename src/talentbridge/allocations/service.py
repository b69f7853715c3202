"""Allocation plans: who could be placed where today, proposed to officers and employers.

The rules: only pairs passing every SSW gate; each candidate at most once; no vacancy
beyond its remaining openings; nobody already in an active pipeline or placed is offered.
"""

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from talentbridge.allocations.edges import Edges, TopK
from talentbridge.allocations.models import AllocationPlan, Assignment
from talentbridge.allocations.schemas import (
    AssignmentRead,
    PlanRead,
    PlanSummary,
    Proposal,
    Proposals,
    Scope,
    Unfilled,
)
from talentbridge.allocations.solver import assign, greedy
from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.db import utcnow
from talentbridge.errors import NotFound
from talentbridge.matching.explain import component_reasons
from talentbridge.matching.features import CANDIDATE_COLUMNS, STATE_CODE, VACANCY_COLUMNS
from talentbridge.matching.reasons import Reason
from talentbridge.matching.scoring import expansion
from talentbridge.matching.store import ColumnStore
from talentbridge.organisations.models import Organisation
from talentbridge.pages import Slice, Window, paginate
from talentbridge.placements import service as placement_service
from talentbridge.placements.models import Placement
from talentbridge.serving.reasons import reason_codes, render, render_reason
from talentbridge.serving.schemas import CandidateSummary
from talentbridge.stages import FORWARD, OPEN
from talentbridge.vacancies.models import Vacancy

TOP_K = 50
OPENINGS_RULE = (
    "openings - placed - candidates in the vacancy's active pipeline "
    "(shortlisted, interviewing, offered, visa_processing), at least 0"
)
BUSY = FORWARD  # in the pipeline or placed


@dataclass(frozen=True)
class _Open:
    """A vacancy in scope with openings left."""

    id: int
    title: str
    sector: str
    left: int


def _open_vacancies(session: Session, scope: Scope) -> list[_Open]:
    """Open vacancies of the scope with their remaining openings (see OPENINGS_RULE)."""
    active = (
        select(Placement.vacancy_id, func.count().label("n"))
        .where(Placement.status.in_(list(OPEN)))
        .group_by(Placement.vacancy_id)
        .subquery()
    )
    query = (
        select(
            Vacancy.id,
            Vacancy.title,
            Vacancy.sector,
            Vacancy.openings - Vacancy.placed_count - func.coalesce(active.c.n, 0),
        )
        .outerjoin(active, active.c.vacancy_id == Vacancy.id)
        .where(Vacancy.is_open)
        .order_by(Vacancy.id)
    )
    if scope.sector:
        query = query.where(Vacancy.sector == scope.sector)
    if scope.prefecture:
        query = query.where(Vacancy.prefecture == scope.prefecture)
    return [
        _Open(i, title, sector, int(left))
        for i, title, sector, left in session.execute(query)
        if left > 0
    ]


def _busy_candidates(session: Session) -> set[int]:
    """Candidates in an active pipeline or placed: not offered again."""
    return set(
        session.scalars(
            select(Placement.candidate_id)
            .where(Placement.status.in_(list(BUSY)), Placement.candidate_id.is_not(None))
            .distinct()
        )
    )


def _title_fit(
    normaliser: Any, jobs: Sequence[Any], titles: np.ndarray | None, profiles: np.ndarray
) -> np.ndarray | None:
    """How well each vacancy's title fits each occupation of its sector, as the engine's
    `occ_scores` (a NaN row: unknown); all titles in a few batched products."""
    if normaliser is None or not len(jobs):
        return None
    scores: np.ndarray = normaliser.scores(
        [v.title for v in jobs], titles, [v.sector for v in jobs], profiles
    )
    return np.where(scores.max(axis=1, keepdims=True) > 0, scores, np.nan)


@dataclass
class _Copy:
    """The rows of one store the plan needs, copied, so the index may change meanwhile."""

    ids: np.ndarray
    columns: dict[str, np.ndarray]
    vectors: np.ndarray
    objects: dict[str, list[Any]]

    def values(self, row: int) -> dict[str, Any]:
        """One row's features, as the engine's explanations read them."""
        values: dict[str, Any] = {name: column[row] for name, column in self.columns.items()}
        values.update({name: objects[row] for name, objects in self.objects.items()})
        return values


def _copy(store: ColumnStore, ids: np.ndarray | None = None) -> _Copy:
    """Every live row of the store, or those with the given ids (all of them present)."""
    live = store.ids[: len(store)]
    if ids is None:
        rows = np.arange(len(live))
    else:
        order = np.argsort(live, kind="stable")
        rows = order[np.searchsorted(live[order], ids)]
    return _Copy(
        ids=live[rows].copy(),
        columns={name: store.column(name)[rows] for name in store.dtypes},
        vectors=store.live_vectors()[rows],
        objects={name: [values[r] for r in rows] for name, values in store.objects.items()},
    )


def _snapshot(matcher: Any, wanted: list[_Open]) -> tuple[_Copy, _Copy, list[_Open]]:
    """Candidates and the wanted vacancies, copied under the index's read lock when it
    offers one (`reading()`), so a refresh by another request cannot move rows mid-copy."""
    reading = getattr(matcher, "reading", None)
    with reading() if reading is not None else nullcontext():
        engine = matcher.engine
        live = set(engine.vacancies.ids[: len(engine.vacancies)].tolist())
        wanted = [v for v in wanted if v.id in live]
        people = _copy(engine.candidates)
        jobs = _copy(engine.vacancies, np.array([v.id for v in wanted], dtype=np.int64))
    return people, jobs, wanted


def _why(edges: Edges, row: int, left: int, filled: int, k: int) -> Reason:
    """Why a vacancy's openings were left unfilled, as a reason (rendered when read)."""
    eligible, supply = int(edges.eligible[row]), int(edges.supply[row])
    if supply == 0:
        return Reason("unfilled_no_candidates")
    if eligible == 0:
        fails = sorted(edges.failing.get(row, {}).items(), key=lambda item: (-item[1], item[0]))
        failures = [{"gate": gate, "count": int(n)} for gate, n in fails[:3]]
        return Reason("unfilled_all_fail_gates", {"supply": supply, "failures": failures})
    if eligible <= filled:
        return Reason(
            "unfilled_too_few_eligible", {"eligible": eligible, "openings": filled + left}
        )
    elsewhere = min(eligible, k) - filled
    params = {"elsewhere": elsewhere, "eligible": eligible, "top_k": k}
    return Reason("unfilled_taken_elsewhere", params)


def create_plan(
    *,
    session: Session,
    matcher: Any,
    normaliser: Any,
    organisation: Organisation | None,
    scope: Scope,
    top_k: int = TOP_K,
    today: date | None = None,
    progress: Callable[[int], Any] | None = None,
) -> AllocationPlan:
    """Plan the scope: the most people placed, then the highest total match score."""
    today = today or utcnow().date()
    matcher.refresh(session)
    engine = matcher.engine
    people, jobs, wanted = _snapshot(matcher, _open_vacancies(session, scope))
    capacity = np.array([v.left for v in wanted], dtype=np.int64)
    allowed = ~np.isin(people.ids, np.fromiter(_busy_candidates(session), dtype=np.int64))
    if scope.state:
        allowed &= people.columns["state"] == STATE_CODE[scope.state]
    titles = engine.titles.vectors[: len(engine.titles)].copy()  # rows only ever appended
    title_rows = jobs.columns["title"]
    asked = (
        np.where((title_rows >= 0)[:, None], titles[np.maximum(title_rows, 0)], 0.0)
        if len(titles)
        else None
    )
    fit = _title_fit(normaliser, wanted, asked, jobs.vectors)
    descriptions = normaliser.descriptions if normaliser is not None else None
    expansions = np.zeros_like(jobs.vectors)
    for row in range(len(wanted) if fit is not None else 0):
        expanded = expansion(np.nan_to_num(fit[row]), descriptions)  # type: ignore[index]
        if expanded is not None:
            expansions[row] = expanded
    edges = TopK(
        engine.weights,
        engine.partners,
        today,
        top_k,
        titles=titles,
        groups=engine.occupation_groups,
        words=(people.objects["terms"], jobs.objects["terms"]),
        frequencies=engine.candidates.frequencies,
        expansions=expansions,
    ).edges(
        {name: people.columns[name] for name in CANDIDATE_COLUMNS},
        people.vectors,
        people.objects["skill_keys"],
        {name: jobs.columns[name] for name in VACANCY_COLUMNS},
        jobs.vectors,
        jobs.objects["skill_keys"],
        skill_weights=jobs.objects["skill_weights"],
        fit=fit,
        allowed=allowed,
        progress=progress,
    )
    chosen = assign(edges.vacancy, edges.candidate, edges.score, capacity)
    baseline = greedy(edges.vacancy, edges.candidate, edges.score, capacity)
    filled = np.bincount(edges.vacancy[chosen], minlength=len(wanted))
    plan = AllocationPlan(
        organisation_id=organisation.id if organisation else None,
        sector=scope.sector,
        state=scope.state,
        prefecture=scope.prefecture,
        top_k=top_k,
        openings=int(capacity.sum()),
        filled=len(chosen),
        greedy_filled=len(baseline),
        total_score=round(float(edges.score[chosen].sum()), 4),
        greedy_total_score=round(float(edges.score[baseline].sum()), 4),
        unfilled=[
            {
                "vacancy_id": v.id,
                "openings_left": int(v.left - filled[i]),
                "why": _why(edges, i, int(v.left - filled[i]), int(filled[i]), top_k).as_data(),
            }
            for i, v in enumerate(wanted)
            if filled[i] < v.left
        ],
    )
    session.add(plan)
    session.flush()
    labels = getattr(engine, "occupation_labels", ())
    isco = getattr(engine, "isco_labels", {})
    pairs: list[dict[str, Any]] = []
    for e in chosen:
        job, person = int(edges.vacancy[e]), int(edges.candidate[e])
        components = {name: float(values[e]) for name, values in edges.components.items()}
        pairs.append(
            {
                "plan_id": plan.id,
                "vacancy_id": wanted[job].id,
                "candidate_id": int(people.ids[person]),
                "score": round(float(edges.score[e]), 4),
                "reasons": reason_codes(
                    component_reasons(
                        people.values(person), jobs.values(job), components, labels, isco, True
                    )
                ),
            }
        )
    if pairs:
        session.execute(insert(Assignment), pairs)
    if organisation is not None:
        audit.candidates(
            session,
            organisation.id,
            "allocate",
            [p["candidate_id"] for p in pairs],
            detail=f"allocation plan {plan.id}",
        )
    return plan


def summary_text(plan: AllocationPlan) -> str:
    """What `talentbridge allocate` prints."""
    scope = ", ".join(
        f"{name}={value}"
        for name in ("sector", "state", "prefecture")
        if (value := getattr(plan, name))
    )
    reasons: dict[str, int] = {}
    for unfilled in plan.unfilled:
        kind = render_reason(Reason.of(unfilled["why"]), "en").split(":")[0].lower()
        reasons[kind] = reasons.get(kind, 0) + unfilled["openings_left"]
    lines = [
        f"allocation plan {plan.id} ({scope or 'whole programme'}): "
        f"{plan.filled} of {plan.openings} openings filled, greedy {plan.greedy_filled}; "
        f"total score {plan.total_score:.2f}, greedy {plan.greedy_total_score:.2f}",
        f"openings counted as {OPENINGS_RULE}",
    ]
    lines += [f"  {n} openings left: {kind}" for kind, n in sorted(reasons.items())]
    return "\n".join(lines)


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _summary(plan: AllocationPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "created_at": _utc(plan.created_at),
        "scope": Scope(sector=plan.sector, state=plan.state, prefecture=plan.prefecture),
        "openings": plan.openings,
        "openings_counted_as": OPENINGS_RULE,
        "filled": plan.filled,
        "greedy_filled": plan.greedy_filled,
        "total_score": plan.total_score,
        "greedy_total_score": plan.greedy_total_score,
    }


def _reasons(stored: list[Any], locale: str) -> dict[str, Any]:
    """An assignment's stored reasons as the answers give them: sentences in `locale`, and
    the data."""
    reasons = [Reason.of(item) for item in stored or ()]
    return {"reasons": render(reasons, locale), "reason_codes": reason_codes(reasons)}


def _unfilled(stored: dict[str, Any], locale: str) -> Unfilled:
    """An unfilled vacancy as stored (its `why` as data; a sentence in older plans), with
    why in `locale` and as data."""
    why = Reason.of(stored["why"])
    return Unfilled(
        vacancy_id=stored["vacancy_id"],
        openings_left=stored["openings_left"],
        why=render_reason(why, locale),
        why_code=why.as_data(),
    )


def read(*, session: Session, plan_id: int, locale: str = "en") -> PlanRead:
    """A plan with its assignments (reasons in `locale`) and its unfilled vacancies."""
    plan = session.get(AllocationPlan, plan_id)
    if plan is None:
        raise NotFound(f"allocation plan {plan_id} not found")
    assignments = session.scalars(
        select(Assignment)
        .where(Assignment.plan_id == plan.id)
        .order_by(Assignment.vacancy_id, Assignment.score.desc(), Assignment.candidate_id)
    )
    return PlanRead(
        **_summary(plan),
        assignments=[
            AssignmentRead(
                vacancy_id=a.vacancy_id,
                candidate_id=a.candidate_id,
                score=a.score,
                **_reasons(a.reasons, locale),
            )
            for a in assignments
        ],
        unfilled=[_unfilled(u, locale) for u in plan.unfilled],
    )


def page(*, session: Session, window: Window) -> Slice[PlanSummary]:
    """Plans made so far, newest first, without their assignments."""
    found = paginate(session, select(AllocationPlan), window, order_by=[AllocationPlan.id.desc()])
    return Slice([PlanSummary(**_summary(p)) for p in found.items], found.total)


def proposals(
    *, session: Session, vacancy: Vacancy, organisation: Organisation, locale: str = "en"
) -> Proposals:
    """The newest plan's proposals for the vacancy, of people still consenting and free,
    with reasons in `locale`.

    Names and birth dates stay hidden from an employer until it shortlists the person,
    as in matches; shortlisting (POST /placements) is how a proposal is accepted.
    """
    plan_id = session.scalar(
        select(func.max(Assignment.plan_id)).where(Assignment.vacancy_id == vacancy.id)
    )
    if plan_id is None:
        return Proposals(vacancy_id=vacancy.id, plan_id=None, created_at=None, items=[])
    plan = session.get(AllocationPlan, plan_id)
    rows = session.execute(
        select(Assignment, Candidate)
        .join(Candidate, Candidate.id == Assignment.candidate_id)
        .where(
            Assignment.plan_id == plan_id,
            Assignment.vacancy_id == vacancy.id,
            Candidate.consent_to_share.is_(True),
            Candidate.id.not_in(placement_service.placed_ids()),
        )
        .order_by(Assignment.score.desc(), Assignment.candidate_id)
    ).all()
    views = placement_service.views_of(
        session=session, viewer=organisation, candidates=[c for _, c in rows]
    )
    shown = [(a, c) for a, c in rows if views[c.id].profile]
    ids = [candidate.id for _, candidate in shown]
    audit.candidates(session, organisation.id, "proposals", ids, detail=f"vacancy {vacancy.id}")
    return Proposals(
        vacancy_id=vacancy.id,
        plan_id=plan_id,
        created_at=_utc(plan.created_at) if plan else None,
        items=[
            Proposal(
                candidate_id=candidate.id,
                score=assignment.score,
                **_reasons(assignment.reasons, locale),
                candidate=CandidateSummary.of(candidate, named=views[candidate.id].identity),
            )
            for assignment, candidate in shown
        ],
    )
