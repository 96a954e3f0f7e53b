"""The secretariat simulates a draft of the `mini` framework (the Gold threshold of 1.1
raised from 50 % to 60 %) over the decisions taken under the version in force."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import func, select

from labelling.accounts.models import Role
from labelling.drafts.models import DraftImpact
from labelling.extensions import db
from tests.factories import (
    MINI_DIRECTORY,
    create_assessor,
    create_user,
    force_state,
    sign_in,
    submitted_application,
    with_mini_framework,
)

IMPACT = "/secretariat/criteria/drafts/mini/2.0/impact"
# Gold at 87.5 % in force (1.1 met at 50 %); 75 % under the draft (1.1 only at baseline).
AT_THE_LINE = {"members": 40, "committed": 20, "regional": 30, "turnover": 20, "strategy": 2}
# Gold under both (1.1 at 75 %).
WELL_ABOVE = {"members": 40, "committed": 30, "regional": 30, "turnover": 20, "strategy": 2}


@pytest.fixture
def app_config(app_config, tmp_path):
    directory = tmp_path / "criteria"
    (directory / "mini").mkdir(parents=True)
    source = (MINI_DIRECTORY / "mini" / "1.0.yaml").read_text()
    shutil.copy(MINI_DIRECTORY / "mini" / "1.0.yaml", directory / "mini" / "1.0.yaml")
    old = 'gold_threshold: {comparator: ">=", value: 50}, baseline_minimum'
    assert old in source
    draft = (
        source.replace('version: "1.0"', 'version: "2.0"', 1)
        .replace("status: active", "status: draft", 1)
        .replace(old, old.replace("50", "60"))
    )
    (directory / "mini" / "2.0.yaml").write_text(draft)
    return {**with_mini_framework(app_config), "CRITERIA_DIRECTORY": str(directory)}


@pytest.fixture
def decided(app):
    manager = create_user("maria@example.org", "Maria Manager")
    decider = create_user("dora@example.org", "Dora Decider", roles=(Role.SECRETARIAT,))
    at_line = submitted_application(manager, answers=AT_THE_LINE, legal_name="At The Line")
    above = submitted_application(manager, answers=WELL_ABOVE, legal_name="Well Above")
    for application in (at_line, above):
        force_state(application, "awarded", decider=decider)
    return at_line, above


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_secretariat_sees_which_decisions_a_draft_would_change(client, decided):
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    listing = text_of(client.get("/secretariat/criteria/drafts").text)
    assert "Mini test framework, version 2.0" in listing and "not simulated yet" in listing

    assert "Simulate the draft" in client.get(IMPACT).text
    assert client.post(IMPACT).status_code == 303  # the job runs after the commit
    page = text_of(client.get(IMPACT).text)
    assert "Decided applications scored again 2" in page
    assert "Decisions that would change 1" in page
    assert "To a lower level or none 1" in page
    changed = page.split("The applications whose level would change")[1]
    assert "At The Line Gold Gold Bronze 1.1" in changed and "Well Above" not in changed
    assert "1.1 Committed share 1" in page  # the indicator behind the change

    client.post(IMPACT)  # the same file is not simulated twice
    assert db.session.scalar(select(func.count(DraftImpact.id))) == 1
    assert "1 decision would change" in client.get("/secretariat/criteria/drafts").text


def test_only_a_draft_is_simulated_and_only_by_the_platforms_staff(client, decided):
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    assert client.get("/secretariat/criteria/drafts/mini/1.0/impact").status_code == 404
    assert client.get("/secretariat/criteria/drafts/mini/9.9/impact").status_code == 404
    client.post("/logout")
    create_assessor("ana@assessors.example.net", "Ana Assessor")
    sign_in(client, "ana@assessors.example.net")
    assert client.get(IMPACT).status_code == 403
    assert client.post(IMPACT).status_code == 403


@pytest.mark.parametrize("how", ["failed", "stalled"])
def test_a_run_that_did_not_finish_is_started_again_on_the_same_record(client, decided, how):
    from datetime import timedelta

    from labelling.db import utcnow

    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    client.post(IMPACT)
    impact = db.session.scalar(select(DraftImpact))
    if how == "failed":
        impact.state = "failed"
    else:  # its job was lost: still "running" long after any job would have stopped
        impact.state, impact.started_at = "running", utcnow() - timedelta(days=1)
    impact.result = None
    db.session.commit()
    assert "did not finish" in client.get(IMPACT).text
    assert client.post(IMPACT).status_code == 303
    db.session.expire_all()
    (again,) = db.session.scalars(select(DraftImpact)).all()
    assert (again.id, again.state) == (impact.id, "done")
    assert "Decisions that would change 1" in text_of(client.get(IMPACT).text)
