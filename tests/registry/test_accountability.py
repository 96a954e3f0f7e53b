"""Accountability figures: per level and year, decisions, share awarded, working days to
decision and to certificate, appeals; small groups hidden; the same in the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from labelling.assessments.models import Application
from labelling.extensions import db
from labelling.registry.accountability import Group, percentile, summarise
from tests.factories import (
    force_state,
    sign_in,
    submitted_application,
    with_mini_framework,
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([10], 0.9) == 10
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_small_groups_show_only_their_size():
    small = Group("gold", 2026, decided=4, awarded=4, to_decision=[10, 12, 14, 16])
    large = Group("bronze", 2026, decided=5, awarded=4, to_decision=[5, 6, 7, 8, 9])
    rows = summarise([small, large], min_group=5)
    by_level = {row.level: row for row in rows}
    assert not by_level["gold"].shown and by_level["gold"].to_decision_median is None
    assert by_level["bronze"].shown and by_level["bronze"].share_awarded == 80.0
    assert by_level["bronze"].to_decision_median == 7


def decided(manager, secretariat, count: int, state: str, level: str = "bronze"):
    """`count` applications submitted on Monday 2 November 2026 and decided on Friday the
    13th: 9 working days."""
    for _ in range(count):
        application = submitted_application(manager, level)
        force_state(application, state, decider=secretariat)
        db.session.execute(
            update(Application)
            .where(Application.id == application.id)
            .values(
                submitted_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
                decided_at=datetime(2026, 11, 13, 15, tzinfo=UTC),
            )
        )
    db.session.commit()


def test_the_statistics_page_and_the_api_report_the_process(client, manager, secretariat):
    decided(manager, secretariat, 3, "refused")
    decided(manager, secretariat, 2, "awarded")
    decided(manager, secretariat, 1, "refused", level="gold")
    page = client.get("/registry/statistics").text
    assert "How the labelling process performs" in page
    assert "fewer than 5 decisions" in page  # the single Gold decision
    figures = client.get("/api/v1/accountability").get_json()
    bronze = next(row for row in figures["rows"] if row["level"] == "bronze")
    assert bronze["decided"] == 5 and bronze["share_awarded"] == 40.0
    assert bronze["to_decision_median"] == 9 and bronze["to_decision_p90"] == 9
    gold = next(row for row in figures["rows"] if row["level"] == "gold")
    assert gold == {**gold, "shown": False, "share_awarded": None, "to_decision_median": None}
    assert "Maria" not in str(figures)  # aggregates only


def test_the_secretariat_sees_the_assessors(client, manager, secretariat):
    sign_in(client, manager.email)
    assert client.get("/secretariat/accountability").status_code == 403
    client.post("/logout")
    sign_in(client, secretariat.email)
    page = client.get("/secretariat/accountability")
    assert page.status_code == 200 and "Assessors: workload and time to score" in page.text
