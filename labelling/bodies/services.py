"""Which body an application goes to, and whose applications a member of staff acts on.

With no body recorded at all the platform works as one secretariat (every member of staff
acts on every application). Once bodies exist: an application goes to the national body
that covers its country and level, else to the European body; staff act on their bodies'
applications only (staff in no body act for the European body); administrators on all.
"""

from __future__ import annotations

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from labelling.accounts.models import Role, User
from labelling.bodies.models import BodyAssessor, BodyKind, BodyMember, LabellingBody
from labelling.extensions import db


def all_bodies() -> list[LabellingBody]:
    return list(
        db.session.scalars(select(LabellingBody).order_by(LabellingBody.kind, LabellingBody.name))
    )


def european_body() -> LabellingBody | None:
    return db.session.scalar(
        select(LabellingBody).where(LabellingBody.kind == BodyKind.EUROPEAN.value)
    )


def route(country_code: str, level: str) -> LabellingBody | None:
    """The body an application for `level` from `country_code` goes to (None: no bodies)."""
    bodies = all_bodies()
    national = [b for b in bodies if b.kind == BodyKind.NATIONAL and b.covers(country_code, level)]
    if national:
        return national[0]
    return next((b for b in bodies if b.kind == BodyKind.EUROPEAN), None)


def _scope_cache() -> dict:
    if not has_request_context():
        return {}
    if "body_scope" not in g:
        g.body_scope = {}
    return g.body_scope


def bodies_acted_for(user: User) -> set[int] | None:
    """The bodies `user` acts for; None when they act for all (an administrator, or no
    body recorded at all)."""
    cache = _scope_cache()
    if user.id in cache:
        return cache[user.id]
    scope: set[int] | None
    if user.has_role(Role.ADMIN):
        scope = None
    else:
        own = set(
            db.session.scalars(select(BodyMember.body_id).where(BodyMember.user_id == user.id))
        )
        european = european_body()
        if own:
            scope = own
        elif european is not None:
            scope = {european.id}
        else:
            scope = None if not all_bodies() else set()
    cache[user.id] = scope
    return scope


def effective_body_id(body_id: int | None) -> int | None:
    """An application with no body recorded belongs to the European body."""
    if body_id is not None:
        return body_id
    cache = _scope_cache()
    if "european" not in cache:
        european = european_body()
        cache["european"] = european.id if european else None
    return cache["european"]


def acts_for(user: User, body_id: int | None) -> bool:
    scope = bodies_acted_for(user)
    return scope is None or effective_body_id(body_id) in scope


def visible_condition(user: User, column):
    """A WHERE condition on an application's `body_id` column for what `user` acts on, or
    None for no condition."""
    scope = bodies_acted_for(user)
    if scope is None:
        return None
    european = european_body()
    condition = column.in_(scope)
    if european is not None and european.id in scope:
        condition = condition | column.is_(None)
    return condition


def of_body(column, body_id: int):
    """A WHERE condition on an application's `body_id` column for one body's (the
    European body's own include those with no body recorded)."""
    european = european_body()
    condition = column == body_id
    if european is not None and european.id == body_id:
        condition = condition | column.is_(None)
    return condition


def body_choices(user: User) -> list[tuple[str, str]]:
    """A list filter's choice of body for `user`: "any", then the bodies they act for;
    "any" alone when they act for one body or none is recorded."""
    scope = bodies_acted_for(user)
    bodies = [body for body in all_bodies() if scope is None or body.id in scope]
    named = [(str(body.id), body.name) for body in bodies] if len(bodies) > 1 else []
    return [("", _("Any body")), *named]


def pool_of(body_id: int | None) -> set[int] | None:
    """User ids of the body's assessor pool; None when the body keeps no pool (then any
    accredited assessor may be asked)."""
    if body_id is None:
        return None
    ids = set(
        db.session.scalars(select(BodyAssessor.user_id).where(BodyAssessor.body_id == body_id))
    )
    return ids or None


def name_of(body_id: int | None) -> str | None:
    """The name of the body an application belongs to (None: no bodies recorded)."""
    effective = effective_body_id(body_id)
    body = db.session.get(LabellingBody, effective) if effective is not None else None
    return body.name if body else None


def acts_for_platform(user: User) -> bool:
    """Staff of the platform as a whole (administrators and the European body's
    secretariat), who run what no single body owns: the outbox, the job queue."""
    if not user.is_staff:
        return False
    scope = bodies_acted_for(user)
    european = european_body()
    return scope is None or (european is not None and european.id in scope)


def countries_acted_for(user: User) -> set[str] | None:
    """The countries whose organisations `user` acts for: every one (None) for the
    European body's staff and administrators, else those of their national bodies."""
    cache = _scope_cache()
    key = ("countries", user.id)
    if key not in cache:  # every permission check of a request asks it again
        cache[key] = _countries_of(bodies_acted_for(user))
    return cache[key]


def _countries_of(scope: set[int] | None) -> set[str] | None:
    if scope is None:
        return None
    european = european_body()
    if european is not None and european.id in scope:
        return None
    bodies = db.session.scalars(select(LabellingBody).where(LabellingBody.id.in_(scope)))
    return {country for body in bodies for country in (body.countries or [])}
