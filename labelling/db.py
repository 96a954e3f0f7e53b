"""Declarative base with a constraint naming convention, and shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DDL, DateTime, Index, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints keep Alembic migrations deterministic across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# PostgreSQL: the trigram operator class comes from pg_trgm, a date column in a GIN index
# from btree_gin (both in PostgreSQL's contrib, trusted since PostgreSQL 13, so a database
# owner may create them). Created before any table, for the indexes below and the
# registry's search index.
POSTGRESQL_EXTENSIONS = ("pg_trgm", "btree_gin")
for _extension in POSTGRESQL_EXTENSIONS:
    event.listen(
        Base.metadata,
        "before_create",
        DDL(f"CREATE EXTENSION IF NOT EXISTS {_extension}").execute_if(dialect="postgresql"),
    )

# Objects only one database has, made by DDL of their own (the registry's full-text
# structures, trigram indexes): the migrations' autogenerate and the schema test leave
# them alone, and each migration creates them on its database only.
DIALECT_ONLY = ("registry_search", "ix_registry_entry_search", "ix_trgm_")


def is_dialect_only(name: str | None) -> bool:
    return bool(name) and name.startswith(DIALECT_ONLY)


def trigram_index(name: str, *columns: str) -> Index:
    """A PostgreSQL index that finds a part of a word anywhere in the columns (`ILIKE
    '%part%'`, what the staff's searches ask) without reading every row; `name` starts
    with "ix_trgm_". SQLite reads the rows, at the sizes it serves."""
    assert name.startswith("ix_trgm_")
    return Index(
        name,
        *columns,
        postgresql_using="gin",
        postgresql_ops=dict.fromkeys(columns, "gin_trgm_ops"),
    ).ddl_if(dialect="postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes everywhere; SQLite drops the zone, so we put UTC back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# --- whether a unit of work wrote anything -----------------------------------------------

WROTE = "labelling.wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:  # an UPDATE, DELETE or INSERT (or text): counted as a write
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # the unit of work, not a savepoint inside it
        session.info.pop(WROTE, None)


def commit_if_written(session: Session) -> None:
    """Commit what a reading page may have written along the way (a kept summary, a stored
    file), and nothing when it wrote nothing: a commit and the after-commit hooks cost a
    stored PDF's download more than its reading does."""
    if session.new or session.dirty or session.deleted or session.info.get(WROTE):
        session.commit()
