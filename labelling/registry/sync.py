"""Keeps the registry's read model in step with labels, certificates and organisations.

Every flush that adds or changes a label or a certificate, or changes an organisation's
public facts, recomputes that organisation's registry rows in the same transaction (a
session event, so no service, import or test helper can forget it; a bulk UPDATE that
bypasses the ORM must call `refresh_organisations` itself). Rows that come out the same
are left alone. The registry's data version, which cached pages, ETags and facet counts
are keyed by, moves on with every change the public can see: a label, a certificate, or
the facts of an organisation that has held a label, an appeal against a label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from flask import current_app, has_app_context
from sqlalchemy import Connection, delete, event, func, insert, select
from sqlalchemy.orm import Session, attributes

from labelling.appeals.models import Appeal
from labelling.certificates.models import Certificate, Label
from labelling.core.progress import Progress
from labelling.core.text import fold, search_document
from labelling.db import utcnow
from labelling.organisations.models import Organisation
from labelling.registry.models import RegistryCell, RegistryEntry, RegistryState
from labelling.registry.timeline import HeldLabel, periods
from labelling.registry.warming import schedule_warming

# The organisation's facts the registry copies; a change to any other field (members,
# contact person, description) leaves the registry as it is.
PUBLIC_FIELDS = (
    "legal_name",
    "short_name",
    "city",
    "region",
    "country_code",
    "technology_area",
    "website",
)
ROW_COLUMNS = [column.name for column in RegistryEntry.__table__.columns if column.name != "id"]
_BATCH = 1000

label_table = Label.__table__
organisation_table = Organisation.__table__
certificate_table = Certificate.__table__
entry_table = RegistryEntry.__table__
state_table = RegistryState.__table__
cell_table = RegistryCell.__table__
CELL_FIELDS = ("level", "country_code", "technology_area", "status", "assessment_year")


# What the registry reads of a label, by name: the registry's migration runs this code
# on schemas that lack later columns of the label table.
_LABEL_COLUMNS = (
    "id",
    "organisation_id",
    "level",
    "framework_id",
    "framework_version",
    "assessment_date",
    "valid_from",
    "valid_until",
    "status",
    "status_reason",
    "status_changed_at",
)


def _dialect_insert(conn: Connection):
    """INSERT with ON CONFLICT for the database at hand (PostgreSQL and SQLite both
    have it, each in its own dialect module)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


class Cells:
    """Facet cell ids by their five values, created when first met."""

    def __init__(self, conn: Connection, preload: bool = False):
        self.conn = conn
        self.ids: dict[tuple, int] = {}
        if preload:
            self._load(cell_table.c.id.isnot(None))

    def _load(self, condition) -> None:
        columns = [cell_table.c[name] for name in CELL_FIELDS]
        for row in self.conn.execute(select(cell_table.c.id, *columns).where(condition)):
            self.ids[tuple(row[1:])] = row[0]

    def assign(self, rows: list[dict]) -> None:
        """Set each row's cell_id."""
        wanted = {tuple(row[name] for name in CELL_FIELDS) for row in rows} - set(self.ids)
        if wanted:
            countries = sorted({key[1] for key in wanted})
            self._load(cell_table.c.country_code.in_(countries))
            missing = wanted - set(self.ids)
            if missing:
                values = [dict(zip(CELL_FIELDS, key, strict=True)) for key in sorted(missing)]
                self.conn.execute(
                    _dialect_insert(self.conn)(cell_table).on_conflict_do_nothing(), values
                )
                self._load(cell_table.c.country_code.in_(sorted({k[1] for k in missing})))
        for row in rows:
            row["cell_id"] = self.ids[tuple(row[name] for name in CELL_FIELDS)]


def _level_ranks() -> dict[str, int]:
    from labelling.frameworks.services import level_ranks

    return level_ranks()


def _entry_rows(
    organisation: dict, labels: list[dict], numbers: dict[int, str], ranks: dict[str, int]
) -> list[dict]:
    """The registry rows of one organisation: one per period with a shown label."""
    by_id = {label["id"]: label for label in labels}
    held = [
        HeldLabel(
            id=label["id"],
            level_rank=ranks.get(label["level"], 0),
            status=label["status"],
            valid_from=label["valid_from"],
            valid_until=label["valid_until"],
            revoked_on=label["status_changed_at"].date()
            if label["status_changed_at"] is not None
            else None,
        )
        for label in labels
    ]
    facts = {name: organisation[name] for name in PUBLIC_FIELDS}
    facts["sort_name"] = fold(organisation["legal_name"])[:250]
    facts["search_document"] = search_document(
        organisation["legal_name"], organisation["short_name"], organisation["city"]
    )
    rows = []
    for period in periods(held):
        label = by_id[period.label_id]
        rows.append(
            facts
            | {
                "organisation_id": organisation["id"],
                "label_id": label["id"],
                "shown_from": period.shown_from,
                "shown_until": period.shown_until,
                "level": label["level"],
                "level_rank": ranks.get(label["level"], 0),
                "status": label["status"],
                "status_reason": label["status_reason"],
                "framework_id": label["framework_id"],
                "framework_version": label["framework_version"],
                "assessment_date": label["assessment_date"],
                "assessment_year": label["assessment_date"].year,
                "valid_from": label["valid_from"],
                "valid_until": label["valid_until"],
                "certificate_number": numbers.get(label["id"]),
            }
        )
    return rows


def _computed_rows(
    conn: Connection, organisation_ids: list[int], ranks, cells: Cells
) -> list[dict]:
    """What the registry rows of these organisations should be, from their labels."""
    organisations = {
        row["id"]: row
        for row in conn.execute(
            select(
                organisation_table.c.id, *(organisation_table.c[f] for f in PUBLIC_FIELDS)
            ).where(organisation_table.c.id.in_(organisation_ids))
        ).mappings()
    }
    labels: dict[int, list[dict]] = defaultdict(list)
    for row in conn.execute(
        select(*(label_table.c[name] for name in _LABEL_COLUMNS)).where(
            label_table.c.organisation_id.in_(organisation_ids)
        )
    ).mappings():
        labels[row["organisation_id"]].append(dict(row))
    label_ids = [label["id"] for group in labels.values() for label in group]
    numbers: dict[int, str] = {}
    if label_ids:
        # The newest certificate of each label is its current one (a reissue supersedes).
        for label_id, number in conn.execute(
            select(certificate_table.c.label_id, certificate_table.c.number)
            .where(certificate_table.c.label_id.in_(label_ids))
            .order_by(certificate_table.c.id)
        ):
            numbers[label_id] = number
    rows = []
    for organisation_id, organisation in organisations.items():
        if labels.get(organisation_id):
            rows.extend(_entry_rows(organisation, labels[organisation_id], numbers, ranks))
    cells.assign(rows)
    return rows


def _stored_rows(conn: Connection, organisation_ids: list[int]) -> list[dict]:
    return [
        dict(row)
        for row in conn.execute(
            select(*(entry_table.c[name] for name in ROW_COLUMNS)).where(
                entry_table.c.organisation_id.in_(organisation_ids)
            )
        ).mappings()
    ]


def _row_key(row: dict) -> tuple:
    return tuple(row[name] for name in ROW_COLUMNS)


def refresh_organisations(
    conn: Connection, organisation_ids: Iterable[int], force_new_version: bool = False
) -> bool:
    """Recompute the registry rows of these organisations; True if any row changed. The
    data version moves on then, or whenever `force_new_version` says the public pages
    changed anyway (a label's history or a certificate, which rows do not all show).
    Runs on the caller's connection and transaction."""
    ids = sorted(set(organisation_ids))
    changed = False
    ranks = _level_ranks()
    cells = Cells(conn)
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        wanted = _computed_rows(conn, batch, ranks, cells)
        if sorted(map(_row_key, wanted)) == sorted(map(_row_key, _stored_rows(conn, batch))):
            continue
        conn.execute(delete(entry_table).where(entry_table.c.organisation_id.in_(batch)))
        if wanted:
            conn.execute(insert(entry_table), wanted)
        changed = True
    if changed or force_new_version:
        bump_version(conn)
    return changed


def rebuild(conn: Connection, progress: Progress | None = None) -> int:
    """Recompute the whole registry from the labels; returns the number of rows.
    `progress` is told of each batch of organisations done."""
    conn.execute(delete(entry_table))
    ranks = _level_ranks()
    cells = Cells(conn, preload=True)
    ids = list(
        conn.scalars(
            select(label_table.c.organisation_id).distinct().order_by(label_table.c.organisation_id)
        )
    )
    written = 0
    for start in range(0, len(ids), _BATCH):
        rows = _computed_rows(conn, ids[start : start + _BATCH], ranks, cells)
        if rows:
            conn.execute(insert(entry_table), rows)
        written += len(rows)
        if progress is not None:
            progress(f"{written:,} rows", -(-len(ids) // _BATCH))
    bump_version(conn)
    return written


def bump_version(conn: Connection) -> None:
    """Move the data version on (creating the one row if needed), atomically."""
    now = utcnow()
    statement = _dialect_insert(conn)(state_table).values(id=1, data_version=1, changed_at=now)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[state_table.c.id],
            set_={"data_version": state_table.c.data_version + 1, "changed_at": now},
        )
    )


def data_version(conn: Connection) -> tuple[int, object]:
    """(version, changed_at) of the registry; (0, None) before its first change."""
    row = conn.execute(
        select(state_table.c.data_version, state_table.c.changed_at).where(state_table.c.id == 1)
    ).first()
    return (row[0], row[1]) if row else (0, None)


def entries_count(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(entry_table)) or 0


# --- following the unit of work ----------------------------------------------------------

_PENDING = "registry_pending"
_CHANGED = "registry_changed"


def _touched(session: Session) -> Iterator[tuple[str, int | None]]:
    """(kind, id) of every flushed object the public side shows."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Label):
            yield "labelled", obj.organisation_id
        elif isinstance(obj, Appeal) and obj.label_id is not None:
            # A label's public verification says whether it is under appeal.
            yield "appealed", obj.label_id
        elif isinstance(obj, Certificate):
            yield "label", obj.label_id
        elif (
            isinstance(obj, Organisation)
            and obj not in session.new
            and any(attributes.get_history(obj, name).has_changes() for name in PUBLIC_FIELDS)
        ):
            yield "organisation", obj.id


def _collect(session: Session, _context) -> None:
    pending = session.info.setdefault(_PENDING, defaultdict(set))
    for kind, ident in _touched(session):
        if ident is not None:
            pending[kind].add(ident)


def _apply(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    conn = session.connection()
    labelled = set(pending["labelled"])
    if pending["label"]:
        labelled |= set(
            conn.scalars(
                select(label_table.c.organisation_id).where(
                    label_table.c.id.in_(sorted(pending["label"]))
                )
            )
        )
    # An edited organisation matters to the public only once it has held a label.
    edited = set(pending["organisation"]) - labelled
    public = edited and conn.scalar(
        select(label_table.c.id).where(label_table.c.organisation_id.in_(sorted(edited))).limit(1)
    )
    if labelled or public:
        refresh_organisations(conn, labelled | edited, force_new_version=True)
        session.info[_CHANGED] = True
    elif pending["appealed"]:
        bump_version(conn)  # no registry row changes; the verification pages do
        session.info[_CHANGED] = True


# Where a worker keeps the data version it read last (registry.caching reads it from there).
VERSION_MEMO = "labelling.registry_version"


def _announce(session: Session) -> None:
    """After the commit: this worker reads the new data version on its next request, and
    the most-read public answers are made for it before a reader asks."""
    if session.info.pop(_CHANGED, False) and has_app_context():
        current_app.extensions.pop(VERSION_MEMO, None)
        schedule_warming()


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_CHANGED, None)


_LISTENERS = (
    ("after_flush", _collect),
    ("after_flush_postexec", _apply),
    ("after_commit", _announce),
    ("after_rollback", _forget),
)


def follow_unit_of_work() -> None:
    """Keep the registry in step with every session's flushes (idempotent)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
