"""Evidence files: the type is read from the content, never from the name or the browser.

Accepted: PDF, DOCX, XLSX, PNG and JPEG. Files are stored under the instance folder (or
EVIDENCE_DIRECTORY) by a random name; the original name is kept, sanitised, for display.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.utils import secure_filename

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx", XLSX: ".xlsx"}


class EvidenceRejected(ValueError):
    """The upload is refused; the code says why (empty, too-large, unknown-type)."""


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are, among the accepted ones; None otherwise."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    return None


def _office_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    filename: str
    content_type: str
    size: int
    sha256: str


def storage_directory() -> Path:
    configured = current_app.config.get("EVIDENCE_DIRECTORY")
    directory = Path(configured) if configured else Path(current_app.instance_path) / "evidence"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def clean_filename(filename: str, content_type: str) -> str:
    """A safe display name whose extension tells the real type."""
    stem = Path(secure_filename(filename or "") or "document").stem[:120] or "document"
    return stem + EXTENSIONS[content_type]


def store(content: bytes, filename: str) -> StoredFile:
    """Check and write the bytes; raises EvidenceRejected."""
    if not content:
        raise EvidenceRejected("empty")
    if len(content) > current_app.config["EVIDENCE_MAX_BYTES"]:
        raise EvidenceRejected("too-large")
    content_type = sniff(content)
    if content_type is None:
        raise EvidenceRejected("unknown-type")
    stored_name = secrets.token_hex(16)
    (storage_directory() / stored_name).write_bytes(content)
    return StoredFile(
        stored_name=stored_name,
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def path_of(stored_name: str) -> Path:
    # Stored names are our own random hex: refuse anything else, so no path can escape.
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise FileNotFoundError(stored_name)
    return storage_directory() / stored_name


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
