"""/app/notifications: the organisation's events, newest first, each marked read by a click."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from talentbridge.deps import RecordId, SessionDep
from talentbridge.errors import NotFound
from talentbridge.notifications import service
from talentbridge.web.deps import CsrfForm, CurrentPerson, T
from talentbridge.web.i18n import N_
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

# What each kind of event says on the page (its data are ids and stages, never a name).
SENTENCES = {
    "placement.stage_changed": N_("Placement %(placement)s moved to %(stage)s."),
    "upload.finished": N_("Upload job %(job)s finished: %(failed)s of %(total)s records failed."),
    "override.recorded": N_("An officer recorded a gate override for vacancy %(vacancy)s."),
    "consent.withdrawn": N_("A candidate in your pipeline withdrew consent to share."),
}


def sentence(t: T, kind: str, data: dict[str, object]) -> str:
    template = SENTENCES.get(kind)
    if template is None:
        return kind
    return t._(
        template,
        placement=data.get("placement_id", ""),
        stage=data.get("to", ""),
        job=data.get("job_id", ""),
        failed=data.get("failed", 0),
        total=data.get("total", 0),
        vacancy=data.get("vacancy_id", ""),
    )


@router.get("/notifications")
def notifications(
    request: Request, t: T, person: CurrentPerson, session: SessionDep
) -> HTMLResponse:
    found = service.listing(
        session=session, organisation_id=person.organisation.id, user_id=person.user.id
    )
    rows = [(n, sentence(t, n.event.kind, n.event.data)) for n in found]
    return render(request, t, "notifications.html", {"rows": rows}, person=person)


@router.get("/notifications/unsubscribe")
def unsubscribe_page(request: Request, t: T, person: CurrentPerson, kind: str = "") -> HTMLResponse:
    """Where an email's unsubscribe link leads: one button, so a link alone changes nothing."""
    if kind not in SENTENCES:
        raise NotFound(f"no kind of event called {kind}", field="kind")
    return render(request, t, "unsubscribe.html", {"kind": kind}, person=person)


@router.post("/notifications/unsubscribe")
def unsubscribe(person: CurrentPerson, form: CsrfForm, session: SessionDep) -> RedirectResponse:
    service.unsubscribe(session=session, user_id=person.user.id, kind=str(form.get("kind", "")))
    return RedirectResponse("/app/notifications?done=unsubscribed", status_code=303)


@router.post("/notifications/{event_id}/read")
def read(
    event_id: RecordId, person: CurrentPerson, form: CsrfForm, session: SessionDep
) -> RedirectResponse:
    service.mark_read(
        session=session,
        event_id=event_id,
        organisation_id=person.organisation.id,
        user_id=person.user.id,
    )
    return RedirectResponse("/app/notifications", status_code=303)
