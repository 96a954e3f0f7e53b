"""The programme's figures for the secretariat, and the public ones: small groups hidden,
never an organisation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from labelling.accounts.models import Role
from labelling.db import utcnow
from labelling.extensions import db
from labelling.twinning import statistics
from labelling.twinning.models import Partnership, pair_key
from tests.factories import create_user, sign_in
from tests.twinning.helpers import LEARNER, TEACHER, benchmark_again, decided


def begin(first, second, targets=("1.1",), state="active", days_to_answer=2):
    """A partnership as accepted `days_to_answer` days after it was asked."""
    from labelling.twinning.standing import decided_entry

    now = utcnow()
    partnership = Partnership(
        requester_id=first.id,
        partner_id=second.id,
        pair_key=pair_key(first.id, second.id),
        framework_id="mini",
        state=state,
        message="m",
        targets=list(targets),
        answered_at=now,
        requester_entry_id=decided_entry(first.id).id,
        partner_entry_id=decided_entry(second.id).id,
    )
    db.session.add(partnership)
    db.session.flush()
    db.session.execute(
        update(Partnership)
        .where(Partnership.id == partnership.id)
        .values(created_at=now - timedelta(days=days_to_answer))
    )
    db.session.commit()
    return partnership


def test_the_programme_view_counts_states_pairs_indicators_and_answers(client, app):
    manager = create_user("m@example.org")
    german = [decided(manager, LEARNER, country_code="DE") for _ in range(2)]
    french = [decided(manager, TEACHER, country_code="FR") for _ in range(2)]
    begin(german[0], french[0], ("1.1", "2.2"), days_to_answer=2)
    begin(german[1], french[1], ("1.1",), days_to_answer=4)
    begin(french[0], german[1], ("2.2",), state="declined", days_to_answer=6)
    found = statistics.programme()
    assert found.by_state == {"active": 2, "declined": 1}
    assert found.matrix == {("DE", "FR"): 2}
    assert ("1.1", 2, 0, 0) in found.by_indicator and ("2.2", 1, 0, 0) in found.by_indicator
    assert found.answered == 3 and found.median_days_to_answer == 4.0
    create_user("staff@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, "staff@example.org")
    page = client.get("/secretariat/twinning")
    assert page.status_code == 200 and "Partnerships begun, by country pair" in page.text
    client.post("/logout")
    sign_in(client, "m@example.org")
    assert client.get("/secretariat/twinning").status_code == 403


def test_effects_compare_like_with_like_and_hide_small_groups(client, app):
    app.config["STATISTICS_MIN_GROUP"] = 2
    manager = create_user("m@example.org")
    learners = [decided(manager, LEARNER, country_code="DE") for _ in range(4)]
    teachers = [decided(manager, TEACHER, country_code="FR") for _ in range(2)]
    begin(learners[0], teachers[0], ("1.1",))
    begin(learners[1], teachers[1], ("1.1",))
    # Both twinned learners improve their committed share (20 % -> 50 %); of the two
    # learners never twinned, one improves a little and one does not move.
    for organisation in learners[:2]:
        benchmark_again(organisation, manager, {**LEARNER, "committed": 20})
    benchmark_again(learners[2], manager, {**LEARNER, "committed": 10})
    benchmark_again(learners[3], manager, LEARNER)
    rows = [r for r in statistics.effects("mini").rows if r.indicator_code == "1.1"]
    assert len(rows) == 1
    row = rows[0]
    assert row.quartile == 1
    assert (row.twinned.n, row.twinned.improved_share, row.twinned.median_change) == (
        2,
        100.0,
        30.0,
    )
    assert (row.others.n, row.others.improved_share, row.others.median_change) == (2, 50.0, 2.5)
    app.config["STATISTICS_MIN_GROUP"] = 3
    row = next(r for r in statistics.effects("mini").rows if r.indicator_code == "1.1")
    assert row.twinned.improved_share is None and row.others.median_change is None


def test_public_counts_name_no_organisation_and_hide_small_groups(client, app):
    app.config["STATISTICS_MIN_GROUP"] = 2
    manager = create_user("m@example.org")
    german = [
        decided(manager, LEARNER, country_code="DE", legal_name=f"Secret {i}") for i in range(2)
    ]
    french = [decided(manager, TEACHER, country_code="FR") for _ in range(2)]
    polish = decided(manager, TEACHER, country_code="PL")
    begin(german[0], french[0], ("1.1", "2.2"))
    begin(german[1], french[1], ("1.1",))
    begin(german[0], polish, ("1.1",), state="ended")
    body = client.get("/api/v1/twinning/statistics").get_json()
    assert body["min_group"] == 2 and body["partnerships"] == 3
    by_country = {row["country"]: row for row in body["countries"]}
    assert by_country["DE"]["partnerships"] == 3 and by_country["FR"]["partnerships"] == 2
    assert by_country["PL"]["partnerships"] is None  # one: withheld
    assert {row["area"]: row["partnerships"] for row in body["areas"]} == {"1": 3, "2": None}
    page = client.get("/twinning/statistics")
    assert page.status_code == 200 and "Secret" not in page.text and "fewer than 2" in page.text
    assert "Secret" not in str(body)
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "TwinningStatistics" in spec["components"]["schemas"]
