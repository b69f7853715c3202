"""Reasons in a reader's language: the engine's `Reason(kind, params)` as sentences.

Every sentence is a whole one in the gettext catalogue of the `reasons` domain
(`talentbridge/locale/<locale>/LC_MESSAGES/reasons.po`, read with Babel), with named
placeholders and plural forms; the values put into it are formatted for the locale:
occupation, state and prefecture names in Japanese where a Japanese name is known
(`locale/ja/names.json`), lists, dates and numbers as the locale writes them. Skill names
stay as the vacancy wrote them.

    render(match.reasons, "ja")                 # -> list[str]
    render_reason(reason, negotiate("ja,en;q=0.5"))
"""

import io
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from talentbridge import reference
from talentbridge.matching.reasons import Reason
from talentbridge.reference.places import prefecture_kanji

LOCALES = ("en", "ja")
DEFAULT_LOCALE = "en"
DOMAIN = "reasons"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


class Message(NamedTuple):
    """One sentence of the catalogue; with `plural`, chosen by the parameter `counter`."""

    singular: str
    plural: str | None = None
    counter: str | None = None


def N_(singular: str) -> Message:  # noqa: N802  (gettext's marker name, for extraction)
    return Message(singular)


def NP_(singular: str, plural: str, count: str) -> Message:  # noqa: N802
    return Message(singular, plural, count)


# kind -> variant -> sentence. The variant is "" unless `_variant` picks another.
MESSAGES: dict[str, dict[str, Message]] = {
    "gate_sector": {"": N_("Works in {candidate_sector}; the vacancy is in {vacancy_sector}.")},
    "gate_age": {"": N_("Is under 18 on {date}.")},
    "gate_skill_test": {"": N_("Has not passed the {test}, which the vacancy requires.")},
    "gate_japanese_level": {"": N_("Japanese ({japanese}) is below the required {required}.")},
    "gate_care_language_test": {
        "": N_("Has not passed the Nursing Care Japanese Language Evaluation Test.")
    },
    "gate_consent": {"": N_("Has not consented to share their profile with employers.")},
    "gate_availability": {
        "": N_("Is available only from {available}, after the start date of {start}.")
    },
    "gate_not_placed": {"": N_("Is already placed in another vacancy.")},
    "gate_vacancy_open": {"": N_("The vacancy is closed or all its openings are filled.")},
    "same_occupation": {"": N_("Same occupation: {occupation}.")},
    "same_occupation_group": {
        "": N_("Works in the same group of occupations: {group}."),
        "unnamed": N_("Works in the same group of occupations."),
    },
    "related_occupation": {"": N_("Works in a related occupation.")},
    "title_fits_occupation": {
        "strong": N_("The title fits the occupation {occupation} well."),
        "some": N_("The title fits the occupation {occupation} in part."),
        "weak": N_("The title fits the occupation {occupation} a little."),
    },
    "title_similarity": {
        "strong": N_("The job titles are closely alike."),
        "some": N_("The job titles are somewhat alike."),
        "weak": N_("The job titles have little in common."),
    },
    "title_profile_similarity": {
        "strong": N_("The vacancy's title fits the person's experience closely."),
        "some": N_("The vacancy's title fits the person's experience in part."),
        "weak": N_("The vacancy's title fits the person's experience little."),
    },
    "profile_similarity": {
        "strong": N_("The person's profile is close to what the vacancy describes."),
        "some": N_("The person's profile is somewhat close to what the vacancy describes."),
        "weak": N_("The person's profile is far from what the vacancy describes."),
    },
    "occupation_tasks_similarity": {
        "strong": N_("The person's profile matches the work this job usually involves."),
        "some": N_("The person's profile matches part of the work this job usually involves."),
        "weak": N_("The person's profile matches little of the work this job usually involves."),
    },
    "words_in_common": {
        "": NP_(
            "The person's title, skills or summary share {count} word with the vacancy: {words}.",
            "The person's title, skills or summary share {count} words with the vacancy: {words}.",
            "count",
        )
    },
    "no_words_in_common": {
        "": N_("None of the vacancy's words appear in the person's title, skills or summary.")
    },
    "skills_held": {
        "": NP_(
            "Holds {held_count} of {required_count} required skill: {skills}.",
            "Holds {held_count} of {required_count} required skills: {skills}.",
            "required_count",
        )
    },
    "skills_none": {
        "": NP_(
            "Does not hold the one required skill.",
            "Holds none of the {required_count} required skills.",
            "required_count",
        )
    },
    "skills_lacking": {"": N_("Lacks {skills}.")},
    "essential_skills_lacking": {
        "": NP_(
            "Lacks {skills}, a skill this occupation cannot do without.",
            "Lacks {skills}, skills this occupation cannot do without.",
            "count",
        )
    },
    "experience": {"": N_("Has {years} of experience.")},
    "experience_meets": {"": N_("Has {years} of experience, meeting the {wanted} wanted.")},
    "experience_below": {"": N_("Has {years} of experience, less than the {wanted} wanted.")},
    "japanese_meets": {"": N_("Japanese ({japanese}) meets the required {required}.")},
    "japanese_exceeds": {"": N_("Japanese ({japanese}) is above the required {required}.")},
    "skill_test_passed": {"": N_("Has passed the {test}.")},
    "care_language_test_passed": {
        "": N_("Has passed the Nursing Care Japanese Language Evaluation Test.")
    },
    "available_by_start": {
        "": N_("Available from {available}, in time for the start on {start}."),
        "now": N_("Available now, in time for the start on {start}."),
    },
    "no_start_date": {
        "": N_("The vacancy starts as soon as a suitable person is available."),
        "dated": N_(
            "The vacancy starts as soon as a suitable person is available; "
            "this person is available from {available}."
        ),
    },
    "partner_state": {"": N_("Comes from {state}, a partner state of {prefecture}.")},
    "network_state": {
        "": N_(
            "Comes from {state}, which, like {prefecture}, belongs to the India–Japan "
            "Governors' Network."
        )
    },
    "no_partnership": {"": N_("Comes from {state}, which has no partnership with {prefecture}.")},
    "prefers_prefecture": {"": N_("Prefers to work in {prefecture}.")},
    "prefecture_not_preferred": {"": N_("{prefecture} is not among the preferred prefectures.")},
    "no_preference": {"": N_("Has not named preferred prefectures.")},
    "unfilled_no_candidates": {
        "": N_("No eligible candidate: nobody in scope works in this field.")
    },
    "unfilled_all_fail_gates": {
        "": NP_(
            "No eligible candidate: of the {supply} candidate in this field, {failures}.",
            "No eligible candidate: of the {supply} candidates in this field, {failures}.",
            "supply",
        )
    },
    "unfilled_too_few_eligible": {
        "": NP_(
            "Too few eligible candidates: {eligible} for {openings} opening.",
            "Too few eligible candidates: {eligible} for {openings} openings.",
            "openings",
        )
    },
    "unfilled_taken_elsewhere": {
        "": N_(
            "All taken by better uses: {elsewhere} of its {eligible} eligible candidates are "
            "proposed for other vacancies, where they place more people or score higher."
        ),
        "shortlist": N_(
            "All taken by better uses: {elsewhere} of the best {top_k} of its {eligible} "
            "eligible candidates are proposed for other vacancies, where they place more "
            "people or score higher."
        ),
    },
    "recorded": {"": N_("{text}")},
}

# Noun phrases put into the sentences above.
JAPANESE_TESTS = {
    "jlpt": N_("JLPT {level}"),
    "jft": N_("JFT-Basic, which counts as N4"),
    "none": N_("no Japanese test"),
}
# The SSW gates as a plan's failures name them ("3 fail the Japanese level").
GATE_NAMES = {
    "sector": N_("the field"),
    "age": N_("the age rule"),
    "skill_test": N_("the skills test"),
    "japanese_level": N_("the Japanese level"),
    "care_language_test": N_("the care language test"),
    "consent": N_("consent to share"),
    "availability": N_("the start date"),
    "not_placed": N_("not yet placed"),
    "vacancy_open": N_("an open vacancy"),
}
FAILING = NP_("{count} fails {gate}", "{count} fail {gate}", "count")
YEARS = NP_("{count} year", "{count} years", "count")
MONTHS = NP_("{count} month", "{count} months", "count")
UNKNOWN = N_("unknown")


def negotiate(accept_language: str | None) -> str:
    """The locale to answer in for an `Accept-Language` header: `ja` or `en` (default),
    by the header's order and q-values."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0].split("_")[0]
        if primary in LOCALES and quality > 0:
            wanted.append((-quality, position, primary))
    return min(wanted)[2] if wanted else DEFAULT_LOCALE


def render(reasons: Iterable[Reason], locale: str) -> list[str]:
    """The reasons as sentences in `locale` (`en` or `ja`; anything else reads as `en`)."""
    return [render_reason(reason, locale) for reason in reasons]


def render_reason(reason: Reason, locale: str) -> str:
    """One reason as one sentence in `locale`."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    variants = MESSAGES.get(reason.kind)
    if variants is None:
        raise KeyError(f"no sentence for the reason kind {reason.kind!r}")
    params = reason.params
    message = variants.get(_variant(reason.kind, params), variants.get("", Message("")))
    values = _values(params, locale)
    return _say(message, locale, params).format_map(_Missing(values))


def reason_codes(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    """The reasons as data (`[{kind, params}]`), as the API's `reason_codes` give them."""
    return [reason.as_data() for reason in reasons]


def _variant(kind: str, params: Mapping[str, Any]) -> str:
    if "strength" in params and kind != "words_in_common":
        return str(params["strength"])
    if kind == "same_occupation_group" and not params.get("group"):
        return "unnamed"
    if kind == "available_by_start" and not params.get("available"):
        return "now"
    if kind == "no_start_date" and params.get("available"):
        return "dated"
    if kind == "unfilled_taken_elsewhere" and params.get("eligible", 0) > params.get("top_k", 0):
        return "shortlist"
    return ""


class _Missing(dict[str, str]):
    """Format values; a placeholder without a value reads as '?' (never a KeyError)."""

    def __missing__(self, key: str) -> str:
        return "?"


@cache
def translations(locale: str) -> Translations:
    """The `reasons` catalogue of a locale, read from its .po file with Babel (once)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _say(message: Message, locale: str, params: Mapping[str, Any]) -> str:
    catalogue = translations(locale)
    if message.plural is None or message.counter is None:
        return catalogue.gettext(message.singular)
    return catalogue.ngettext(message.singular, message.plural, int(params.get(message.counter, 0)))


@cache
def _names(locale: str) -> dict[str, dict[str, str]]:
    """Japanese names of states, sectors, tests, occupations and groups (empty for en)."""
    path = LOCALE_DIR / locale / "names.json"
    names: dict[str, dict[str, str]] = (
        json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    )
    if locale == "ja":
        names["prefectures"] = prefecture_kanji()
    return names


def place_names(locale: str) -> dict[str, dict[str, str]]:
    """The states' and prefectures' names in `locale` (English name -> its name; empty for
    en), for the dashboard pages' lists."""
    names = _names(locale if locale in LOCALES else DEFAULT_LOCALE)
    return {"states": names.get("states", {}), "prefectures": names.get("prefectures", {})}


def _name(locale: str, table: str, english: Any) -> str:
    if english is None:
        return translations(locale).gettext(UNKNOWN.singular)
    return _names(locale).get(table, {}).get(str(english), str(english))


def _sector(locale: str, sector: Any) -> str:
    info = reference.SECTOR_INFO.get(str(sector))
    english = info["label"].lower() if info else str(sector)
    return _names(locale).get("sectors", {}).get(str(sector), english)


def _test(locale: str, sector: Any) -> str:
    info = reference.SECTOR_INFO.get(str(sector))
    english = info["skills_test"] if info else f"{sector} skills test"
    return _names(locale).get("skills_tests", {}).get(str(sector), english)


def _japanese(locale: str, held: Any) -> str:
    held = held or {}
    return _japanese_test(locale, str(held.get("test")), str(held.get("level") or ""))


@lru_cache(maxsize=64)
def _japanese_test(locale: str, test: str, level: str) -> str:
    phrase = JAPANESE_TESTS.get(test, JAPANESE_TESTS["none"])
    return translations(locale).gettext(phrase.singular).format(level=level)


# Formatting a number, date or list with Babel costs tens of microseconds, and a page of
# matches holds hundreds of the same few values: each is formatted once per locale.
@lru_cache(maxsize=4096)
def _number(locale: str, value: float) -> str:
    return format_decimal(value, locale=locale)


@lru_cache(maxsize=1024)
def _duration(locale: str, years: Any) -> str:
    """Experience as the locale says it: months under a year, else years (to a tenth)."""
    value = float(years or 0)
    if 0 < value < 1:
        count: float = max(1, round(value * 12))
        message = MONTHS
    else:
        count = round(value, 1)
        count = int(count) if count == int(count) else count
        message = YEARS
    catalogue = translations(locale)
    text = catalogue.ngettext(message.singular, str(message.plural), int(count) if count else 0)
    return text.format(count=_number(locale, count))


@lru_cache(maxsize=4096)
def _date(locale: str, iso: Any) -> str:
    if not iso:
        return translations(locale).gettext(UNKNOWN.singular)
    return format_date(date.fromisoformat(str(iso)), format="long", locale=locale)


def _list(locale: str, items: Any) -> str:
    return _joined(locale, tuple(str(item) for item in items or ()))


@lru_cache(maxsize=4096)
def _joined(locale: str, items: tuple[str, ...]) -> str:
    return format_list(list(items), locale=locale)


def _failures(locale: str, failing: Any) -> str:
    """How many fail each gate, as a list: "3 fail the Japanese level and 1 fails ..."."""
    catalogue = translations(locale)
    phrases = []
    for item in failing or ():
        gate = GATE_NAMES.get(str(item["gate"]), Message(str(item["gate"])))
        count = int(item["count"])
        text = catalogue.ngettext(FAILING.singular, str(FAILING.plural), count)
        phrases.append(
            text.format(
                count=_number(locale, count),
                gate=catalogue.gettext(gate.singular),
            )
        )
    return format_list(phrases, locale=locale)


Formatter = Callable[[str, Any], str]
FORMAT: dict[str, Formatter] = {
    "occupation": lambda locale, v: _name(locale, "occupations", v),
    "group": lambda locale, v: _name(locale, "occupation_groups", v),
    "state": lambda locale, v: _name(locale, "states", v),
    "prefecture": lambda locale, v: _name(locale, "prefectures", v),
    "candidate_sector": _sector,
    "vacancy_sector": _sector,
    "japanese": _japanese,
    "date": _date,
    "available": _date,
    "start": _date,
    "years": _duration,
    "wanted": _duration,
    "skills": _list,
    "words": _list,
    "failures": _failures,
}


def _values(params: Mapping[str, Any], locale: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in params.items():
        if name in FORMAT:
            values[name] = FORMAT[name](locale, value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = _number(locale, value)
        else:
            values[name] = str(value)
    if "sector" in params:
        values["test"] = _test(locale, params["sector"])
    return values


def every_message() -> list[Message]:
    """Every sentence and phrase the renderer may ask the catalogue for (for the tests)."""
    sentences = [message for variants in MESSAGES.values() for message in variants.values()]
    phrases = [*JAPANESE_TESTS.values(), *GATE_NAMES.values(), FAILING, YEARS, MONTHS]
    return [*sentences, *phrases, UNKNOWN]
