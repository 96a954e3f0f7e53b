"""Requests and partnerships: one organisation asks, the other accepts or declines; the
two teams then share a plan. Every step follows `rules.next_state`, is written to the
audit trail and told by e-mail to the other side's managers, each in their own language.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from labelling.accounts.models import User
from labelling.bodies.services import acts_for_platform
from labelling.core.audit import record_event
from labelling.core.http import external_url
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import mail_people
from labelling.organisations.models import Organisation
from labelling.organisations.services import managers_of
from labelling.twinning.matching import active_counts, left_out
from labelling.twinning.models import Partnership, PlanActivity, TwinningProfile, pair_key
from labelling.twinning.profiles import profile_of
from labelling.twinning.rules import PartnershipState, StepRefused, next_state
from labelling.twinning.standing import decided_entry

ACTIVITY_KINDS = ("visit", "staff_exchange", "workshop", "other")


class TwinningRefused(Exception):
    """A step the rules do not allow; `reason` says which rule, for the page to word."""

    def __init__(self, reason: str, status: int = 409):
        self.reason, self.status = reason, status
        super().__init__(reason)


def side_of(partnership: Partnership, user) -> str | None:
    """ "requester" or "partner" for a member of either team; None for anyone else."""
    if partnership.requester.membership_of(user) is not None:
        return "requester"
    if partnership.partner.membership_of(user) is not None:
        return "partner"
    return None


def may_read(partnership: Partnership, user) -> bool:
    """The two teams, and the platform's secretariat (which reads but never acts); not a
    national body's staff: twinning is no body's business but the programme's."""
    if side_of(partnership, user) is not None:
        return True
    return bool(getattr(user, "is_staff", False)) and acts_for_platform(user)


def _active_profile(organisation: Organisation) -> TwinningProfile | None:
    profile = profile_of(organisation.id)
    return profile if profile is not None and profile.is_active else None


def _notify(partnership: Partnership, organisation: Organisation, template: str) -> None:
    mail_people(
        managers_of(organisation),
        template,
        partnership=partnership,
        requester=partnership.requester,
        partner=partnership.partner,
        link=external_url("twinning_plan.detail", partnership_id=partnership.id),
    )


def _audit(partnership: Partnership, action: str, actor, before=None) -> None:
    record_event(
        f"twinning.{action}",
        "partnership",
        partnership.id,
        actor=actor,
        from_state=before,
        to_state=partnership.state,
    )


def send_request(requester: Organisation, partner: Organisation, message: str, actor: User):
    """Ask `partner` to twin; raises TwinningRefused with the reason (nothing stored)."""
    mine, theirs = _active_profile(requester), _active_profile(partner)
    if mine is None:
        raise TwinningRefused("not_opted_in")
    if requester.id == partner.id:
        raise TwinningRefused("same_organisation", 400)
    if theirs is None:
        raise TwinningRefused("switched_off")
    if theirs.framework_id != mine.framework_id:
        raise TwinningRefused("other_framework")
    if partner.id in left_out(requester.id, [partner.id]):
        raise TwinningRefused("already_paired")
    counts = active_counts([requester.id, partner.id])
    if counts[requester.id] >= mine.capacity:
        raise TwinningRefused("own_capacity")
    if counts[partner.id] >= theirs.capacity:
        raise TwinningRefused("partner_capacity")
    partnership = Partnership(
        requester_id=requester.id,
        partner_id=partner.id,
        pair_key=pair_key(requester.id, partner.id),
        framework_id=mine.framework_id,
        message=message.strip(),
        requested_by_id=actor.id,
        targets=sorted(set(mine.wants) & set(theirs.offers) | set(theirs.wants) & set(mine.offers)),
    )
    try:
        with db.session.begin_nested():
            db.session.add(partnership)
            db.session.flush()
    except IntegrityError as exc:  # a request between the two was opened at the same moment
        raise TwinningRefused("already_paired") from exc
    # The message and a decline's reason are the two teams' own: not in the shared trail.
    _audit(partnership, "requested", actor)
    _notify(partnership, partner, "twinning_request")
    return partnership


def _step(partnership: Partnership, action: str, actor: User) -> str:
    side = side_of(partnership, actor)
    if side is None:
        raise TwinningRefused("not_a_side", 403)
    try:
        target = next_state(action, partnership.state, side)
    except StepRefused as exc:
        raise TwinningRefused(exc.reason, 403 if exc.reason == "side" else 409) from exc
    before = partnership.state
    partnership.state = target.value
    return before


def accept(partnership: Partnership, actor: User) -> None:
    """The partner accepts: the partnership begins today, from both sides' benchmarking."""
    counts = active_counts([partnership.requester_id, partnership.partner_id])
    for organisation in (partnership.requester, partnership.partner):
        profile = profile_of(organisation.id)
        if profile is None or not profile.is_active:
            raise TwinningRefused("switched_off")
        if counts[organisation.id] >= profile.capacity:
            raise TwinningRefused("partner_capacity")
    before = _step(partnership, "accept", actor)
    partnership.answered_at = utcnow()
    partnership.starts_on = date.today()
    for organisation_id, column in (
        (partnership.requester_id, "requester_entry_id"),
        (partnership.partner_id, "partner_entry_id"),
    ):
        entry = decided_entry(organisation_id)
        setattr(partnership, column, entry.id if entry else None)
    db.session.flush()
    _audit(partnership, "accepted", actor, before)
    _notify(partnership, partnership.requester, "twinning_accepted")


def decline(partnership: Partnership, actor: User, reason: str) -> None:
    before = _step(partnership, "decline", actor)
    partnership.answered_at = utcnow()
    partnership.decline_reason = reason.strip() or None
    db.session.flush()
    _audit(partnership, "declined", actor, before)
    _notify(partnership, partnership.requester, "twinning_declined")


def withdraw(partnership: Partnership, actor: User) -> None:
    before = _step(partnership, "withdraw", actor)
    db.session.flush()
    _audit(partnership, "withdrawn", actor, before)


def end(partnership: Partnership, actor: User) -> None:
    before = _step(partnership, "end", actor)
    partnership.ended_at = utcnow()
    partnership.ends_on = partnership.ends_on or date.today()
    db.session.flush()
    _audit(partnership, "ended", actor, before)
    side = side_of(partnership, actor)
    other = partnership.partner if side == "requester" else partnership.requester
    _notify(partnership, other, "twinning_ended")


def _require_plan_editor(partnership: Partnership, actor: User) -> None:
    if side_of(partnership, actor) is None:
        raise TwinningRefused("not_a_side", 403)
    if partnership.status != PartnershipState.ACTIVE:
        raise TwinningRefused("state")


def save_plan(partnership: Partnership, actor: User, targets, notes: str, ends_on) -> None:
    _require_plan_editor(partnership, actor)
    if ends_on is not None and partnership.starts_on and ends_on < partnership.starts_on:
        raise TwinningRefused("ends_before_start", 422)
    partnership.targets = sorted(set(targets))
    partnership.notes = (notes or "").strip() or None
    partnership.ends_on = ends_on
    db.session.flush()
    record_event(
        "twinning.plan_saved",
        "partnership",
        partnership.id,
        actor=actor,
        data={"targets": partnership.targets, "ends_on": ends_on and ends_on.isoformat()},
    )


def add_activity(partnership: Partnership, actor: User, kind, title, starts_on, ends_on):
    _require_plan_editor(partnership, actor)
    if kind not in ACTIVITY_KINDS:
        raise TwinningRefused("kind", 422)
    if ends_on is not None and ends_on < starts_on:
        raise TwinningRefused("ends_before_start", 422)
    activity = PlanActivity(
        kind=kind, title=title.strip(), starts_on=starts_on, ends_on=ends_on, added_by_id=actor.id
    )
    partnership.activities.append(activity)
    db.session.flush()
    record_event(
        "twinning.activity_added",
        "partnership",
        partnership.id,
        actor=actor,
        comment=activity.title,
    )
    return activity


def remove_activity(partnership: Partnership, actor: User, activity_id: int) -> None:
    _require_plan_editor(partnership, actor)
    activity = next((item for item in partnership.activities if item.id == activity_id), None)
    if activity is None:
        raise TwinningRefused("no_activity", 404)
    partnership.activities.remove(activity)
    db.session.flush()
    record_event(
        "twinning.activity_removed",
        "partnership",
        partnership.id,
        actor=actor,
        comment=activity.title,
    )


def partnerships_of(organisation_id: int) -> list[Partnership]:
    """Every request and partnership the organisation is part of, newest first."""
    return list(
        db.session.scalars(
            select(Partnership)
            .where(
                (Partnership.requester_id == organisation_id)
                | (Partnership.partner_id == organisation_id)
            )
            .order_by(Partnership.created_at.desc(), Partnership.id.desc())
        )
    )


def contact_of(organisation: Organisation) -> User | None:
    """Who the other team writes to: the profile's contact, else the first manager."""
    profile = profile_of(organisation.id)
    if profile is not None and profile.contact is not None and profile.contact.is_enabled:
        return profile.contact
    managers = managers_of(organisation)
    return managers[0] if managers else None
