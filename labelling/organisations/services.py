"""Organisation services: create and update profiles, invite and admit team members."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import func, select

from labelling.accounts.models import Role, User
from labelling.core.audit import record_event
from labelling.core.paging import Order, Page, holding, keyset_page
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import queue_email
from labelling.organisations.models import Invitation, Membership, Organisation, TeamRole

PROFILE_FIELDS = [
    "legal_name",
    "short_name",
    "language",
    "country_code",
    "region",
    "city",
    "website",
    "is_website_in_english",
    "technology_area",
    "founding_year",
    "legal_form",
    "management_fte",
    "members_sme",
    "members_large",
    "members_rnd",
    "members_university",
    "members_education",
    "members_finance",
    "members_consultant",
    "members_public",
    "members_other",
    "committed_members",
    "contact_name",
    "contact_email",
    "contact_phone",
    "description",
]


class InvitationError(ValueError):
    """The invitation cannot be used; the message key says why."""


def _apply_profile(organisation: Organisation, data: dict) -> dict:
    changed = {}
    for name in PROFILE_FIELDS:
        if name in data and getattr(organisation, name) != data[name]:
            changed[name] = str(data[name])
            setattr(organisation, name, data[name])
    return changed


def create_organisation(data: dict, creator: User) -> Organisation:
    """Create an organisation with the creator as its first manager."""
    organisation = Organisation()
    _apply_profile(organisation, data)
    organisation.language = organisation.language or creator.locale
    organisation.memberships.append(Membership(user=creator, role=TeamRole.MANAGER))
    creator.grant(Role.CLUSTER_MANAGER)
    db.session.add(organisation)
    db.session.flush()
    record_event("organisation.created", "organisation", organisation.id, actor=creator)
    return organisation


def update_organisation(organisation: Organisation, data: dict, actor: User) -> None:
    changed = _apply_profile(organisation, data)
    if changed:
        db.session.flush()
        record_event(
            "organisation.updated",
            "organisation",
            organisation.id,
            actor=actor,
            data={"fields": sorted(changed)},
        )


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""  # part of the legal or short name
    country: str = ""
    technology_area: str = ""


ORGANISATIONS_PER_PAGE = 50
ORGANISATION_ORDER: Order = [(Organisation.legal_name, True), (Organisation.id, True)]


def organisations_page(
    filters: OrganisationFilters, countries: set[str] | None, cursor: str | None
) -> tuple[Page, int]:
    """The staff's page of organisations by name (those of `countries`, None for all),
    narrowed by `filters`, and how many there are in all. Raises core.paging.BadCursor."""
    conditions = []
    if countries is not None:
        conditions.append(Organisation.country_code.in_(countries))
    if filters.country:
        conditions.append(Organisation.country_code == filters.country)
    if filters.technology_area:
        conditions.append(Organisation.technology_area == filters.technology_area)
    if filters.q:
        conditions.append(holding(filters.q, Organisation.legal_name, Organisation.short_name))
    total = db.session.scalar(select(func.count(Organisation.id)).where(*conditions))
    statement = select(Organisation).where(*conditions)
    page = keyset_page(statement, ORGANISATION_ORDER, "name", cursor, ORGANISATIONS_PER_PAGE)
    return page, total


def organisations_of(user: User) -> list[Organisation]:
    stmt = (
        select(Organisation)
        .join(Membership)
        .where(Membership.user_id == user.id)
        .order_by(Organisation.legal_name)
    )
    return list(db.session.scalars(stmt))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(organisation: Organisation, email: str, role: str, inviter: User) -> Invitation:
    """Record an invitation and e-mail its one-time link (valid INVITATION_MAX_AGE_DAYS)."""
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation = Invitation(
        organisation=organisation,
        email=email.strip().lower(),
        role=TeamRole(role).value,
        token_hash=_hash_token(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    link = url_for("organisations.accept_invitation", token=token, _external=True)
    queue_email(
        invitation.email,
        "invitation",
        organisation=organisation,
        inviter=inviter,
        link=link,
        expires_at=invitation.expires_at,
    )
    record_event(
        "organisation.member_invited",
        "organisation",
        organisation.id,
        actor=inviter,
        data={"email": invitation.email, "role": invitation.role},
    )
    return invitation


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash_token(token)))


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Admit the user to the team. Raises InvitationError if used, expired or for another e-mail."""
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if not invitation.is_open:
        raise InvitationError("expired")
    if invitation.email != user.email.lower():
        raise InvitationError("wrong-user")
    organisation = invitation.organisation
    membership = organisation.membership_of(user)
    if membership is None:
        membership = Membership(user=user, role=invitation.role)
        organisation.memberships.append(membership)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    user.grant(Role.CLUSTER_MANAGER)
    db.session.flush()
    record_event(
        "organisation.member_joined",
        "organisation",
        organisation.id,
        actor=user,
        data={"role": membership.role},
    )
    return membership


def remove_member(organisation: Organisation, membership: Membership, actor: User) -> None:
    """Remove a team member. Raises InvitationError('last-manager') to keep one manager."""
    managers = [m for m in organisation.memberships if m.role == TeamRole.MANAGER]
    if membership.role == TeamRole.MANAGER and len(managers) == 1:
        raise InvitationError("last-manager")
    organisation.memberships.remove(membership)
    db.session.flush()
    record_event(
        "organisation.member_removed",
        "organisation",
        organisation.id,
        actor=actor,
        data={"user_id": membership.user_id},
    )


def managers_of(organisation: Organisation) -> list[User]:
    """The organisation's cluster managers: who hears of its applications and labels."""
    return [m.user for m in organisation.memberships if m.role == TeamRole.MANAGER]
