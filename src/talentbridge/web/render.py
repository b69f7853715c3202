"""Pages from the package's Jinja2 templates, in the reader's language, under a strict CSP."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from talentbridge.db import unit_of_work
from talentbridge.deps import Person
from talentbridge.notifications import service as notifications
from talentbridge.organisations.models import OrgKind
from talentbridge.serving.reasons import place_names
from talentbridge.web.i18n import LANG_COOKIE, LOCALES, N_, Translator, negotiate

HERE = Path(__file__).resolve().parent
STATIC_URL = "/app/static"
# No inline script or style anywhere: scripts and styles are files of this origin.
APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
ONE_YEAR = 365 * 24 * 3600

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals["static"] = lambda path: f"{STATIC_URL}/{path}"

# Each kind of organisation's home and navigation: (label, path); admins also get ADMIN_NAV.
HOMES = {
    OrgKind.institute: "/app/candidates",
    OrgKind.employer: "/app/vacancies",
    OrgKind.officer: "/app/dashboard",
}
NAV: dict[str, list[tuple[str, str]]] = {
    OrgKind.institute: [(N_("Candidates"), "/app/candidates")],
    OrgKind.employer: [
        (N_("Vacancies"), "/app/vacancies"),
        (N_("Pipeline"), "/app/placements"),
        (N_("People you placed"), "/app/hires"),
    ],
    OrgKind.officer: [
        (N_("Dashboard"), "/app/dashboard"),
        (N_("Organisations"), "/app/organisations"),
        (N_("Demand"), "/app/demand"),
        (N_("Allocation plans"), "/app/plans"),
        (N_("Gate overrides"), "/app/overrides"),
        (N_("Possible duplicates"), "/app/duplicates"),
    ],
}
ADMIN_NAV = [(N_("People"), "/app/people"), (N_("API keys"), "/app/keys")]

# The flash messages a redirect may ask for with ?done=<key>: only these, never free text.
FLASHES = {
    "signed_out": N_("You have signed out."),
    "person_added": N_("The person has been added."),
    "person_deactivated": N_("The person has been deactivated and signed out everywhere."),
    "password_reset": N_("The password has been changed and the person signed out everywhere."),
    "key_revoked": N_("The API key has been revoked."),
    "vacancy_posted": N_("The vacancy has been posted."),
    "vacancy_saved": N_("The vacancy has been saved."),
    "vacancy_closed": N_("The vacancy has been closed."),
    "shortlisted": N_("The person has been shortlisted."),
    "moved": N_("The placement has been moved."),
    "message_sent": N_("Your message has been sent."),
    "plan_made": N_("The allocation plan has been made."),
    "override_recorded": N_("The override has been recorded."),
    "candidate_added": N_("The candidate has been added."),
    "candidate_saved": N_("The candidate's record has been saved."),
    "candidate_erased": N_("The candidate's record has been erased."),
    "pair_same_person": N_("Recorded: the two records are one person."),
    "pair_different_people": N_("Recorded: the two records are two different people."),
    "pair_reopened": N_("The decision has been taken back: the pair is open again."),
    "unsubscribed": N_("You will no longer get emails about this kind of event."),
    "email_settings_saved": N_("Your email settings have been saved."),
}


def navigation(person: Person | None) -> list[tuple[str, str]]:
    if person is None:
        return []
    items = list(NAV.get(person.organisation.kind, []))
    if person.user.role == "admin":
        items += ADMIN_NAV
    return items


def render(
    request: Request,
    t: Translator,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    person: Person | None = None,
    status_code: int = 200,
    csrf_token: str | None = None,
) -> HTMLResponse:
    """The page `template` with the frame's context: the translator (`t`, `_`, `ngettext`),
    the person, their CSRF token, the navigation, the flash message and the current path."""
    done = request.query_params.get("done")
    flash = FLASHES.get(done) if done else None
    html = env.get_template(template).render(
        request=request,
        t=t,
        _=t._,
        ngettext=t.ngettext,
        person=person,
        csrf_token=csrf_token if csrf_token is not None else (person.csrf_token if person else ""),
        nav=[(t._(label), path) for label, path in navigation(person)],
        flash=t._(flash) if flash else None,
        path=request.url.path,
        unread=_unread(request, person),
        **(context or {}),
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["content-security-policy"] = APP_CSP
    remember_language(request, response)
    return response


def _unread(request: Request, person: Person | None) -> int | None:
    """The header's count of the person's unread notifications (None when signed out)."""
    if person is None:
        return None
    with unit_of_work(request.app.state.session_factory, read_only=True) as session:
        return notifications.unread_count(
            session=session, organisation_id=person.organisation.id, user_id=person.user.id
        )


def standalone(request: Request, template: str) -> HTMLResponse:
    """A page outside the /app frame (the dashboard's, under /dashboard) in the reader's
    language, with the states' and prefectures' names in it for its script."""
    t = Translator(negotiate(request))
    html = env.get_template(template).render(
        t=t, _=t._, ngettext=t.ngettext, names=place_names(t.lang)
    )
    response = HTMLResponse(html)
    response.headers["content-language"] = t.lang
    response.headers["vary"] = "Accept-Language, Cookie"
    remember_language(request, response)
    return response


def remember_language(request: Request, response: Any) -> None:
    """`?lang=ja` / `?lang=en` switches and is remembered for a year."""
    chosen = request.query_params.get("lang")
    if chosen in LOCALES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=ONE_YEAR, samesite="lax", httponly=True)
