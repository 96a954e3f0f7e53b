"""The signing keys of the labelling bodies (and of the platform)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import TimestampMixin, UTCDateTime
from labelling.extensions import db


class SigningKey(TimestampMixin, db.Model):
    """An Ed25519 key pair of one issuer: a labelling body, or the platform (no body).

    The private key is kept sealed with the data keys (core.sealing); the public key is
    published in the JWKS with its id (its RFC 7638 thumbprint). A retired key signs
    nothing more but stays published, so the credentials it signed still verify.
    """

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("labelling_body.id", ondelete="CASCADE"), index=True
    )
    kid: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    public_jwk: Mapped[dict] = mapped_column(JSON, nullable=False)
    private_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
