"""How well the labelling process performs, in figures anyone may read: per level and year
the applications decided, the share awarded, the working days from submission to decision
and from decision to certificate, appeals lodged and decisions overturned, and the
assessors active per country. Aggregates only, never a name; a group smaller than the
anonymity minimum shows only that it is small. The secretariat also sees each assessor's
workload and time to score.

The arithmetic (`summarise`, `percentile`) is pure; the queries only collect the facts."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, true

from labelling.accounts.models import User
from labelling.appeals.models import Appeal
from labelling.assessments.deadlines import working_days_between
from labelling.assessments.models import Application, Assignment, AssignmentStatus
from labelling.assessors.models import AssessorProfile
from labelling.certificates.models import Certificate, Label
from labelling.core.audit import AuditEvent
from labelling.extensions import cache, db
from labelling.jobs.queue import enqueue

CACHE_SECONDS = 600  # decisions are rare; the public figures may be ten minutes old


def percentile(values: list[float], share: float) -> float | None:
    """The `share` (0-1) percentile by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Group:
    """The facts of one level and year."""

    level: str
    year: int
    decided: int = 0
    awarded: int = 0
    to_decision: list[int] = field(default_factory=list)  # working days, per application
    to_certificate: list[int] = field(default_factory=list)
    appeals: int = 0
    overturned: int = 0


@dataclass(frozen=True)
class Row:
    level: str
    year: int
    decided: int
    shown: bool  # False: fewer applications than the anonymity minimum
    share_awarded: float | None = None
    to_decision_median: float | None = None
    to_decision_p90: float | None = None
    to_certificate_median: float | None = None
    to_certificate_p90: float | None = None
    appeals: int | None = None
    overturned: int | None = None


def summarise(groups: list[Group], min_group: int) -> list[Row]:
    """Rows per level and year, newest year first; small groups hide all but their size."""
    rows = []
    for group in sorted(groups, key=lambda g: (-g.year, g.level)):
        if group.decided < min_group:
            rows.append(Row(group.level, group.year, group.decided, shown=False))
            continue
        rows.append(
            Row(
                group.level,
                group.year,
                group.decided,
                shown=True,
                share_awarded=round(100 * group.awarded / group.decided, 1),
                to_decision_median=percentile(group.to_decision, 0.5),
                to_decision_p90=percentile(group.to_decision, 0.9),
                to_certificate_median=percentile(group.to_certificate, 0.5),
                to_certificate_p90=percentile(group.to_certificate, 0.9),
                appeals=group.appeals,
                overturned=group.overturned,
            )
        )
    return rows


def _days(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return working_days_between(start.date(), end.date())


def collect_groups(body_condition=None) -> list[Group]:
    """Every decided application (imports of earlier awards excepted: they were not
    decided here) and every appeal, by level and year; of one labelling body when
    `body_condition` (a condition on Application.body_id) is given."""
    groups: dict[tuple[str, int], Group] = {}

    def group(level: str, year: int) -> Group:
        return groups.setdefault((level, year), Group(level, year))

    first_certificate = (
        select(Label.application_id, func.min(Certificate.created_at).label("issued"))
        .join(Certificate, Certificate.label_id == Label.id)
        .group_by(Label.application_id)
        .subquery()
    )
    decided = db.session.execute(
        select(
            Application.level,
            Application.state,
            Application.submitted_at,
            Application.decided_at,
            first_certificate.c.issued,
        )
        .outerjoin(first_certificate, first_certificate.c.application_id == Application.id)
        .where(Application.decided_at.is_not(None), Application.submitted_at.is_not(None))
        .where(body_condition if body_condition is not None else true())
    )
    for level, state, submitted, decided_at, issued in decided:
        target = group(level, decided_at.year)
        target.decided += 1
        target.awarded += state == "awarded"
        to_decision = _days(submitted, decided_at)
        if to_decision is not None:
            target.to_decision.append(to_decision)
        to_certificate = _days(decided_at, issued)
        if to_certificate is not None:
            target.to_certificate.append(to_certificate)
    appeals = db.session.execute(
        select(Appeal.lodged_at, Appeal.state, Application.level, Label.level)
        .outerjoin(Label, Label.id == Appeal.label_id)
        .outerjoin(
            Application,
            Application.id == func.coalesce(Appeal.application_id, Label.application_id),
        )
        .where(body_condition if body_condition is not None else true())
    )
    for lodged, state, application_level, label_level in appeals:
        target = group(label_level or application_level, lodged.year)
        target.appeals += 1
        target.overturned += state == "overturned"
    return list(groups.values())


def assessors_per_country(min_group: int) -> list[tuple[int, str, int | None]]:
    """(year, country, assessors who accepted an assignment that year) — None when fewer
    than the minimum, so that no single assessor can be told apart."""
    counted = db.session.execute(
        select(Assignment.assessor_id, AssessorProfile.country_code, Assignment.responded_at)
        .join(AssessorProfile, AssessorProfile.user_id == Assignment.assessor_id)
        .where(Assignment.status == AssignmentStatus.ACCEPTED.value)
    )
    people: dict[tuple[int, str], set[int]] = defaultdict(set)
    for assessor_id, country, responded in counted:
        if responded is not None:
            people[(responded.year, country)].add(assessor_id)
    ordered = sorted(people.items(), key=lambda item: (-item[0][0], item[0][1]))
    return [
        (year, country, len(ids) if len(ids) >= min_group else None)
        for (year, country), ids in ordered
    ]


def _kept(key: str, compute):
    """What `compute()` gives, kept for CACHE_SECONDS under `key` (with the anonymity
    minimum in it: the figures depend on it)."""
    value = cache.get(_key(key))
    if value is None:
        value = compute()
        cache.set(_key(key), value, timeout=CACHE_SECONDS)
    return value


def _key(name: str) -> str:
    return f"labelling:accountability:{name}:{current_app.config['STATISTICS_MIN_GROUP']}"


def public_figures() -> dict:
    """What /registry/statistics and the API show, kept for ten minutes."""
    return _kept("public", _public_figures)


def _public_figures() -> dict:
    min_group = current_app.config["STATISTICS_MIN_GROUP"]
    return {
        "rows": summarise(collect_groups(), min_group),
        "assessors": assessors_per_country(min_group),
        "min_group": min_group,
    }


# --- kept fresh by a worker ----------------------------------------------------------------

REFRESH_SECONDS = CACHE_SECONDS // 2
REFRESHED_KEY = "labelling:accountability:refreshed"


def refresh_figures() -> bool:
    """The task: recompute every figure of the accountability pages when the kept ones are
    older than REFRESH_SECONDS, and keep them for CACHE_SECONDS, so that no reader waits
    for them (at 200,000 decided applications the first reader waited half a second, and
    3.6 s before working days were counted by weeks). True when it recomputed."""
    refreshed = cache.get(REFRESHED_KEY)
    now = time.time()
    if refreshed is not None and now - refreshed < REFRESH_SECONDS:
        return False
    for key, compute in (
        ("public", _public_figures),
        ("bodies", _figures_per_body),
        ("assessors", _assessor_figures),
    ):
        cache.set(_key(key), compute(), timeout=CACHE_SECONDS)
    cache.set(REFRESHED_KEY, now, timeout=CACHE_SECONDS)
    return True


def schedule_refresh(_now) -> bool:
    """At every scheduler tick: where the cache is shared (Redis), a worker keeps the
    figures fresh; a worker's own in-process cache would serve no reader."""
    if not current_app.config.get("CACHE_REDIS_URL"):
        return False
    return enqueue("registry.accountability", key="registry-accountability")


@dataclass(frozen=True)
class AssessorFigures:
    name: str
    country: str
    accepted: int
    open: int
    days_to_score_median: float | None


def assessor_figures() -> list[AssessorFigures]:
    """For the secretariat: each assessor's assignments, open work, and the working days
    from accepting to the completed assessment (median); kept for ten minutes."""
    return _kept("assessors", _assessor_figures)


def _assessor_figures() -> list[AssessorFigures]:
    completed = dict(
        db.session.execute(
            select(AuditEvent.object_id, func.min(AuditEvent.created_at))
            .where(AuditEvent.action == "application.complete_assessment")
            .group_by(AuditEvent.object_id)
        ).all()
    )
    rows = db.session.execute(
        select(User.full_name, AssessorProfile.country_code, Assignment, Application.state)
        .join(AssessorProfile, AssessorProfile.user_id == User.id)
        .join(Assignment, Assignment.assessor_id == User.id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Assignment.status == AssignmentStatus.ACCEPTED.value)
        .order_by(User.full_name)
    )
    people: dict[str, dict] = {}
    for name, country, assignment, state in rows:
        person = people.setdefault(name, {"country": country, "accepted": 0, "open": 0, "days": []})
        person["accepted"] += 1
        if state not in ("awarded", "refused", "withdrawn", "assessed"):
            person["open"] += 1
        days = _days(assignment.responded_at, completed.get(assignment.application_id))
        if days is not None:
            person["days"].append(days)
    return [
        AssessorFigures(name, p["country"], p["accepted"], p["open"], percentile(p["days"], 0.5))
        for name, p in people.items()
    ]


def figures_per_body() -> list[tuple[str, list[Row]]]:
    """For the secretariat: the same rows for each labelling body (the European body's
    include applications recorded before bodies existed); kept for ten minutes."""
    return _kept("bodies", _figures_per_body)


def _figures_per_body() -> list[tuple[str, list[Row]]]:
    from labelling.bodies.services import all_bodies

    min_group = current_app.config["STATISTICS_MIN_GROUP"]
    result = []
    for body in all_bodies():
        condition = Application.body_id == body.id
        if body.kind == "european":
            condition = condition | Application.body_id.is_(None)
        result.append((body.name, summarise(collect_groups(condition), min_group)))
    return result
