"""`labelling export` and `labelling import`: the demo moves between SQLite and PostgreSQL,
either way, and comes back byte for byte; a damaged archive is refused with its part named."""

from __future__ import annotations

import io
import os
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from labelling import create_app
from labelling.assessments.evidence import store
from labelling.assessments.models import Application, Evidence
from labelling.core.audit import verify_chain
from labelling.core.storage import file_storage
from labelling.demo.data import load_demo_data
from labelling.extensions import db, init_migrations
from labelling.organisations.models import Organisation
from tests.conftest import _postgres_throwaway
from tests.factories import create_user

POSTGRES = os.environ.get(
    "LABELLING_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@contextmanager
def fresh_database(kind: str, folder: Path):
    """An empty database of `kind`, migrated to the head as `labelling db upgrade` does."""
    if kind == "sqlite":
        url, drop = f"sqlite:///{folder / 'labelling.sqlite'}", lambda: None
    else:
        try:
            url, drop = _postgres_throwaway(POSTGRES)
        except Exception as exc:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"PostgreSQL is required under CI: {exc}")
            pytest.skip(f"no PostgreSQL at {POSTGRES}: {exc}")
    app = create_app({"TESTING_CONFIG": True, "DATABASE_URL": url, "INSTANCE_PATH": str(folder)})
    init_migrations(app)
    with app.app_context():
        upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
            drop()


def demo_with_evidence() -> None:
    """The demo (labels awarded after full chains, certificates issued) and evidence files."""
    load_demo_data()
    db.session.flush()
    application = db.session.scalars(select(Application).order_by(Application.id)).first()
    for n, name in enumerate(["members.png", "strategy.png"]):
        stored = store(PNG + bytes([n]), name)
        db.session.add(
            Evidence(
                application_id=application.id,
                question_id="members",
                description=f"Evidence {n}",
                stored_name=stored.stored_name,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by_id=application.created_by_id,
            )
        )
    db.session.commit()


def export(app, path: Path) -> bytes:
    result = app.test_cli_runner().invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    tables = len(db.metadata.sorted_tables)  # every table of the schema, none left out
    assert result.output.splitlines()[-1].startswith(f"Exported {tables} tables, ")
    return path.read_bytes()


@pytest.mark.parametrize("source, target", [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_the_demo_moves_and_comes_back_byte_for_byte(tmp_path, source, target):
    with fresh_database(source, tmp_path / "source") as app:
        demo_with_evidence()
        organisations = db.session.scalar(select(func.count()).select_from(Organisation))
        files = list(file_storage().names())  # evidence and certificate PDFs
        first = export(app, tmp_path / "first.tar")
    with fresh_database(target, tmp_path / "target") as app:
        result = app.test_cli_runner().invoke(args=["import", str(tmp_path / "first.tar")])
        assert result.exit_code == 0, result.output
        tables = len(db.metadata.sorted_tables)
        assert result.output.splitlines()[-1].startswith(f"Imported {tables} tables, ")
        second = export(app, tmp_path / "second.tar")
        assert second == first
        # The restored platform works on: the chain holds, files are there, new rows get ids.
        count, broken = verify_chain()
        assert broken is None and count > 100
        assert list(file_storage().names()) == files and len(files) > 2
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == organisations
        assert create_user("after.the.move@example.org").id is not None


@pytest.fixture
def archive(tmp_path) -> Path:
    with fresh_database("sqlite", tmp_path / "source") as app:
        demo_with_evidence()
        export(app, tmp_path / "good.tar")
    return tmp_path / "good.tar"


def rewrite(archive: Path, change) -> Path:
    """A copy of the archive with `change(name, data)` applied to each member (None drops
    it); extra members may be appended by returning a list of (name, data)."""
    damaged = archive.with_name("damaged.tar")
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as out:
        for member in source:
            data = source.extractfile(member).read()
            for name, content in change(member.name, data) or []:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                out.addfile(info, io.BytesIO(content))
    return damaged


def flip_a_byte(name, data):
    if name == "tables/organisation.jsonl":
        data = data.replace(b"Cluster", b"Klaster", 1)
    return [(name, data)]


@pytest.mark.parametrize(
    "change, message",
    [
        (flip_a_byte, "tables/organisation.jsonl does not match its checksum"),
        (lambda n, d: [] if n.startswith("files/evidence/") else [(n, d)], "files/evidence/"),
        (
            lambda n, d: [(n, d)] + ([("extra.txt", b"x")] if n.startswith("tables/user.") else []),
            "extra.txt is not in the manifest",
        ),
        (lambda n, d: [] if n == "manifest.json" else [(n, d)], "manifest.json is missing"),
    ],
    ids=["changed", "missing", "unexpected", "no-manifest"],
)
def test_a_damaged_archive_is_refused_naming_the_part(tmp_path, archive, change, message):
    damaged = rewrite(archive, change)
    with fresh_database("sqlite", tmp_path / "target") as app:
        result = app.test_cli_runner().invoke(args=["import", str(damaged)])
        assert result.exit_code == 1
        assert "The archive is damaged" in result.output and message in result.output
        assert "Nothing was restored." in result.output
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
        assert list(file_storage().names()) == []


def test_a_database_with_data_is_not_overwritten(tmp_path, archive):
    with fresh_database("sqlite", tmp_path / "target") as app:
        create_user("already@example.org")
        result = app.test_cli_runner().invoke(args=["import", str(archive)])
        assert result.exit_code == 1
        assert "Not restored: the database is not empty (table user has rows)" in result.output


def test_a_database_never_migrated_is_named_not_a_traceback(tmp_path, archive):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    app = create_app({"TESTING_CONFIG": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import", str(archive)])
        db.engine.dispose()
    assert result.exit_code == 1, result.output
    assert "Not restored: this database has no schema yet" in result.output
    assert "run `labelling db upgrade` first" in result.output


def test_values_are_written_one_way_whatever_the_database_gave():
    from datetime import UTC, datetime, timedelta, timezone
    from decimal import Decimal

    from labelling.backup.archive import decode_value, encode_value

    berlin = datetime(2026, 12, 2, 17, 30, tzinfo=timezone(timedelta(hours=1)))
    assert encode_value(berlin) == "2026-12-02T16:30:00+00:00"
    assert decode_value("2026-12-02T16:30:00+00:00", datetime) == berlin.astimezone(UTC)
    assert encode_value({"a": [358000.0, 2.5]}) == {"a": [358000, 2.5]}
    assert encode_value(Decimal("2.50")) == "2.50" and decode_value("2.50", Decimal) == Decimal(
        "2.50"
    )
