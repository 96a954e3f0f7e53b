"""Alembic migrations build the whole schema, and the models have no pending changes."""

from __future__ import annotations

from datetime import UTC, datetime

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from labelling import create_app
from labelling.db import is_dialect_only
from labelling.extensions import db, init_migrations
from tests.conftest import throwaway_database


def keep_in_comparison(_object, name, _type, _reflected, _compare_to) -> bool:
    """Objects only one database has are made by DDL of their own (labelling.db)."""
    return not is_dialect_only(name)


def migrating_app(url: str, tmp_path):
    app = create_app(
        {"TESTING_CONFIG": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance")}
    )
    init_migrations(app)
    return app


@pytest.fixture
def empty_database_url(tmp_path):
    with throwaway_database(tmp_path) as url:
        yield url


def test_upgrade_to_head_matches_the_models_and_downgrades_cleanly(empty_database_url, tmp_path):
    app = migrating_app(empty_database_url, tmp_path)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": keep_in_comparison}
                )
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            # The staff's searches by a part of a name: trigram indexes on PostgreSQL only.
            inspector = inspect(db.engine)
            names = {
                index["name"]
                for table in ("organisation", "user")
                for index in inspector.get_indexes(table)
            }
            trigram = {"ix_trgm_organisation_names", "ix_trgm_user_names"}
            postgresql = db.engine.dialect.name == "postgresql"
            assert trigram <= names if postgresql else not trigram & names
            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.engine.dispose()


def test_the_registry_migration_copies_existing_labels_in(empty_database_url, tmp_path):
    """A platform upgraded with labels already issued lists them at once."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import text

    app = migrating_app(empty_database_url, tmp_path)
    today, now = date.today(), datetime.now(UTC)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="fe9c51c9d7ea")  # the revision before the registry
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO organisation (id, legal_name, country_code, city, "
                        "technology_area, is_website_in_english, management_fte, members_sme, "
                        "members_large, members_rnd, members_university, members_education, "
                        "members_finance, members_consultant, members_public, members_other, "
                        "committed_members, created_at, updated_at) VALUES (1, 'Øresund Food "
                        "Cluster', 'DK', 'København', 'food', true, 1, 20, 0, 0, 0, 0, 0, 0, "
                        "0, 0, 20, :now, :now)"
                    ),
                    {"now": now},
                )
                conn.execute(
                    text(
                        "INSERT INTO application (id, organisation_id, level, kind, "
                        "framework_id, framework_version, framework_digest, state, "
                        "row_version, created_at, updated_at, decided_at, decided_by_id, "
                        "awarded_level, assessment_date) VALUES (1, 1, 'gold', 'new', "
                        "'ecei-2013', '2013.1', 'x', 'draft', 1, :now, :now, NULL, NULL, "
                        "NULL, NULL)"
                    ),
                    {"now": now},
                )
                conn.execute(
                    text(
                        "INSERT INTO label (id, organisation_id, application_id, level, "
                        "framework_id, framework_version, assessment_date, valid_from, "
                        "valid_until, status, created_at) VALUES (1, 1, 1, 'gold', "
                        "'ecei-2013', '2013.1', :start, :start, :end, 'active', :now)"
                    ),
                    {"start": today - timedelta(days=30), "end": today + timedelta(days=600),
                     "now": now},
                )  # fmt: skip
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT legal_name, search_document, level FROM registry_entry")
                ).all()
            assert [tuple(row) for row in rows] == [
                ("Øresund Food Cluster", "oresund food cluster kobenhavn", "gold")
            ]
            flask_migrate.downgrade(revision="base")
        finally:
            db.engine.dispose()


def test_the_audit_chain_migration_links_the_events_already_written(empty_database_url, tmp_path):
    """Events from before the chain become its first stretch, exactly as the app hashes."""
    import json
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from labelling.core.audit import verify_chain

    app = migrating_app(empty_database_url, tmp_path)
    now = datetime.now(UTC)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="7ea4b12010b3")  # the revision before the chain
            with db.engine.begin() as conn:
                for n in range(3):
                    conn.execute(
                        text(
                            "INSERT INTO audit_event (created_at, action, object_type, "
                            "object_id, data) VALUES (:at, 'label.suspend', 'label', :n, :data)"
                        ),
                        {"at": now + timedelta(seconds=n), "n": n, "data": json.dumps({"n": n})},
                    )
            flask_migrate.upgrade()
            # The three, then the keyed event the keying of the chain writes (issue 25).
            assert verify_chain() == (4, None)
            db.session.rollback()  # let the downgrade take its locks
            flask_migrate.downgrade(revision="base")
        finally:
            db.session.remove()
            db.engine.dispose()


def test_keys_migration_seals_second_factors_and_keys_the_chain(empty_database_url, tmp_path):
    """Issue 25: a TOTP secret kept in clear is sealed; a plain chain gets a keyed event
    after it, so that a chain rewritten without the key (a plain head) is found."""
    from sqlalchemy import select, text

    from labelling.accounts.models import User
    from labelling.core.audit import AuditEvent, verify_chain

    app = migrating_app(empty_database_url, tmp_path)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="6523f84df4b3")  # the revision before the keys
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        'INSERT INTO "user" (email, full_name, password_hash, is_enabled, '
                        "locale, created_at, password_changed_at, totp_secret) "
                        "VALUES ('a@example.org', 'A', 'x', true, 'en', :at, :at, :s)"
                    ),
                    {"at": datetime.now(UTC), "s": "JBSWY3DPEHPK3PXP"},
                )
                conn.execute(
                    text(
                        "INSERT INTO audit_event (created_at, action, object_type, prev_hash, "
                        "chain_hash) VALUES (:at, 'label.suspend', 'label', :p, :h)"
                    ),
                    {"at": MOMENT, "p": "0" * 64, "h": plain_digest()},
                )
            flask_migrate.upgrade()
            raw = db.session.execute(text('SELECT totp_secret FROM "user"')).scalar()
            assert "JBSWY3DPEHPK3PXP" not in raw
            assert db.session.scalars(select(User)).one().totp_secret == "JBSWY3DPEHPK3PXP"
            assert verify_chain() == (2, None)
            last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            assert (last.action, last.key_id is not None) == ("audit.chain_keyed", True)
            db.session.rollback()
            flask_migrate.downgrade(revision="6523f84df4b3")
            raw = db.session.execute(text('SELECT totp_secret FROM "user"')).scalar()
            assert raw == "JBSWY3DPEHPK3PXP"
            db.session.rollback()
            flask_migrate.downgrade(revision="base")
        finally:
            db.session.remove()
            db.engine.dispose()


MOMENT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def plain_digest() -> str:
    """The hash the app wrote for the event above before the chain was keyed."""
    from types import SimpleNamespace

    from labelling.core.audit import GENESIS, event_digest

    fields = ("actor_id", "object_id", "from_state", "to_state", "comment", "data")
    event = SimpleNamespace(created_at=MOMENT, action="label.suspend", object_type="label")
    return event_digest(SimpleNamespace(**vars(event), **dict.fromkeys(fields)), GENESIS)
