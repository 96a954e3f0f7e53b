"""The registry's read model: one row per period in which an organisation is listed.

Each row copies what the public side shows (the organisation's names and facts, the label,
its current certificate number) so that a search, a facet count or a download reads one
table. Rows are written by `registry.sync` in the same transaction as the change to a
label, a certificate or an organisation; `labelling registry-rebuild` recomputes them all.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import UTCDateTime, utcnow
from labelling.extensions import db


class RegistryCell(db.Model):
    """One combination of the five facet values. Facet counts group the listed rows by
    this one integer (the "cube"), which is several times faster than grouping by five
    text columns; the combinations are few (thousands) and never deleted."""

    __tablename__ = "registry_cell"
    __table_args__ = (
        UniqueConstraint(
            "level",
            "country_code",
            "technology_area",
            "status",
            "assessment_year",
            name="uq_registry_cell_values",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    technology_area: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    assessment_year: Mapped[int] = mapped_column(nullable=False)


class RegistryEntry(db.Model):
    __tablename__ = "registry_entry"
    __table_args__ = (
        # Listed today: shown_from <= today <= shown_until. Most of the table is history
        # (ended periods), which the end date cuts off first; with the cell in the index,
        # the facet counts never read the table itself.
        Index("ix_registry_entry_shown", "shown_until", "shown_from", "cell_id"),
        Index("ix_registry_entry_name", "sort_name", "organisation_id"),
        Index("ix_registry_entry_valid_until", "valid_until", "sort_name", "organisation_id"),
        Index("ix_registry_entry_level", "level_rank", "sort_name", "organisation_id"),
        Index("ix_registry_entry_country", "country_code", "sort_name", "organisation_id"),
        Index("ix_registry_entry_area", "technology_area", "sort_name", "organisation_id"),
        # Partial words anywhere in the names or city, through trigrams, together with
        # the end of the period so that ended periods drop out in the index (PostgreSQL;
        # the SQLite counterpart is the FTS5 table created below).
        Index(
            "ix_registry_entry_search",
            "search_document",
            "shown_until",
            postgresql_using="gin",
            postgresql_ops={"search_document": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("label.id", ondelete="CASCADE"), nullable=False, index=True
    )
    shown_from: Mapped[date] = mapped_column(nullable=False)
    shown_until: Mapped[date] = mapped_column(nullable=False)
    # The label, as stored (expiry is the date, never a status).
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    level_rank: Mapped[int] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    assessment_date: Mapped[date] = mapped_column(nullable=False)
    assessment_year: Mapped[int] = mapped_column(nullable=False)
    valid_from: Mapped[date] = mapped_column(nullable=False)
    valid_until: Mapped[date] = mapped_column(nullable=False)
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    # The organisation.
    legal_name: Mapped[str] = mapped_column(String(250), nullable=False)
    short_name: Mapped[str | None] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(120), nullable=False)
    region: Mapped[str | None] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    technology_area: Mapped[str] = mapped_column(String(40), nullable=False)
    website: Mapped[str | None] = mapped_column(String(300))
    cell_id: Mapped[int] = mapped_column(ForeignKey("registry_cell.id"), nullable=False)
    # Folded (lower case, no accents): the legal name for sorting on every database
    # whatever its collation, and the words of the names and city for searching.
    sort_name: Mapped[str] = mapped_column(String(250), nullable=False)
    search_document: Mapped[str] = mapped_column(Text, nullable=False)


# Orders that run the other way on their first column only ("highest level first, then by
# name"): an index in that order serves them without sorting the listed rows.
for _name, _column in (
    ("level_rank", RegistryEntry.level_rank),
    ("valid_until", RegistryEntry.valid_until),
    ("year", RegistryEntry.assessment_year),
):
    Index(
        f"ix_registry_entry_{_name}_desc",
        _column.desc(),
        RegistryEntry.sort_name,
        RegistryEntry.organisation_id,
    )


class RegistryState(db.Model):
    """One row: a counter every change to the registry moves on, and when. Cached pages,
    ETags and Last-Modified are derived from it (and from the day: expiry needs no write)."""

    __tablename__ = "registry_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    data_version: Mapped[int] = mapped_column(default=0, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# PostgreSQL: the trigram index above needs the extensions labelling.db creates first.
# SQLite: an FTS5 index with the trigram tokenizer over search_document, kept by triggers.
# It answers LIKE '%word%' from the index, as pg_trgm does on PostgreSQL.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE registry_search USING fts5(search_document, "
    "content='registry_entry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER registry_search_insert AFTER INSERT ON registry_entry BEGIN "
    "INSERT INTO registry_search(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER registry_search_delete AFTER DELETE ON registry_entry BEGIN "
    "INSERT INTO registry_search(registry_search, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER registry_search_update AFTER UPDATE ON registry_entry BEGIN "
    "INSERT INTO registry_search(registry_search, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO registry_search(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
)
SQLITE_SEARCH_DROP = "DROP TABLE IF EXISTS registry_search"

for statement in SQLITE_SEARCH_DDL:
    event.listen(
        RegistryEntry.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite")
    )
event.listen(
    RegistryEntry.__table__,
    "before_drop",
    DDL(SQLITE_SEARCH_DROP).execute_if(dialect="sqlite"),
)
