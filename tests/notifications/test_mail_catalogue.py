"""Every sentence of the notification emails is in the Japanese catalogue, placeholders kept,
and the stages have the names the pages give them."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from talentbridge.notifications import mail
from talentbridge.web.i18n import LOCALE_DIR as WEB_LOCALE

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _catalogue(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as po:
        return read_po(po, locale="ja")


JAPANESE = mail.LOCALE_DIR / "ja" / "LC_MESSAGES" / f"{mail.DOMAIN}.po"


def _used() -> dict[str, int]:
    source = Path(mail.__file__)
    found = extract_from_file("python", str(source), keywords={"N_": None})
    return {message: line for line, message, _, _ in found if isinstance(message, str)}


def test_every_sentence_of_the_emails_has_its_japanese() -> None:
    used = _used()
    assert len(used) > 20, "the extractor found the emails' sentences"
    catalog = _catalogue(JAPANESE)
    missing = [
        f"mail.py:{line}: {message!r}"
        for message, line in used.items()
        if not (entry := catalog.get(message)) or not entry.string or entry.fuzzy
    ]
    assert not missing, "sentences without Japanese in notifications.po:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders() -> None:
    for entry in _catalogue(JAPANESE):
        if entry.id:
            assert set(PLACEHOLDER.findall(entry.string)) == set(PLACEHOLDER.findall(entry.id)), (
                entry.id
            )


def test_the_stages_are_named_as_on_the_pages() -> None:
    pages = _catalogue(WEB_LOCALE / "ja" / "LC_MESSAGES" / "messages.po")
    emails = _catalogue(JAPANESE)
    for stage, name in mail.STAGES.items():
        assert emails.get(name).string == pages.get(name).string, stage
