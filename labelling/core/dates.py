"""Dates as people read them: one format per locale (Babel's medium), in pages, PDFs and
e-mails alike; ISO dates stay for machines (attributes, files, the API)."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale, dates
from flask_babel import get_locale, to_user_timezone

# An en dash stands for "no date" in tables and facts.
NO_DATE = "\u2013"


def reading_locale() -> Locale:
    """The page's locale for formatting. English here is Europe's: 1 Dec 2026, not the
    American Dec 1, 2026."""
    locale = get_locale() or Locale("en")
    if locale.language == "en" and not locale.territory:
        return Locale("en", "GB")
    return locale


def show_date(value: date | datetime | str | None, form: str = "medium") -> str:
    """1 Dec 2026 (en), 01.12.2026 (de), 1 déc. 2026 (fr); a dash for no date. Takes an
    ISO string too (as snapshots keep their dates)."""
    if value is None:
        return NO_DATE
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return dates.format_date(value, form, locale=reading_locale())


def show_datetime(value: datetime | None) -> str:
    """A date and the time to the minute, in the platform's time zone."""
    if value is None:
        return NO_DATE
    return f"{show_date(value)}, {show_time(value)}"


def show_time(value: datetime) -> str:
    """The time of day to the minute, in the platform's time zone."""
    return dates.format_time(to_user_timezone(value), "short", locale=reading_locale())
