"""Every string of the pages (the /app templates and modules, and the dashboard pages' templates
and scripts) is in both catalogues, with the same placeholders in Japanese."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from talentbridge.web.i18n import LOCALE_DIR, Translator

SRC = Path(__file__).resolve().parents[2] / "src" / "talentbridge"
WEB = SRC / "web"
SCRIPTS = SRC / "reports" / "static"
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _used() -> dict[str | tuple[str, ...], str]:
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _, _ in extract_from_dir(str(WEB), METHODS):
        if message:
            found[message] = f"{filename}:{lineno}"
    return found


def _catalogue(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def _japanese():  # type: ignore[no-untyped-def]
    return _catalogue("ja")


def test_every_string_of_the_pages_has_its_japanese() -> None:
    used = _used()
    assert len(used) > 40, "the extractor found the pages' strings"
    catalog = _japanese()
    missing = []
    for message, where in used.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        strings = entry.string if entry else None
        if entry is not None and entry.fuzzy:
            missing.append(f"{where}: {msgid!r} (fuzzy: a guess, not used until checked)")
        elif not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        "strings without Japanese (pybabel extract + update, then translate; docs/web.md):\n"
        + "\n".join(missing)
    )


def test_translations_keep_the_placeholders() -> None:
    for entry in _japanese():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == expected, entry.id


def test_numbers_and_dates_as_each_locale_writes_them() -> None:
    from datetime import date

    assert Translator("en").number(12345) == "12,345"
    assert Translator("ja").date(date(2026, 12, 7)) == "2026/12/07"
    assert Translator("en").date(date(2026, 12, 7)) == "Dec 7, 2026"
    assert Translator("ja").ngettext("%(num)s person", "%(num)s people", 1200) == "1,200 人"
    assert Translator("en").ngettext("%(num)s person", "%(num)s people", 1) == "1 person"


def test_every_string_of_the_pages_is_in_the_english_catalogue_too() -> None:
    used = _used()
    assert any("dashboard/progress.html" in where for where in used.values()), "dashboard read"
    catalog = _catalogue("en")
    missing = [
        f"{where}: {message!r}"
        for message, where in used.items()
        if catalog.get(message[0] if isinstance(message, tuple) else message) is None
    ]
    assert not missing, "strings missing from en/LC_MESSAGES/messages.po:\n" + "\n".join(missing)


# The dashboard pages' scripts say nothing of their own: each word is a key of the messages
# their template puts in <body data-messages> (through the catalogue).
SAID = re.compile(r"""say\(\s*"(\w+)"|MESSAGES\[`(\w+?)_\$""")
OFFERED = re.compile(r"""^\s*"(\w+)": _\(""", re.M)
SENTENCE = re.compile(r"""["'`][A-Z][a-z]+ [a-z]+ [a-z]+""")


def test_the_dashboard_scripts_words_come_from_their_page() -> None:
    for script, template in (("dashboard.js", "progress.html"), ("demand.js", "demand.html")):
        code = (SCRIPTS / script).read_text(encoding="utf-8")
        page = (WEB / "templates" / "dashboard" / template).read_text(encoding="utf-8")
        offered = set(OFFERED.findall(page))
        said = {key or prefix for key, prefix in SAID.findall(code)}
        assert len(said) > 10, script
        unknown = {
            key
            for key in said
            if key not in offered and not any(o.startswith(key + "_") for o in offered)
        }
        assert not unknown, f"{script} says keys its page does not give: {sorted(unknown)}"
        english = [line.strip() for line in code.splitlines() if SENTENCE.search(line)]
        assert not english, f"{script} has English sentences of its own: {english}"
