"""English and Japanese: the gettext catalogues under locale/, the reader's language, and
dates and numbers as each locale writes them (Babel).

The .po files are the source and are read when the process starts (compiled in memory with
Babel), so there is no build step and no .mo file to keep current.
"""

import gettext
import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from starlette.requests import Request

LOCALES = ("en", "ja")
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_COOKIE = "tb_lang"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; translated where it is shown."""
    return message


@cache
def translations(lang: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _accepted(header: str) -> list[str]:
    """Accept-Language's languages, best first (`ja-JP,ja;q=0.9,en;q=0.8` -> ja, ja, en)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(request: Request) -> str:
    """`?lang=` first, then the remembered choice (cookie), then Accept-Language, then English."""
    for choice in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if choice in LOCALES:
            return choice
    for tag in _accepted(request.headers.get("accept-language", "")):
        if tag in LOCALES:
            return tag
    return DEFAULT


@lru_cache(maxsize=4096)
def _decimal(value: float, lang: str) -> str:
    # A report page formats thousands of small counts, mostly the same few (Babel: ~35 µs each).
    return format_decimal(value, locale=lang)


@dataclass(frozen=True)
class Translator:
    """The reader's language: `_` for a sentence, `ngettext` for one with a count
    (`num` is the count's placeholder), and Babel's formats for dates and numbers."""

    lang: str

    def _(self, message: str, **params: Any) -> str:
        text = translations(self.lang).gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params: Any) -> str:
        text = translations(self.lang).ngettext(singular, plural, num)
        return text % {"num": self.number(num), **params}

    def number(self, value: float) -> str:
        return _decimal(value, self.lang)

    def percent(self, share: float) -> str:
        """A share (0..1) as a percentage with one decimal, rounded down: 0.9996 is 99.9 %,
        not 100 %, which would read as certain."""
        return format_percent(
            math.floor(share * 1000 + 1e-9) / 1000, format="#,##0.0%", locale=self.lang
        )

    def date(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.lang)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, format="medium", tzinfo=None, locale=self.lang)
