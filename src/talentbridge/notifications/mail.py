"""Email of events: one message per event and person, or a daily digest, in their language.

The sentences are the `notifications` gettext catalogue (`talentbridge/locale/ja/...`;
English is the msgid). A message names ids and stages, never a candidate's name or birth
date, and links to the page that unsubscribes from its kind.
"""

import io
import smtplib
import ssl
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from talentbridge.accounts.models import User
from talentbridge.config import Settings
from talentbridge.notifications.models import EmailPreference

DOMAIN = "notifications"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ("en", "ja")


def N_(message: str) -> str:  # noqa: N802  (gettext's marker name, for extraction)
    return message


SUBJECTS = {
    "placement.stage_changed": N_("Placement {placement_id} is now at the {to} stage"),
    "upload.finished": N_("Your upload {job_id} has finished"),
    "override.recorded": N_("An officer recorded an override for vacancy {vacancy_id}"),
    "consent.withdrawn": N_("A candidate withdrew consent to share"),
    "vacancy.new_matches": N_("New candidates fit vacancy {vacancy_id} ({count})"),
}
BODIES = {
    "placement.stage_changed": N_(
        "Placement {placement_id} for vacancy {vacancy_id} has moved from {from} to {to}."
    ),
    "upload.finished": N_(
        "Upload {job_id} has finished: {done} of {total} records are ready, {failed} failed."
    ),
    "override.recorded": N_(
        "An officer has recorded an exception to these gates for vacancy {vacancy_id}: {gates}."
    ),
    "consent.withdrawn": N_(
        "A candidate in placements {placement_ids} has withdrawn consent to share their "
        "profile. Their details are no longer shown to you."
    ),
    "vacancy.new_matches": N_(
        "New candidates fit vacancy {vacancy_id} and are among its best matches ({count}): "
        "candidates {candidate_ids}. Their profiles are in the vacancy's matches."
    ),
}
# The pipeline's stages as the pages name them (the same words as the web catalogue's).
STAGES = {
    "shortlisted": N_("Shortlisted"),
    "interviewing": N_("Interviewing"),
    "offered": N_("Offered"),
    "visa_processing": N_("Visa processing"),
    "placed": N_("Placed"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
GREETING = N_("Hello,")
CLOSING = N_("See the notifications page: {link}")
UNSUBSCRIBE = N_("To stop these emails about this kind of event: {link}")
SIGNATURE = N_("TalentBridge")
DIGEST_SUBJECT = N_("Your daily summary: notifications you have not read ({count})")
DIGEST_INTRO = N_("Here is what happened since your last summary that you have not read yet:")
DIGEST_MORE = N_("… and {count} more on the notifications page.")
DIGEST_SETTINGS = N_("To get one email per event instead, or to change the language: {link}")
DIGEST_LINES = 50  # events listed in one digest; the rest are counted


@cache
def _translations(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


def _say(language: str, message: str, values: dict[str, Any]) -> str:
    translate = _translations(language).gettext
    shown = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in values.items()}
    for key in ("from", "to"):  # a placement's stages, by the names the pages give them
        if isinstance(shown.get(key), str) and shown[key] in STAGES:
            shown[key] = translate(STAGES[shown[key]])
    return translate(message).format_map(_Blank(shown))


def language_of(person: User, preference: EmailPreference | None) -> str:
    """The person's chosen language; else Japanese for employers' people, English for others."""
    if preference is not None and preference.language in LANGUAGES:
        return preference.language
    return "ja" if person.organisation.kind == "employer" else "en"


def compose(settings: Settings, to: str, language: str, event: dict[str, Any]) -> EmailMessage:
    kind, data = event["kind"], dict(event["data"])
    base = settings.public_url.rstrip("/")
    unsubscribe = f"{base}/app/notifications/unsubscribe?kind={quote(kind)}"
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = _say(language, SUBJECTS.get(kind, kind), data)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["Content-Language"] = language
    lines = [
        _say(language, GREETING, {}),
        "",
        _say(language, BODIES.get(kind, kind), data),
        "",
        _say(language, CLOSING, {"link": f"{base}/app/notifications"}),
        _say(language, UNSUBSCRIBE, {"link": unsubscribe}),
        "",
        _say(language, SIGNATURE, {}),
    ]
    message.set_content("\n".join(lines))
    return message


def compose_digest(
    settings: Settings, to: str, language: str, events: list[dict[str, Any]], total: int
) -> EmailMessage:
    """One message listing the events (`kind`, `data`) of a day not read in-app; `total`
    counts them all, of which the first DIGEST_LINES are listed."""
    base = settings.public_url.rstrip("/")
    preferences = f"{base}/app/notifications/settings"
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = _say(language, DIGEST_SUBJECT, {"count": total})
    message["List-Unsubscribe"] = f"<{preferences}>"
    message["Content-Language"] = language
    listed = [
        "- " + _say(language, SUBJECTS.get(e["kind"], e["kind"]), dict(e["data"]))
        for e in events[:DIGEST_LINES]
    ]
    more = total - len(listed)
    lines = [
        _say(language, GREETING, {}),
        "",
        _say(language, DIGEST_INTRO, {}),
        "",
        *listed,
        *([_say(language, DIGEST_MORE, {"count": more})] if more > 0 else []),
        "",
        _say(language, CLOSING, {"link": f"{base}/app/notifications"}),
        _say(language, DIGEST_SETTINGS, {"link": preferences}),
        "",
        _say(language, SIGNATURE, {}),
    ]
    message.set_content("\n".join(lines))
    return message


def connect(settings: Settings) -> smtplib.SMTP:
    """A connection to the SMTP server of the settings (`none`, `starttls` or `tls`), logged
    in when the settings name a user."""
    assert settings.smtp_host, "email is off while TALENTBRIDGE_SMTP_HOST is unset"
    timeout = settings.webhook_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server on a connection of its own."""
    with connect(settings) as smtp:
        smtp.send_message(message)
