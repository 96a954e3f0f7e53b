"""Alembic migrations build the whole schema, and the models have no pending changes."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from labelling import create_app, init_migrations
from labelling.extensions import db
from labelling.registry.models import is_hand_made
from tests.conftest import throwaway_database


def keep_in_comparison(_object, name, _type, _reflected, _compare_to) -> bool:
    """The registry's full-text objects are hand-written DDL, outside the models."""
    return not is_hand_made(name)


@pytest.fixture
def empty_database_url(tmp_path):
    with throwaway_database(tmp_path) as url:
        yield url


def test_upgrade_to_head_matches_the_models_and_downgrades_cleanly(empty_database_url, tmp_path):
    app = create_app(
        {
            "TESTING_CONFIG": True,
            "DATABASE_URL": empty_database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    init_migrations(app)
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
            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.engine.dispose()
