"""The programme's figures: partnerships by state, country pair and indicator; how
requests are answered; the effect of twinning against comparable organisations; and the
public counts (per country and framework area only, never an organisation).

Every count below the platform's minimum group size (STATISTICS_MIN_GROUP) is withheld
as None wherever it could describe a few organisations.
"""

from __future__ import annotations

import statistics as stats
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from labelling.benchmarking.analytics import current_distributions
from labelling.benchmarking.metrics import benchmark_metrics
from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue
from labelling.benchmarking.stats import Distribution
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.organisations.models import Organisation
from labelling.twinning.models import Partnership, TwinningProfile
from labelling.twinning.rules import PartnershipState

BEGUN = (PartnershipState.ACTIVE.value, PartnershipState.ENDED.value)


def min_group() -> int:
    return current_app.config["STATISTICS_MIN_GROUP"]


def shown(count: int, minimum: int) -> int | None:
    return count if count >= minimum else None


# --- the secretariat's view --------------------------------------------------------------


@dataclass
class Programme:
    by_state: dict[str, int]
    countries: list[str]
    matrix: dict[tuple[str, str], int]  # (asking country, asked country) -> partnerships
    by_indicator: list[tuple[str, int, int, int]]  # code, partnerships, wanting, offering
    requests: int
    answered: int
    median_days_to_answer: float | None
    opted_in: int


def programme() -> Programme:
    by_state = dict(
        db.session.execute(
            select(Partnership.state, func.count()).group_by(Partnership.state)
        ).all()
    )
    asking, asked = aliased(Organisation), aliased(Organisation)
    pairs = db.session.execute(
        select(asking.country_code, asked.country_code, func.count())
        .select_from(Partnership)
        .join(asking, asking.id == Partnership.requester_id)
        .join(asked, asked.id == Partnership.partner_id)
        .where(Partnership.state.in_(BEGUN))
        .group_by(asking.country_code, asked.country_code)
    ).all()
    matrix = {(first, second): count for first, second, count in pairs}
    countries = sorted({code for pair in matrix for code in pair})
    targets = Counter()
    for (codes,) in db.session.execute(
        select(Partnership.targets).where(Partnership.state.in_(BEGUN))
    ):
        targets.update(codes or [])
    interest = Counter()
    for wants, offers in db.session.execute(
        select(TwinningProfile.wants, TwinningProfile.offers).where(TwinningProfile.is_active)
    ):
        interest.update(("want", code) for code in wants)
        interest.update(("offer", code) for code in offers)
    codes = sorted(
        set(targets) | {code for _side, code in interest},
        key=lambda c: [int(p) for p in c.split(".") if p.isdigit()],
    )
    answered_rows = db.session.execute(
        select(Partnership.created_at, Partnership.answered_at).where(
            Partnership.answered_at.is_not(None)
        )
    ).all()
    days = [(answered - created).total_seconds() / 86400 for created, answered in answered_rows]
    return Programme(
        by_state=by_state,
        countries=countries,
        matrix=matrix,
        by_indicator=[
            (code, targets[code], interest[("want", code)], interest[("offer", code)])
            for code in codes
        ],
        requests=sum(by_state.values()),
        answered=len(answered_rows),
        median_days_to_answer=round(stats.median(days), 1) if days else None,
        opted_in=db.session.scalar(
            select(func.count()).select_from(TwinningProfile).where(TwinningProfile.is_active)
        ),
    )


# --- did it help? -----------------------------------------------------------------------


@dataclass
class Movement:
    n: int
    improved_share: float | None  # None when withheld
    median_change: float | None


@dataclass
class EffectRow:
    framework_version: str
    indicator_code: str
    quartile: int  # 1 = the weakest quarter when the partnership began
    twinned: Movement
    others: Movement


@dataclass
class Effects:
    min_group: int
    rows: list[EffectRow] = field(default_factory=list)


def _quartile(value: float, distribution: Distribution, higher_is_better: bool) -> int:
    position = sum(
        value > limit for limit in (distribution.q1, distribution.median, distribution.q3)
    )
    return position + 1 if higher_is_better else 4 - position


def _movement(changes: list[tuple[float, bool]], minimum: int) -> Movement:
    if len(changes) < minimum:
        return Movement(len(changes), None, None)
    improved = sum(1 for _change, better in changes if better)
    return Movement(
        len(changes),
        round(100 * improved / len(changes), 1),
        round(stats.median(change for change, _better in changes), 2),
    )


def _final_entries() -> dict[int, list[tuple[int, str, str]]]:
    """organisation -> its decided entries (id, framework id, version), oldest first."""
    found: dict[int, list[tuple[int, str, str]]] = {}
    rows = db.session.execute(
        select(
            BenchmarkEntry.organisation_id,
            BenchmarkEntry.id,
            BenchmarkEntry.framework_id,
            BenchmarkEntry.framework_version,
        )
        .where(BenchmarkEntry.is_final)
        .order_by(BenchmarkEntry.organisation_id, BenchmarkEntry.id)
    )
    for organisation_id, entry_id, framework_id, version in rows:
        found.setdefault(organisation_id, []).append((entry_id, framework_id, version))
    return found


def _values(entry_ids: set[int], metrics: set[str]) -> dict[tuple[int, str], float]:
    found = {}
    ids = sorted(entry_ids)
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(BenchmarkValue.entry_id, BenchmarkValue.metric, BenchmarkValue.value).where(
                BenchmarkValue.entry_id.in_(ids[start : start + 500]),
                BenchmarkValue.metric.in_(metrics),
            )
        )
        found.update({(entry_id, metric): value for entry_id, metric, value in rows})
    return found


def effects(framework_id: str) -> Effects:
    """Per framework version, target indicator and starting quartile: how the twinned
    sides moved from their benchmarking when the partnership began to their next decided
    one, against organisations never twinned between two successive decided
    benchmarkings. The starting quartile is read against today's distribution of all
    current entries of the framework."""
    minimum = min_group()
    framework = loaded().get(framework_id)
    measures = {
        m.indicator_code: m
        for m in benchmark_metrics(framework)
        if m.indicator_code and m.higher_is_better is not None
    }
    distributions = current_distributions(framework_id, list(measures.values()), 1)
    entries = _final_entries()
    twinned_steps: list[tuple[int, int, str, list[str]]] = []  # start, next, version, targets
    twinned_organisations = set()
    for partnership in db.session.scalars(
        select(Partnership).where(
            Partnership.state.in_(BEGUN), Partnership.framework_id == framework_id
        )
    ):
        for organisation_id, start in (
            (partnership.requester_id, partnership.requester_entry_id),
            (partnership.partner_id, partnership.partner_entry_id),
        ):
            twinned_organisations.add(organisation_id)
            later = [e for e in entries.get(organisation_id, []) if start and e[0] > start]
            if start and later:
                twinned_steps.append((start, later[0][0], later[0][2], partnership.targets))
    control_steps = []
    for organisation_id, rows in entries.items():
        if organisation_id in twinned_organisations:
            continue
        for before, after in pairwise(rows):
            if before[1] == framework_id and after[1] == framework_id:
                control_steps.append((before[0], after[0], after[2], list(measures)))
    ids = {step[0] for step in twinned_steps + control_steps} | {
        step[1] for step in twinned_steps + control_steps
    }
    values = _values(ids, {m.key for m in measures.values()})

    groups: dict[tuple[str, str, int], dict[str, list]] = {}
    for kind, steps in (("twinned", twinned_steps), ("others", control_steps)):
        for before, after, version, codes in steps:
            for code in codes:
                metric = measures.get(code)
                if metric is None or metric.key not in distributions:
                    continue
                then, now = values.get((before, metric.key)), values.get((after, metric.key))
                if then is None or now is None:
                    continue
                quartile = _quartile(then, distributions[metric.key], metric.higher_is_better)
                better = (now > then) if metric.higher_is_better else (now < then)
                key = (version, code, quartile)
                groups.setdefault(key, {"twinned": [], "others": []})[kind].append(
                    (now - then, better)
                )
    result = Effects(min_group=minimum)
    for (version, code, quartile), found in sorted(groups.items()):
        if not found["twinned"]:
            continue  # the comparison is only of indicators someone twinned on
        result.rows.append(
            EffectRow(
                version,
                code,
                quartile,
                _movement(found["twinned"], minimum),
                _movement(found["others"], minimum),
            )
        )
    return result


# --- public --------------------------------------------------------------------------------


def public_counts() -> dict:
    """Per country: organisations taking part and partnerships begun (each side counts for
    its country); per framework area: partnerships aiming at it. Small counts withheld."""
    minimum = min_group()
    taking_part = dict(
        db.session.execute(
            select(Organisation.country_code, func.count())
            .join(TwinningProfile, TwinningProfile.organisation_id == Organisation.id)
            .where(TwinningProfile.is_active)
            .group_by(Organisation.country_code)
        ).all()
    )
    partnerships = Counter()
    areas = Counter()
    begun = db.session.execute(
        select(Partnership.requester_id, Partnership.partner_id, Partnership.targets).where(
            Partnership.state.in_(BEGUN)
        )
    ).all()
    country_of = (
        dict(
            db.session.execute(
                select(Organisation.id, Organisation.country_code).where(
                    Organisation.id.in_({i for row in begun for i in row[:2]})
                )
            ).all()
        )
        if begun
        else {}
    )
    for requester_id, partner_id, targets in begun:
        partnerships.update({country_of[requester_id], country_of[partner_id]})
        areas.update({code.split(".")[0] for code in targets or []})
    countries = sorted(set(taking_part) | set(partnerships))
    return {
        "min_group": minimum,
        "partnerships": shown(len(begun), minimum),
        "organisations_taking_part": shown(sum(taking_part.values()), minimum),
        "countries": [
            {
                "country": code,
                "organisations_taking_part": shown(taking_part.get(code, 0), minimum),
                "partnerships": shown(partnerships.get(code, 0), minimum),
            }
            for code in countries
        ],
        "areas": [
            {"area": area, "partnerships": shown(count, minimum)}
            for area, count in sorted(areas.items())
        ],
    }
