"""Evidence files: the type is read from the content, never from the name or the browser.

Accepted: PDF, DOCX, XLSX, PNG and JPEG. Files are kept in the file storage (a folder,
or an S3 bucket: core.storage) by a random name; the original name is kept, sanitised,
for display.
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

from labelling.core.storage import file_storage

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
    file_storage().write(stored_name, content)
    return StoredFile(
        stored_name=stored_name,
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def read(stored_name: str) -> bytes:
    """The stored bytes; FileNotFoundError for a name that is not one of ours or is gone."""
    return file_storage().read(stored_name)


def discard(stored_name: str) -> None:
    file_storage().delete(stored_name)
