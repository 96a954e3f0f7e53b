"""Conflict-of-interest rules: pure functions over facts the services gather.

An assessor is conflicted for an organisation when they declared a tie to it that ended
less than the look-back period ago (or continues), when they are on its team, or when
their e-mail address belongs to the organisation's own web domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _


@dataclass(frozen=True)
class Tie:
    """A declared relation to the organisation in question."""

    relation: str
    ended_on: date | None


@dataclass(frozen=True)
class Conflict:
    code: str  # declared | team_manager | team_member | email_domain
    detail: str = ""

    @property
    def message(self) -> str:
        messages = {
            "declared": _("Declared a tie to this organisation (%(detail)s)."),
            "team_manager": _("Manages this organisation's team on the platform."),
            "team_member": _("Is a member of this organisation's team on the platform."),
            "email_domain": _("Has an e-mail address at the organisation's domain (%(detail)s)."),
        }
        return messages[self.code] % {"detail": self.detail}


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def is_recent(tie: Tie, today: date, lookback_years: int) -> bool:
    return tie.ended_on is None or tie.ended_on >= years_before(today, lookback_years)


def web_domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    host = host.lower().removeprefix("www.")
    return host or None


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def detect_conflicts(
    *,
    ties: list[Tie],
    team_role: str | None,
    assessor_email: str,
    organisation_website: str | None,
    today: date,
    lookback_years: int,
) -> list[Conflict]:
    """Every reason the assessor may not assess the organisation; empty when none."""
    conflicts = [
        Conflict("declared", tie.relation) for tie in ties if is_recent(tie, today, lookback_years)
    ]
    if team_role is not None:
        conflicts.append(Conflict("team_manager" if team_role == "manager" else "team_member"))
    domain = web_domain(organisation_website)
    mail_domain = email_domain(assessor_email)
    if domain and (mail_domain == domain or mail_domain.endswith("." + domain)):
        conflicts.append(Conflict("email_domain", domain))
    return conflicts
