"""One archive holding the whole platform: every table as JSON lines, every stored file,
and a manifest with counts and SHA-256 of each part.

The archive is deterministic: the same data gives the same bytes (rows in primary-key
order, keys sorted, times in UTC, tar members with fixed owners and dates), so an export,
an import elsewhere and a second export can be compared byte for byte. Binary columns
(certificate PDFs) are stored as files of their own beside the table, and referenced from
the row, so that the archive can be read with ordinary tools.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

FORMAT = "labelling-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class DamagedArchive(Exception):
    """The archive does not match its manifest; the message names the part."""


def encode_value(value):
    """A column's value as JSON: times in UTC ISO 8601, decimals as text, and a whole
    float as an integer (SQLite gives back 358000 for the 358000.0 PostgreSQL keeps in a
    JSON column: the same number, written one way)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {key: encode_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode_value(value, python_type):
    """The reverse of `encode_value`, by the column's Python type (None: as stored)."""
    if value is None or python_type is None:
        return value
    if python_type is datetime:
        return datetime.fromisoformat(value).astimezone(UTC)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is Decimal:
        return Decimal(value)
    return value


def json_line(row: dict) -> bytes:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


CHUNK = 1 << 20


class PartWriter:
    """One part of the archive written to a local file, hashed and counted on the way."""

    def __init__(self, path: str, local: Path) -> None:
        self.path, self.local = path, local
        local.parent.mkdir(parents=True, exist_ok=True)
        self._file = local.open("wb")
        self._hash = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.bytes += len(data)

    def write_row(self, row: dict) -> None:
        self.write(json_line(row) + b"\n")
        self.rows += 1

    def close(self) -> dict:
        self._file.close()
        return {"path": self.path, "bytes": self.bytes, "sha256": self._hash.hexdigest()}


@dataclass
class Manifest:
    schema_revision: str | None
    tables: dict[str, dict] = field(default_factory=dict)  # name -> path, rows, bytes, sha256
    files: dict[str, dict] = field(default_factory=dict)  # path -> bytes, sha256

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_revision": self.schema_revision,
            "tables": self.tables,
            "files": self.files,
        }
        return json.dumps(document, sort_keys=True, indent=1).encode() + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            document = json.loads(data)
        except ValueError as exc:
            raise DamagedArchive(f"{MANIFEST} is not JSON") from exc
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise DamagedArchive(f"{MANIFEST} is not a labelling export's manifest")
        if document.get("format_version") != FORMAT_VERSION:
            raise DamagedArchive(f"{MANIFEST}: format version {document.get('format_version')}")
        return cls(document.get("schema_revision"), document["tables"], document["files"])

    def expected(self) -> dict[str, dict]:
        """Every part the archive must hold, by its path in the archive."""
        return {entry["path"]: entry for entry in self.tables.values()} | {
            path: {"path": path, **entry} for path, entry in self.files.items()
        }

    @property
    def total_rows(self) -> int:
        return sum(entry["rows"] for entry in self.tables.values())

    @property
    def total_bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.expected().values())


def _member(path: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(path)
    info.size, info.mode, info.mtime = size, 0o644, 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_archive(target: Path, manifest: Manifest, parts: list[tuple[str, Path]]) -> None:
    """The manifest first, then every part (archive path, local file) in the order given."""
    with tarfile.open(target, mode="w", format=tarfile.PAX_FORMAT) as tar:
        manifest_bytes = manifest.to_bytes()
        tar.addfile(_member(MANIFEST, len(manifest_bytes)), io.BytesIO(manifest_bytes))
        for path, local in parts:
            with local.open("rb") as data:
                tar.addfile(_member(path, local.stat().st_size), data)


def verify_archive(path: Path) -> Manifest:
    """The manifest, once every part has been checked against it: a part missing,
    unexpected, of another size or checksum, or a table of another row count raises
    DamagedArchive naming the part. Nothing is restored from an archive that fails."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest, seen = _check_members(tar)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DamagedArchive(f"not a readable archive: {exc}") from exc
    for name in sorted(set(manifest.expected()) - seen):
        raise DamagedArchive(f"{name} is missing")
    return manifest


def _check_members(tar: tarfile.TarFile) -> tuple[Manifest, set[str]]:
    first = tar.next()
    if first is None or first.name != MANIFEST:
        raise DamagedArchive(f"{MANIFEST} is missing (it comes first)")
    manifest = Manifest.from_bytes(_read(tar, first))
    expected = manifest.expected()
    rows = {entry["path"]: entry["rows"] for entry in manifest.tables.values()}
    seen: set[str] = set()
    for member in tar:  # iterating starts over: the manifest comes round again
        if member is first:
            continue
        entry = expected.get(member.name)
        if entry is None or member.name in seen:
            raise DamagedArchive(f"{member.name} is not in the manifest")
        if not member.isfile():
            raise DamagedArchive(f"{member.name} is not a regular file")
        seen.add(member.name)
        digest, lines = hashlib.sha256(), 0
        for chunk in _chunks(tar, member):
            digest.update(chunk)
            lines += chunk.count(b"\n")
        if member.size != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
            raise DamagedArchive(f"{member.name} does not match its checksum")
        if member.name in rows and lines != rows[member.name]:
            raise DamagedArchive(f"{member.name} does not hold {rows[member.name]} rows")
    return manifest, seen


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    return b"".join(_chunks(tar, member))


def _chunks(tar: tarfile.TarFile, member: tarfile.TarInfo) -> Iterator[bytes]:
    handle = tar.extractfile(member)
    if handle is None:
        return
    while chunk := handle.read(CHUNK):
        yield chunk


def parts_of(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """Every part after the manifest, in archive order, as (path, readable file)."""
    with tarfile.open(path, mode="r:") as tar:
        for member in tar:
            if member.name != MANIFEST:
                handle = tar.extractfile(member)
                if handle is not None:
                    yield member.name, handle


def table_rows(handle: IO[bytes]) -> Iterator[dict]:
    for line in handle:
        yield json.loads(line)
