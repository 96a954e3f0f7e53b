"""The audit trail is a keyed hash chain: editing, removing or slipping in a row directly in
the database is found by `labelling audit verify`, which names the first broken link;
decisions and certificates record the chain head, shown on the public verification page.
Issue 25: the chain was a plain SHA-256 chain, which anyone with write access to the
database could recompute; now it is keyed with a key outside the database."""

from __future__ import annotations

import itertools
import os
import re
from datetime import date

import pytest
from sqlalchemy import select, text

from labelling.core.audit import GENESIS, AuditEvent, event_digest, record_event, verify_chain
from labelling.core.keys import audit_keys
from labelling.extensions import db
from tests.factories import create_user, with_mini_framework


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@pytest.fixture
def chain(app):
    """Ten events, written in three transactions, one of them with two at once."""
    user = create_user("someone@example.org")
    for n in range(7):
        record_event("user.signed_in", "user", user.id, actor=user, data={"n": n, "é": "ü"})
        db.session.commit()
    record_event("label.suspend", "label", 4, from_state="active", to_state="suspended")
    record_event("label.restore", "label", 4, from_state="suspended", to_state="active")
    db.session.commit()
    return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()


def test_events_are_linked_as_they_are_written(app, chain):
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.chain_hash
    keys = dict(audit_keys(app.config))
    for row in rows:
        assert row.chain_hash == event_digest(row, row.prev_hash, keys[row.key_id])
        assert row.chain_hash != event_digest(row, row.prev_hash)  # not a plain SHA-256
    assert verify_chain() == (len(rows), None)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"intact: {len(rows)} events" in result.output
    assert f"Head: {rows[-1].chain_hash}" in result.output


EDITS = {
    "action": "UPDATE audit_event SET action = 'label.restore' WHERE id = :id",
    "actor": "UPDATE audit_event SET actor_id = CASE WHEN actor_id IS NULL THEN "
    '(SELECT min(id) FROM "user") ELSE NULL END WHERE id = :id',
    "comment": "UPDATE audit_event SET comment = 'all fine' WHERE id = :id",
    "state": "UPDATE audit_event SET to_state = 'active' WHERE id = :id",
    "time": "UPDATE audit_event SET created_at = created_at + interval '1 hour' WHERE id = :id",
    "data": """UPDATE audit_event SET data = '{"n": 99}' WHERE id = :id""",
}


def tamper(statement: str, **params) -> None:
    if db.engine.dialect.name == "sqlite":
        statement = statement.replace(
            "created_at + interval '1 hour'", "datetime(created_at, '+1 hour')"
        )
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)
    db.session.expire_all()


@pytest.mark.parametrize("column", sorted(EDITS))
@pytest.mark.parametrize("position", [0, 4, 8])
def test_an_edited_row_is_named(app, chain, column, position):
    target = chain[position]
    tamper(EDITS[column], id=target)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at audit event #{target}: its content was changed" in result.output


@pytest.mark.parametrize("position", [0, 3, 7])
def test_a_removed_row_is_found_at_the_next_one(app, chain, position):
    tamper("DELETE FROM audit_event WHERE id = :id", id=chain[position])
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at audit event #{chain[position + 1]}: the event before it" in result.output


def test_rows_slipped_in_are_found(app, chain):
    # A row copied from another, given a new id between the chain's own: it cannot share
    # the other's hashes (unique), so whatever it carries does not link.
    head = db.session.scalar(select(AuditEvent.chain_hash).order_by(AuditEvent.id.desc()))
    tamper(
        "INSERT INTO audit_event (id, created_at, action, object_type, object_id, prev_hash, "
        "chain_hash, key_id) SELECT :new_id, created_at, 'label.reinstate', object_type, "
        "object_id, :prev, :fake, key_id FROM audit_event WHERE id = :id",
        new_id=chain[-1] + 1,
        id=chain[-1],
        prev=head,
        fake="f" * 64,
    )
    result = verify(app)
    assert f"BROKEN at audit event #{chain[-1] + 1}: its content was changed" in result.output
    tamper("DELETE FROM audit_event WHERE id = :id", id=chain[-1] + 1)
    assert verify(app).exit_code == 0
    # In the middle: an older event moved out of the way and a forged one in its place.
    tamper(
        "UPDATE audit_event SET prev_hash = :p, chain_hash = :c WHERE id = :id",
        p="a" * 64,
        c="b" * 64,
        id=chain[5],
    )
    assert f"BROKEN at audit event #{chain[5]}: the event before it" in verify(app).output


def rewrite_from_the_first(comment: str, key: bytes | None, key_id: str | None) -> None:
    """Change the first event and recompute every hash after it, as someone writing to the
    database would: with the audit key if they hold it, else plain SHA-256."""
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    rows[0].comment = comment
    head = GENESIS
    with db.engine.begin() as conn:
        for row in rows:
            digest = event_digest(row, head, key)
            conn.execute(
                text("UPDATE audit_event SET comment = :c, prev_hash = :p, chain_hash = :h "
                     "WHERE id = :id"),
                {"c": row.comment, "p": "x" + row.id.__str__(), "h": "y" + str(row.id),
                 "id": row.id},
            )  # fmt: skip
            conn.execute(
                text(
                    "UPDATE audit_event SET prev_hash = :p, chain_hash = :h, key_id = :k "
                    "WHERE id = :id"
                ),
                {"p": head, "h": digest, "k": key_id, "id": row.id},
            )
            head = digest
    db.session.expire_all()


@pytest.mark.parametrize("drop_key_ids", [False, True])
def test_a_chain_recomputed_without_the_key_is_found(app, chain, drop_key_ids):
    """Found before: a plain SHA-256 chain recomputed after an edit verified as intact."""
    key_id = None if drop_key_ids else audit_keys(app.config)[0][0]
    rewrite_from_the_first("rewritten", None, key_id)
    result = verify(app)
    assert result.exit_code == 1
    if drop_key_ids:
        assert f"BROKEN at audit event #{chain[-1]}: the latest event bears a plain hash" in (
            result.output
        )
    else:
        assert f"BROKEN at audit event #{chain[0]}: its content was changed" in result.output


def test_a_rewritten_tail_disagrees_with_the_published_heads(app, manager):
    """Even someone holding the audit key who recomputes every hash after an edit makes a
    consistent chain whose heads, recorded by a decision and a certificate (and
    published), are missing from it."""
    from labelling.certificates.models import Certificate
    from tests.factories import labelled_organisation

    label = labelled_organisation(manager, "gold", date(2026, 3, 2), with_certificate=True)
    certificate = db.session.scalars(select(Certificate)).one()
    assert re.fullmatch(r"[0-9a-f]{64}", certificate.context["audit_head"])
    page = app.test_client().get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert certificate.context["audit_head"] in page
    assert verify(app).exit_code == 0
    key_id, key = audit_keys(app.config)[0]
    rewrite_from_the_first("rewritten", key, key_id)
    assert verify_chain()[1] is None  # consistent again...
    result = verify(app)
    assert result.exit_code == 1  # ...but not what was published
    assert f"certificate {certificate.number} recorded the chain head" in result.output
    assert label is not None


def test_the_audit_key_is_rotated_and_old_events_still_verify(app, chain):
    """The chain starts keyed with the key derived from the secret key; a key set later
    keys the new events, the old ones still verify; a key dropped is named."""
    first_id = audit_keys(app.config)[0][0]
    app.config["AUDIT_KEYS"] = ["a new audit key of at least thirty-two characters"]
    record_event("label.suspend", "label", 5)
    db.session.commit()
    newest = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert newest.key_id == audit_keys(app.config)[0][0] != first_id
    assert verify(app).exit_code == 0
    app.config["AUDIT_KEYS"] = []  # the new key dropped
    result = verify(app)
    assert f"BROKEN at audit event #{newest.id}: it is keyed with a key that is not in" in (
        result.output
    )


class TestDecision:
    @pytest.fixture
    def app_config(self, app_config):
        return with_mini_framework(app_config)

    def test_a_decision_records_the_head(self, app):
        from labelling.assessments import decisions, services
        from labelling.assessments.workflow import State
        from tests.factories import application_with_team

        application, people = application_with_team(State.ASSESSED)
        framework = services.framework_of(application)
        decisions.award_label(
            application, framework, people["secretariat"], "gold", date(2026, 1, 5)
        )
        db.session.commit()
        award = db.session.scalars(select(AuditEvent).filter_by(action="application.award")).one()
        assert application.decision_audit_head == award.chain_hash


@pytest.mark.skipif(
    not os.environ.get("LABELLING_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="real concurrent transactions need PostgreSQL (LABELLING_TEST_DATABASE_URL)",
)
def test_concurrent_writers_never_fork_the_chain(app, chain):
    """Both transactions read the same head before writing; the chain lock makes the
    second wait for the first to commit, then link to it."""
    from tests.assessments.test_concurrency import race

    def writing(barrier):
        barrier.wait()
        for n in range(5):
            record_event("user.signed_in", "user", None, data={"n": n})
            db.session.flush()
        return "written"

    assert race(app, writing, writing, writing) == ["written"] * 3
    db.session.expire_all()
    assert verify_chain() == (len(chain) + 15, None)
