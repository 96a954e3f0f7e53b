"""Languages and countries as readers see them: each language named in itself (in the
switcher and the correspondence language field alike), each country in the reader's
language."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _


def page_locale() -> str | None:
    """The reader's language: the request's, or the one an e-mail or a certificate is
    forced into (`force_locale`) outside a request."""
    locale = get_locale()
    return str(locale) if locale is not None else None


@cache
def language_name(code: str) -> str:
    """English, Deutsch, Français, Español, Italiano, Polski: Babel's name of the language
    in that language, with a capital as a menu entry has it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def country_name(code: str) -> str:
    """The country in the reader's language (Babel's territory names); pycountry's English
    name outside a request or for a code Babel does not know."""
    locale = get_locale()
    named = locale.territories.get(code) if locale is not None else None
    if named:
        return named
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def quoted(text: str) -> str:
    """`text` between the quotation marks of the page's language: „…“ in German, « … » in
    French (English ones stood in German text, issue 28). Babel's locale data holds no
    quotation marks, so each language's translators give them."""
    return _("“%(text)s”", text=text)
