"""Export the platform to one archive, and restore it into an empty database.

For moving an installation (SQLite to PostgreSQL, one host to another) and for a copy
that any tool can read. The production backup stays `pg_dump` plus the instance folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.types import TypeDecorator

from labelling.backup.archive import (
    DamagedArchive,
    Manifest,
    PartWriter,
    decode_value,
    encode_value,
    parts_of,
    table_rows,
    verify_archive,
    write_archive,
)
from labelling.core.progress import Progress
from labelling.core.storage import file_storage
from labelling.extensions import db

BATCH = 1000
EVIDENCE = "files/evidence/"


class RestoreRefused(Exception):
    """The database or the evidence folder is not empty, or of another schema."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.tables} tables, {self.rows:,} rows, {self.files:,} files, "
            f"{self.bytes / 1e6:,.1f} MB in {self.seconds:.1f} s"
        )


def tables() -> list[Table]:
    """Every table, parents before children (the order rows are restored in)."""
    return list(db.metadata.sorted_tables)


def _python_type(column) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # UTCDateTime says "object"; its impl knows
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _blob_columns(table: Table) -> list[str]:
    return [column.name for column in table.columns if _python_type(column) is bytes]


def schema_revision() -> str | None:
    """The Alembic revision of the database, None where the schema was made otherwise."""
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


# --- export -----------------------------------------------------------------------------


def _silent(_item: str, _total: int) -> None:
    pass


def export_platform(target: Path, progress: Progress = _silent) -> Summary:
    """Write the archive to `target` (replaced only once it is complete)."""
    started = time.monotonic()
    manifest = Manifest(schema_revision())
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as scratch:
        work = Path(scratch)
        blobs: list[tuple[str, Path]] = []
        table_parts: list[tuple[str, Path]] = []
        every_table = tables()
        for table in every_table:
            table_parts.append(_export_table(table, work, manifest, blobs))
            progress(table.name, len(every_table))
        files = list(_evidence_parts(manifest, work))
        # Blobs and files before the tables: a restore has them at hand when it inserts.
        partial = work / "archive.tar"
        write_archive(partial, manifest, [*sorted(blobs), *files, *table_parts])
        partial.replace(target)
    return Summary(
        len(manifest.tables),
        manifest.total_rows,
        len(manifest.files),
        target.stat().st_size,
        time.monotonic() - started,
    )


def _export_table(
    table: Table, work: Path, manifest: Manifest, blobs: list[tuple[str, Path]]
) -> tuple[str, Path]:
    path = f"tables/{table.name}.jsonl"
    writer = PartWriter(path, work / path)
    blob_columns = _blob_columns(table)
    for row in _rows_in_key_order(table):
        values = {name: encode_value(value) for name, value in row.items()}
        for name in blob_columns:
            if values[name] is not None:
                values[name] = _export_blob(table, name, row, work, manifest, blobs)
        writer.write_row(values)
    manifest.tables[table.name] = writer.close() | {"rows": writer.rows}
    return path, writer.local


def _export_blob(table, column, row, work, manifest, blobs) -> str:
    key = "-".join(str(row[c.name]) for c in table.primary_key.columns)
    path = f"blobs/{table.name}/{column}/{key}"
    blob = PartWriter(path, work / path)
    blob.write(row[column])
    entry = blob.close()
    manifest.files[path] = {"bytes": entry["bytes"], "sha256": entry["sha256"]}
    blobs.append((path, blob.local))
    return path


def _rows_in_key_order(table: Table) -> Iterator[dict]:
    query = select(table).order_by(*table.primary_key.columns)
    result = db.session.execute(query, execution_options={"yield_per": BATCH})
    for row in result.mappings():
        yield dict(row)


def _evidence_parts(manifest: Manifest, work: Path) -> Iterator[tuple[str, Path]]:
    """Every stored file (from whichever storage holds them), by its key."""
    storage = file_storage()
    for key in storage.names():
        writer = PartWriter(EVIDENCE + key, work / EVIDENCE / key)
        writer.write(storage.read(key))
        entry = writer.close()
        manifest.files[writer.path] = {"bytes": entry["bytes"], "sha256": entry["sha256"]}
        yield writer.path, writer.local


# --- import -----------------------------------------------------------------------------


def import_platform(source: Path, progress: Progress = _silent) -> Summary:
    """Restore the archive into this empty database and evidence folder, all or nothing.

    The whole archive is checked against its manifest first (DamagedArchive names the
    part that fails); then the rows go in, in one transaction.
    """
    started = time.monotonic()
    manifest = verify_archive(source)
    known = {table.name: table for table in tables()}
    _refuse_unless_restorable(manifest, known)
    storage = file_storage()
    parts = len(manifest.expected())
    written: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix=".import-") as scratch, db.engine.begin() as conn:
            blobs = Path(scratch)
            for path, handle in parts_of(source):
                if path.startswith("blobs/"):
                    _copy(handle, blobs / path)
                elif path.startswith(EVIDENCE):
                    key = path.removeprefix(EVIDENCE)
                    storage.write(key, handle.read())
                    written.append(key)
                else:
                    table = known[path.removeprefix("tables/").removesuffix(".jsonl")]
                    _restore_table(conn, table, table_rows(handle), blobs)
                progress(path, parts)
            _continue_sequences(conn)
    except Exception:
        for key in written:
            storage.delete(key)
        raise
    return Summary(
        len(manifest.tables),
        manifest.total_rows,
        len([p for p in manifest.files if p.startswith(EVIDENCE)]),
        manifest.total_bytes,
        time.monotonic() - started,
    )


def _refuse_unless_restorable(manifest: Manifest, known: dict[str, Table]) -> None:
    unknown = sorted(set(manifest.tables) - set(known))
    if unknown:
        raise DamagedArchive(f"tables/{unknown[0]}.jsonl is a table this release does not know")
    inspector = inspect(db.engine)
    missing = sorted(name for name in known if not inspector.has_table(name))
    if missing:
        raise RestoreRefused(
            f"this database has no schema yet (table {missing[0]} is missing): "
            "run `labelling db upgrade` first, then import"
        )
    ours = schema_revision()
    if manifest.schema_revision and ours and manifest.schema_revision != ours:
        raise RestoreRefused(
            f"the archive's schema is revision {manifest.schema_revision}, this database's "
            f"{ours}: restore with the release that made the archive"
        )
    for table in known.values():
        if db.session.scalar(select(func.count()).select_from(table)):
            raise RestoreRefused(f"the database is not empty (table {table.name} has rows)")
    storage = file_storage()
    if next(iter(storage.names()), None) is not None:
        raise RestoreRefused(f"{storage.description} already holds files")


def _copy(handle, local: Path) -> Path:
    local.parent.mkdir(parents=True, exist_ok=True)
    with local.open("wb") as out:
        shutil.copyfileobj(handle, out)
    return local


def _restore_table(conn, table: Table, rows: Iterator[dict], blobs: Path) -> None:
    types = {column.name: _python_type(column) for column in table.columns}
    blob_columns = _blob_columns(table)
    batch: list[dict] = []
    for row in rows:
        values = {name: decode_value(value, types.get(name)) for name, value in row.items()}
        for name in blob_columns:
            if values[name] is not None:
                values[name] = (blobs / row[name]).read_bytes()
        batch.append(values)
        if len(batch) == BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _continue_sequences(conn) -> None:
    """PostgreSQL: each table's id sequence continues after the rows restored."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or _python_type(keys[0]) is not int:
            continue
        name = keys[0].name
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608 - names from our own metadata
                f'COALESCE(MAX("{name}"), 1), MAX("{name}") IS NOT NULL) FROM "{table.name}"'
            ),
            {"table": table.name, "column": name},
        )


# --- moving files between storages --------------------------------------------------------


class MoveFailed(Exception):
    """Some files did not arrive intact; the message lists them."""


def recorded_checksums() -> dict[str, str]:
    """The SHA-256 recorded for each stored file when it was uploaded or rendered."""
    from labelling.assessments.models import Evidence
    from labelling.certificates.models import Certificate

    evidence = db.session.execute(
        select(Evidence.stored_name, Evidence.sha256).where(Evidence.stored_name.is_not(None))
    )
    certificates = db.session.execute(
        select(Certificate.pdf_key, Certificate.sha256).where(Certificate.pdf_key.is_not(None))
    )
    return {name: digest for name, digest in [*evidence, *certificates]}


def move_files(source, target, progress: Progress = _silent) -> Summary:
    """Copy every file from one storage to the other and read each back: its SHA-256 must
    be the source's, and the one recorded at upload where there is one. The source is
    left as it was (switch STORAGE_BACKEND, then remove it)."""
    started = time.monotonic()
    recorded = recorded_checksums()
    names = list(source.names())
    damaged: list[str] = []
    moved = 0
    for key in names:
        data = source.read(key)
        digest = hashlib.sha256(data).hexdigest()
        target.write(key, data)
        arrived = hashlib.sha256(target.read(key)).hexdigest()
        if arrived != digest or recorded.get(key, digest) != digest:
            damaged.append(key)
        moved += len(data)
        progress(key, len(names))
    if damaged:
        raise MoveFailed(
            f"{len(damaged)} file(s) differ from what was uploaded or did not arrive intact: "
            + ", ".join(damaged[:10])
        )
    return Summary(0, 0, len(names), moved, time.monotonic() - started)
