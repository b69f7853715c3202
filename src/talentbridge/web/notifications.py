"""/app/notifications: the organisation's events, newest first, each marked read by a click;
/app/notifications/settings: the person's email language and mode (each event, or a digest)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from talentbridge.db import utcnow
from talentbridge.deps import RecordId, SessionDep
from talentbridge.errors import NotFound
from talentbridge.notifications import digest, service
from talentbridge.notifications.models import EmailPreference
from talentbridge.stages import Stage
from talentbridge.web.deps import CsrfForm, CurrentPerson, T
from talentbridge.web.i18n import N_
from talentbridge.web.pipeline import STAGES
from talentbridge.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)

# What each kind of event says on the page (its data are ids and stages, never a name).
SENTENCES = {
    "placement.stage_changed": N_("Placement %(placement)s moved to %(stage)s."),
    "upload.finished": N_("Upload job %(job)s finished: %(failed)s of %(total)s records failed."),
    "override.recorded": N_("An officer recorded a gate override for vacancy %(vacancy)s."),
    "consent.withdrawn": N_("A candidate in your pipeline withdrew consent to share."),
    "vacancy.new_matches": N_("New candidates fit vacancy %(vacancy)s (%(count)s)."),
}
LANGUAGES = {"en": N_("English"), "ja": N_("日本語")}
MODES = {"each": N_("One email per event"), "digest": N_("A daily digest")}


def sentence(t: T, kind: str, data: dict[str, object]) -> str:
    template = SENTENCES.get(kind)
    if template is None:
        return kind
    stage = data.get("to", "")
    return t._(
        template,
        placement=data.get("placement_id", ""),
        stage=t._(STAGES[Stage(stage)]) if isinstance(stage, str) and stage in STAGES else stage,
        job=data.get("job_id", ""),
        failed=data.get("failed", 0),
        total=data.get("total", 0),
        vacancy=data.get("vacancy_id", ""),
        count=data.get("count", 0),
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


def _settings_page(
    request: Request, t: T, person: CurrentPerson, values: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    return render(
        request,
        t,
        "notification_settings.html",
        {
            "values": values,
            "errors": errors,
            "languages": [(k, t._(v)) for k, v in LANGUAGES.items()],
            "modes": [(k, t._(v)) for k, v in MODES.items()],
        },
        person=person,
        status_code=422 if errors else 200,
    )


@router.get("/notifications/settings")
def settings_page(
    request: Request, t: T, person: CurrentPerson, session: SessionDep
) -> HTMLResponse:
    preference = session.get(EmailPreference, person.user.id)
    values = {
        "language": preference.language
        if preference is not None and preference.language in LANGUAGES
        else ("ja" if person.organisation.kind == "employer" else "en"),  # as mail chooses
        "mode": preference.mode if preference is not None else "each",
    }
    return _settings_page(request, t, person, values, {})


@router.post("/notifications/settings", response_model=None)
def save_settings(
    request: Request, t: T, person: CurrentPerson, form: CsrfForm, session: SessionDep
) -> HTMLResponse | RedirectResponse:
    values = {"language": str(form.get("language", "")), "mode": str(form.get("mode", ""))}
    errors = {}
    if values["language"] not in LANGUAGES:
        errors["language"] = t._("Choose the language of your emails.")
    if values["mode"] not in MODES:
        errors["mode"] = t._("Choose one email per event or a daily digest.")
    if errors:
        return _settings_page(request, t, person, values, errors)
    digest.choose(session=session, user_id=person.user.id, now=utcnow(), **values)
    return RedirectResponse("/app/notifications/settings?done=email_settings_saved", 303)


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
