"""Officers' review of likely duplicates: the pairs best first (by status, a page at a time)
and one pair's two records side by side with the decision buttons, through the same
service as `GET/PATCH /api/v1/duplicates` (docs/duplicates.md)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from talentbridge.deps import RecordId, SessionDep
from talentbridge.duplicates import service as duplicates
from talentbridge.duplicates.models import DuplicatePair, PairStatus
from talentbridge.organisations import service as organisations
from talentbridge.pages import Window
from talentbridge.web.deps import CsrfForm, OfficerPerson, T
from talentbridge.web.i18n import N_, Translator
from talentbridge.web.render import render
from talentbridge.web.vacancies import SECTORS

router = APIRouter(prefix="/app", include_in_schema=False)

PER_PAGE = 20
MAX_PAGE = 10_000
REASONS_LISTED = 3  # on the list; a pair's page shows every comparison

STATUSES = {
    PairStatus.open: N_("Open"),
    PairStatus.same_person: N_("Same person"),
    PairStatus.different_people: N_("Different people"),
}
# The tabs of the list, with the count of each: the review's progress.
TABS = {
    PairStatus.open: N_("Open (%(count)s)"),
    PairStatus.same_person: N_("Same person (%(count)s)"),
    PairStatus.different_people: N_("Different people (%(count)s)"),
}
DONE = {
    PairStatus.open: "pair_reopened",
    PairStatus.same_person: "pair_same_person",
    PairStatus.different_people: "pair_different_people",
}
COMPARISONS = {
    "name": N_("Name"),
    "birth_date": N_("Birth date"),
    "state": N_("State"),
    "occupation": N_("Occupation"),
}
# What each comparison found (`reasons[].kind` and `params.level`), in plain words.
OUTCOMES = {
    ("name", "same"): N_("The same name, spelling and word order aside"),
    ("name", "sounds_alike"): N_("Names sound alike"),
    ("name", "typo"): N_("Names differ by a typo"),
    ("name", "words_missing"): N_("One name leaves out words of the other"),
    ("name", "partly_alike"): N_("Names partly alike"),
    ("name", "differ"): N_("Names differ"),
    ("birth_date", "same"): N_("The same birth date"),
    ("birth_date", "day_month_swapped"): N_("Day and month of birth swapped"),
    ("birth_date", "one_digit_off"): N_("Birth dates one digit apart"),
    ("birth_date", "two_digits_off"): N_("Birth dates two digits apart"),
    ("birth_date", "differ"): N_("Birth dates differ"),
    ("state", "same"): N_("The same state"),
    ("state", "differ"): N_("Different states"),
    ("occupation", "same_title"): N_("The same job title"),
    ("occupation", "alike_title"): N_("Job titles alike"),
    ("occupation", "same_sector"): N_("The same sector, another job title"),
    ("occupation", "other_sector"): N_("Different sectors"),
}
# A level this page does not know yet (a new comparison or scoring): which way it points.
TOWARDS_ONE = N_("%(comparison)s: points to one person")
TOWARDS_TWO = N_("%(comparison)s: points to two people")
NO_STATUS = N_("Choose Same person, Different people or Reopen")


def _weight(reason: dict[str, Any]) -> float:
    weight = reason.get("params", {}).get("weight", 0)
    return float(weight) if isinstance(weight, int | float) else 0.0


def outcome(t: Translator, reason: dict[str, Any]) -> str:
    """One comparison's finding in the reader's language (never its level key or weight)."""
    kind = str(reason.get("kind", ""))
    known = OUTCOMES.get((kind, str(reason.get("params", {}).get("level", ""))))
    if known is not None:
        return t._(known)
    comparison = t._(COMPARISONS[kind]) if kind in COMPARISONS else t._("Another comparison")
    return t._(TOWARDS_ONE if _weight(reason) > 0 else TOWARDS_TWO, comparison=comparison)


def _comparisons(t: Translator, pair: DuplicatePair) -> list[dict[str, str]]:
    return [
        {
            "comparison": t._(COMPARISONS.get(str(r.get("kind")), N_("Another comparison"))),
            "outcome": outcome(t, r),
            "towards": t._("One person") if _weight(r) > 0 else t._("Two people"),
        }
        for r in pair.reasons
    ]


def _page_number(raw: str | None) -> int:
    return max(1, min(MAX_PAGE, int(raw))) if raw and raw.isdigit() and len(raw) < 7 else 1


@router.get("/duplicates")
def pairs(request: Request, t: T, person: OfficerPerson, session: SessionDep) -> HTMLResponse:
    asked = request.query_params
    status = asked.get("status", PairStatus.open)
    status = status if status in STATUSES else PairStatus.open
    number = _page_number(asked.get("page"))
    found = duplicates.page(
        session=session,
        organisation=person.organisation,
        status=status,
        window=Window(limit=PER_PAGE, offset=(number - 1) * PER_PAGE),
    )
    names = duplicates.listed_names(session=session, pairs=found.items)
    counts = duplicates.counts(session=session, organisation=person.organisation)
    rows = [
        {
            "id": p.id,
            "records": [names.get(i, ("", "")) for i in (p.candidate_a, p.candidate_b)],
            "score": t.percent(p.score),
            "reasons": [outcome(t, r) for r in p.reasons[:REASONS_LISTED]],
        }
        for p in found.items
    ]
    tabs = [(s, t._(label, count=t.number(counts[s]))) for s, label in TABS.items()]
    return render(
        request,
        t,
        "officer/duplicates.html",
        {
            "rows": rows,
            "total": found.total,
            "status": status,
            "status_name": t._(STATUSES[PairStatus(status)]),
            "tabs": tabs,
            "number": number,
            "pages": max(1, -(-found.total // PER_PAGE)),
        },
        person=person,
    )


def _pair_page(
    request: Request,
    t: Translator,
    person: OfficerPerson,
    session: SessionDep,
    pair_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    organisation = person.organisation
    pair = duplicates.get(session=session, organisation=organisation, pair_id=pair_id)
    a, b = duplicates.records_of(session=session, organisation=organisation, pair=pair)
    institutes = {
        r.institute_id: organisations.get(session=session, organisation_id=r.institute_id).name
        for r in (a, b)
    }

    def row(label: str, show: Any) -> tuple[str, str, str]:
        return (t._(label), show(a), show(b))

    fields = [
        row(N_("Name"), lambda r: r.full_name),
        row(N_("Birth date"), lambda r: t.date(r.date_of_birth)),
        row(N_("State"), lambda r: r.state),
        row(N_("Sector"), lambda r: t._(SECTORS[r.sector]) if r.sector in SECTORS else r.sector),
        row(N_("Job title"), lambda r: r.job_title or ""),
        row(N_("Institute"), lambda r: institutes[r.institute_id]),
        row(N_("External ID"), lambda r: r.external_id),
        row(N_("Added"), lambda r: t.datetime(r.created_at)),
    ]
    decisions = [
        (s, t._(label))
        for s, label in (
            (PairStatus.same_person, N_("Same person")),
            (PairStatus.different_people, N_("Different people")),
            (PairStatus.open, N_("Reopen")),
        )
        if s != pair.status
    ]
    return render(
        request,
        t,
        "officer/duplicate.html",
        {
            "pair": pair,
            "score": t.percent(pair.score),
            "status_name": t._(STATUSES[PairStatus(pair.status)]),
            "fields": fields,
            "comparisons": _comparisons(t, pair),
            "decisions": decisions,
            "errors": errors or {},
        },
        person=person,
        status_code=status_code,
    )


@router.get("/duplicates/{pair_id}")
def pair_page(
    request: Request, t: T, pair_id: RecordId, person: OfficerPerson, session: SessionDep
) -> HTMLResponse:
    return _pair_page(request, t, person, session, pair_id)


@router.post("/duplicates/{pair_id}/decide", response_model=None)
def decide(
    request: Request,
    t: T,
    pair_id: RecordId,
    person: OfficerPerson,
    form: CsrfForm,
    session: SessionDep,
) -> HTMLResponse | RedirectResponse:
    """The buttons' decision, as `PATCH /api/v1/duplicates/{id}` makes it (audited there)."""
    status = form.get("status")
    if status not in DONE:
        errors = {"decision": t._(NO_STATUS)}
        return _pair_page(request, t, person, session, pair_id, errors=errors, status_code=422)
    pair = duplicates.decide(
        session=session, officer=person.organisation, pair_id=pair_id, status=str(status)
    )
    return RedirectResponse(f"/app/duplicates/{pair.id}?done={DONE[PairStatus(status)]}", 303)
