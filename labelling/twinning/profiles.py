"""Opting in and out of twinning, and the profile's index rows matching reads.

A profile may be switched on only by an organisation with a decided benchmarking. What it
offers must be among its strong indicators (that is what it agrees to show by opting in);
what it wants to improve may be any indicator of its framework. Every save moves the
profile's version on and rewrites its matching vectors; matching reads only profiles that
are on, so switching off takes the organisation out of every suggestion at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from labelling.accounts.models import User
from labelling.core.audit import record_event
from labelling.core.languages import page_locale
from labelling.criteria.framework import Framework
from labelling.criteria.loader import version_key
from labelling.criteria.translations import localised
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.organisations.models import Organisation
from labelling.organisations.services import managers_of
from labelling.twinning.models import TwinningProfile
from labelling.twinning.rules import (
    WORKING_LANGUAGES,
    CountryChoice,
    code_mask,
    indicator_bits,
    language_mask,
    languages_of,
)
from labelling.twinning.standing import decided_entry, marks_of, strengths, weaknesses


class ProfileRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class ProfileChoices:
    is_active: bool
    wants: list[str]
    offers: list[str]
    languages: list[str]
    country_choice: str
    same_area_only: bool
    capacity: int
    contact_id: int | None


def profile_of(organisation_id: int) -> TwinningProfile | None:
    return db.session.scalar(
        select(TwinningProfile).where(TwinningProfile.organisation_id == organisation_id)
    )


def framework_for(organisation_id: int) -> Framework | None:
    """The framework version of the organisation's latest decided benchmarking, in the
    reader's language; None when it has none (then it cannot take part)."""
    entry = decided_entry(organisation_id)
    if entry is None:
        return None
    try:
        framework = loaded().get(entry.framework_id, entry.framework_version)
    except KeyError:
        return None
    return localised(framework, page_locale())


def suggested_choices(organisation: Organisation) -> ProfileChoices:
    """What the form starts with: the saved profile, else the benchmarking's weak and
    strong indicators, the organisation's language and a manager as contact."""
    profile = profile_of(organisation.id)
    if profile is not None:
        return ProfileChoices(
            is_active=profile.is_active,
            wants=list(profile.wants),
            offers=list(profile.offers),
            languages=languages_of(profile.language_mask),
            country_choice=profile.country_choice,
            same_area_only=profile.same_area_only,
            capacity=profile.capacity,
            contact_id=profile.contact_id,
        )
    found = marks_of(organisation.id)
    languages = [code for code in (organisation.language, "en") if code in WORKING_LANGUAGES]
    managers = managers_of(organisation)
    return ProfileChoices(
        is_active=False,
        wants=sorted(weaknesses(found)),
        offers=sorted(strengths(found)),
        languages=list(dict.fromkeys(languages)),
        country_choice=CountryChoice.PREFER_ABROAD.value,
        same_area_only=False,
        capacity=2,
        contact_id=managers[0].id if managers else None,
    )


def _check(organisation: Organisation, choices: ProfileChoices, framework: Framework) -> None:
    codes = {indicator.code for indicator in framework.indicators}
    if not set(choices.wants) <= codes:
        raise ProfileRefused("wants")
    if not set(choices.offers) <= set(strengths(marks_of(organisation.id))):
        raise ProfileRefused("offers")
    if not choices.languages or language_mask(choices.languages) == 0:
        raise ProfileRefused("languages")
    if choices.is_active and not choices.wants and not choices.offers:
        raise ProfileRefused("nothing")
    team = {membership.user_id for membership in organisation.memberships}
    if choices.contact_id is not None and choices.contact_id not in team:
        raise ProfileRefused("contact")


def save_profile(organisation: Organisation, choices: ProfileChoices, actor: User):
    """Store the organisation's choices; raises ProfileRefused (nothing stored) when they
    break a rule the form could not catch (no decided benchmarking, offers it is not strong
    on, a contact outside the team)."""
    framework = framework_for(organisation.id)
    if framework is None:
        raise ProfileRefused("no_benchmarking")
    _check(organisation, choices, framework)
    profile = profile_of(organisation.id)
    was_active = bool(profile and profile.is_active)
    if profile is None:
        profile = TwinningProfile(organisation_id=organisation.id, version=0)
        db.session.add(profile)
    profile.is_active = choices.is_active
    profile.framework_id, profile.framework_version = framework.id, framework.version
    profile.wants = sorted(set(choices.wants))
    profile.offers = sorted(set(choices.offers))
    profile.language_mask = language_mask(choices.languages)
    profile.country_choice = CountryChoice(choices.country_choice).value
    profile.same_area_only = choices.same_area_only
    profile.capacity = choices.capacity
    profile.contact_id = choices.contact_id
    profile.version += 1
    write_vectors(profile)
    action = "twinning.profile_saved"
    if choices.is_active != was_active:
        action = "twinning.switched_on" if choices.is_active else "twinning.switched_off"
    record_event(
        action,
        "organisation",
        organisation.id,
        actor=actor,
        data={"wants": profile.wants, "offers": profile.offers},
    )
    return profile


def bits_for(framework_id: str) -> dict[str, int]:
    """The bit of each indicator of the framework, over every version loaded."""
    versions = sorted(
        (framework for framework in loaded() if framework.id == framework_id),
        key=lambda framework: version_key(framework.version),
    )
    return indicator_bits([[i.code for i in framework.indicators] for framework in versions])


def write_vectors(profile: TwinningProfile) -> None:
    """What matching reads of the profile: its wanted and offered indicators as bit masks,
    and the organisation's country and technology area as of now."""
    organisation = db.session.get(Organisation, profile.organisation_id)
    bits = bits_for(profile.framework_id) if profile.framework_id else {}
    profile.wants_mask = code_mask([c for c in profile.wants if c in bits], bits)
    profile.offers_mask = code_mask([c for c in profile.offers if c in bits], bits)
    profile.country_code = organisation.country_code
    profile.technology_area = organisation.technology_area
    db.session.flush()


def follow_marks(organisation_id: int, framework: Framework) -> None:
    """A new decided benchmarking: what the profile offers stays only where the
    organisation is still strong, and it now reads that benchmarking's framework."""
    profile = profile_of(organisation_id)
    if profile is None:
        return
    strong = strengths(marks_of(organisation_id))
    codes = {indicator.code for indicator in framework.indicators}
    profile.offers = [code for code in profile.offers if code in strong]
    profile.wants = [code for code in profile.wants if code in codes]
    profile.framework_id, profile.framework_version = framework.id, framework.version
    profile.version += 1
    db.session.flush()
    write_vectors(profile)
