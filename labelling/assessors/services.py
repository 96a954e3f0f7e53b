"""Register services: profiles, accreditations and declarations. They flush, never commit,
and write every change to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from labelling.accounts.models import Role, User
from labelling.assessors.models import (
    Accreditation,
    AccreditationRole,
    AssessorProfile,
    ConflictDeclaration,
    Relation,
)
from labelling.core.audit import record_event
from labelling.core.hooks import Registry
from labelling.core.paging import holding
from labelling.db import utcnow
from labelling.extensions import db
from labelling.organisations.models import Organisation

# name -> `panel(user_id, own)`: a section of the assessor's profile that a feature above the
# register keeps (calibration: the exercises done), as {"template": ..., **its context}, or
# None to show nothing. `own`: the assessor's own page rather than the secretariat's.
PROFILE_PANELS: Registry[Callable[[int, bool], dict | None]] = Registry("profile panels")


def profile_panels(user_id: int, own: bool) -> list[dict]:
    return [panel for show in PROFILE_PANELS if (panel := show(user_id, own)) is not None]


def _audit(profile: AssessorProfile, verb: str, actor: User, **data) -> None:
    record_event(f"assessor.{verb}", "assessor_profile", profile.id, actor=actor, data=data or None)


def profile_of(user: User) -> AssessorProfile | None:
    return db.session.scalar(select(AssessorProfile).where(AssessorProfile.user_id == user.id))


def create_profile(
    user: User,
    country_code: str,
    languages: list[str],
    technology_areas: list[str],
    notes: str,
    actor: User,
) -> AssessorProfile:
    """Add `user` to the register (and give them the assessor role).

    Raises ValueError when the user already has a profile."""
    if profile_of(user) is not None:
        raise ValueError("this user is in the register already")
    profile = AssessorProfile(
        user=user,
        country_code=country_code,
        languages=sorted(languages),
        technology_areas=sorted(technology_areas),
        notes=notes.strip() or None,
    )
    user.grant(Role.ASSESSOR)
    db.session.add(profile)
    db.session.flush()
    _audit(profile, "profile_created", actor, user=user.email)
    return profile


def update_profile(
    profile: AssessorProfile,
    country_code: str,
    languages: list[str],
    technology_areas: list[str],
    notes: str,
    actor: User,
) -> None:
    profile.country_code = country_code
    profile.languages = sorted(languages)
    profile.technology_areas = sorted(technology_areas)
    profile.notes = notes.strip() or None
    db.session.flush()
    _audit(profile, "profile_updated", actor)


def grant_accreditation(
    profile: AssessorProfile, role: str, issued_on: date, expires_on: date, actor: User
) -> Accreditation:
    """Accredit for a role between two dates. Raises ValueError for an unknown role or an
    expiry that is not after the issue date."""
    AccreditationRole(role)
    if expires_on <= issued_on:
        raise ValueError("the accreditation must expire after it is issued")
    accreditation = Accreditation(
        role=role, issued_on=issued_on, expires_on=expires_on, issued_by_id=actor.id
    )
    profile.accreditations.append(accreditation)
    db.session.flush()
    _audit(
        profile,
        "accreditation_granted",
        actor,
        role=role,
        issued_on=issued_on.isoformat(),
        expires_on=expires_on.isoformat(),
    )
    return accreditation


def suspend_accreditation(accreditation: Accreditation, reason: str, actor: User) -> None:
    """Suspend with a reason (required): no new assignments for this role meanwhile."""
    if not reason.strip():
        raise ValueError("a suspension needs a reason")
    accreditation.suspended_at = utcnow()
    accreditation.suspension_reason = reason.strip()
    db.session.flush()
    _audit(
        accreditation.profile,
        "accreditation_suspended",
        actor,
        role=accreditation.role,
        reason=reason.strip(),
    )


def restore_accreditation(accreditation: Accreditation, actor: User) -> None:
    accreditation.suspended_at = None
    accreditation.suspension_reason = None
    db.session.flush()
    _audit(accreditation.profile, "accreditation_restored", actor, role=accreditation.role)


FOUND_AT_MOST = 20


def organisations_named(q: str) -> list[Organisation]:
    """Up to FOUND_AT_MOST organisations whose legal or short name holds `q`, by name."""
    if len(q) < 2:
        return []
    named = holding(q, Organisation.legal_name, Organisation.short_name)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(named)
            .order_by(Organisation.legal_name, Organisation.id)
            .limit(FOUND_AT_MOST)
        )
    )


def declare_conflict(
    profile: AssessorProfile,
    organisation: Organisation,
    relation: str,
    ended_on: date | None,
    note: str,
    actor: User,
) -> ConflictDeclaration:
    """Record a tie to an organisation (ended_on None: it continues). Raises ValueError for
    an unknown relation or an end date in the future."""
    Relation(relation)
    if ended_on is not None and ended_on > date.today():
        raise ValueError("the end date cannot be in the future")
    declaration = ConflictDeclaration(
        organisation=organisation, relation=relation, ended_on=ended_on, note=note.strip() or None
    )
    profile.conflicts.append(declaration)
    db.session.flush()
    _audit(
        profile,
        "conflict_declared",
        actor,
        organisation=organisation.legal_name,
        relation=relation,
        ended_on=ended_on.isoformat() if ended_on else None,
    )
    return declaration


def remove_declaration(declaration: ConflictDeclaration, actor: User) -> None:
    """Only the secretariat removes a declaration (e.g. one made by mistake); audited."""
    profile = declaration.profile
    profile.conflicts.remove(declaration)
    db.session.flush()
    _audit(profile, "declaration_removed", actor, organisation=declaration.organisation.legal_name)
