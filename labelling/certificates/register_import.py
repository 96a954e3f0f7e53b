"""The operator's existing public register, brought in: a CSV or XLSX file checked row by
row, then recorded as imported labels (`imports.import_label`), idempotently.

The file has the public register's columns: organisation, country, technology area,
website, level, valid until; optionally certificate (or report) number, assessment date,
city and a contact's e-mail; headers as registers write them ("Label valid until").
Dates are YYYY/MM/DD or ISO; countries are codes or names in any language Babel knows;
technology areas are names, shipped synonyms or names the secretariat mapped once.
A CSV file is read with one dialect throughout (the separator of its header row). A row
with a problem (a name a spreadsheet would run as a formula among them) is reported by
its row number and not imported; a label that has expired is imported as history (no
certificate).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

import pycountry
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from labelling.certificates.models import Label
from labelling.core.cells import looks_like_a_formula, plain_row
from labelling.core.text import fold
from labelling.criteria.framework import Framework
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.organisations.technology_areas import area_for, mapped_areas

# Each column by the names registers use for it (folded: lower case, no accents).
HEADERS = {
    "organisation": ("organisation", "organization", "cluster organisation", "name", "cluster"),
    "country": ("country", "country code"),
    "technology_area": ("technology area", "technology", "sector", "technology field"),
    "website": ("website", "web site", "url", "web"),
    "level": ("level", "label", "label level"),
    "valid_until": (
        "valid until",
        "validity",
        "expiry",
        "expiry date",
        "valid to",
        "valid until date",
        "expires",
        "expires on",
        "end of validity",
    ),
    "certificate_number": ("certificate number", "report number", "certificate", "report"),
    "assessment_date": ("assessment date", "date of assessment", "assessed"),
    "city": ("city", "town"),
    "contact_email": ("e-mail of a contact", "contact e-mail", "contact email", "e-mail", "email"),
}
REQUIRED = ("organisation", "country", "technology_area", "website", "level", "valid_until")
DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d")


class UnreadableFile(ValueError):
    """Not a CSV or XLSX file with the register's header row."""


@dataclass
class RegisterRow:
    number: int  # as a spreadsheet counts: the header is row 1
    values: dict
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    country: str | None = None
    level: str | None = None
    technology_area: str | None = None
    valid_until: date | None = None
    assessment_date: date | None = None
    website_host: str | None = None
    existing_id: int | None = None
    existing: Organisation | None = None
    already_recorded: bool = False

    @property
    def importable(self) -> bool:
        return not self.problems

    @property
    def expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < date.today()


# --- reading ----------------------------------------------------------------------------


def column_mapping(lines: str) -> dict[str, str]:
    """An explicit mapping, one "file's header = column" per line ("Label expiry = valid
    until"), as {folded header: column}; UnreadableFile names a line that is not one."""
    mapping = {}
    for line in lines.splitlines():
        if not line.strip():
            continue
        title, _equals, column = line.rpartition("=")
        key = fold(column).strip().replace(" ", "_")
        if not title.strip() or key not in HEADERS:
            raise UnreadableFile(
                _(
                    "Not a column mapping: %(line)r (write: the file's header = one of "
                    "%(columns)s).",
                    line=line.strip(),
                    columns=", ".join(c.replace("_", " ") for c in HEADERS),
                )
            )
        mapping[fold(title).strip()] = key
    return mapping


def read_rows(
    filename: str, content: bytes, mapping: dict[str, str] | None = None
) -> list[tuple[int, dict]]:
    """(row number, {column: value}) for each non-empty row of a CSV or XLSX file;
    `mapping` ({folded header: column}) goes before the names registers use."""
    if filename.lower().endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        table = _xlsx_table(content)
    else:
        table = _csv_table(content)
    if not table:
        raise UnreadableFile(_("The file is empty."))
    columns = _columns(table[0], mapping or {})
    missing = [name for name in REQUIRED if name not in columns.values()]
    if missing:
        raise UnreadableFile(
            _("Columns missing from the first row: %(columns)s.", columns=", ".join(missing))
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {columns[i]: cell for i, cell in enumerate(cells) if i in columns}
        if any(str(value).strip() for value in values.values() if value is not None):
            rows.append((number, values))
    return rows


def _csv_table(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    # One dialect for the whole file: the spreadsheet's own (quotes doubled inside quoted
    # fields), with the separator its header row uses. Guessing the dialect from the
    # file's first 4 KB split a quoted name with doubled quotes further down.
    return list(csv.reader(io.StringIO(text), csv.excel, delimiter=_separator(text)))


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    outside_quotes = re.sub(r'"[^"]*"', "", header)
    counts = {mark: outside_quotes.count(mark) for mark in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _xlsx_table(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception as exc:
        raise UnreadableFile(_("The file is not a readable XLSX workbook.")) from exc
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# Words a register puts before a column's name ("Label valid until", "Certificate level").
HEADER_PREFIXES = ("label ", "certificate ", "cluster ")


def _columns(header: list, mapping: dict[str, str]) -> dict[int, str]:
    by_name = {fold(alias): column for column, aliases in HEADERS.items() for alias in aliases}
    by_name.update(mapping)
    found = {}
    for index, title in enumerate(header):
        folded = fold(str(title or "")).strip().rstrip(":").strip()
        column = by_name.get(folded)
        for prefix in HEADER_PREFIXES:
            if column is None and folded.startswith(prefix):
                column = by_name.get(folded.removeprefix(prefix))
        if column and column not in found.values():
            found[index] = column
    return found


# --- checking ---------------------------------------------------------------------------


def country_names() -> dict[str, str]:
    """Folded country names and codes -> code: English and the platform's languages
    first, then every language Babel knows ("Ελλάδα", "Danmark")."""
    names = dict(_platform_country_names(tuple(current_app.config["LANGUAGES"])))
    for name, code in _country_names_in_every_language().items():
        names.setdefault(name, code)
    return names


@lru_cache(maxsize=1)
def _country_names_in_every_language() -> dict[str, str]:
    """About 1.4 s once per process: 331 languages' names of every territory."""
    from babel.localedata import locale_identifiers

    names: dict[str, str] = {}
    for identifier in sorted(i for i in locale_identifiers() if "_" not in i):
        try:
            territories = Locale.parse(identifier).territories
        except (ValueError, LookupError):
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    return names


@lru_cache(maxsize=4)
def _platform_country_names(languages: tuple[str, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.alpha_2, country.alpha_3, country.name):
            names[fold(name)] = country.alpha_2
        for attribute in ("official_name", "common_name"):
            if hasattr(country, attribute):
                names[fold(getattr(country, attribute))] = country.alpha_2
    for language in languages:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    names.update({"uk": "GB", "great britain": "GB", "el": "GR"})  # as the EU writes them
    return names


def parse_date(value) -> date | None:
    """A date from a cell: a spreadsheet date, YYYY/MM/DD or ISO; None if impossible."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def website_host(value: str) -> str | None:
    text = str(value or "").strip().lower()
    if not text:
        return None
    host = urlsplit(text if "://" in text else f"http://{text}").hostname or ""
    host = host.removeprefix("www.")
    return host if re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host) else None


def _text(values: dict, column: str) -> str:
    value = values.get(column)
    return "" if value is None else str(value).strip()


def _level_of(text: str, framework: Framework) -> str | None:
    wanted = fold(text).removesuffix(" label").strip()
    for level in framework.levels:
        if wanted in (fold(level.id), fold(level.name)):
            return level.id
    return None


def check_rows(
    raw: list[tuple[int, dict]], framework: Framework, areas: dict[str, str] | None = None
) -> list[RegisterRow]:
    """Every row with its problems (not imported) and notes (imported, but worth a look);
    `areas` ({written: area}) maps technology areas for this check only."""
    countries = country_names()
    areas = mapped_areas() | {fold(written): area for written, area in (areas or {}).items()}
    known = KnownOrganisations()
    seen_hosts: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    rows = []
    for number, values in raw:
        row = RegisterRow(number, values)
        _check_required(row)
        _check_values(row, framework, countries, areas)
        _check_repeats(row, seen_hosts, seen_names)
        if row.importable:
            known.find(row)
        rows.append(row)
    known.load(rows)
    return rows


def _check_required(row: RegisterRow) -> None:
    for column in REQUIRED:
        if not _text(row.values, column):
            row.problems.append(_("%(column)s is empty", column=column.replace("_", " ")))
    name = _text(row.values, "organisation")
    if name and looks_like_a_formula(name):
        row.problems.append(
            _("the name looks like a spreadsheet formula: %(value)r", value=name[:80])
        )


def _check_values(
    row: RegisterRow, framework: Framework, countries: dict[str, str], areas: dict[str, str]
) -> None:
    values = row.values
    country = _text(values, "country")
    if country:
        row.country = countries.get(fold(country))
        if row.country is None:
            row.problems.append(_("unknown country %(value)r", value=country))
    level = _text(values, "level")
    if level:
        row.level = _level_of(level, framework)
        if row.level is None:
            row.problems.append(_("unknown level %(value)r", value=level))
    area = _text(values, "technology_area")
    if area:
        row.technology_area = area_for(area, areas)
        if row.technology_area is None:
            row.problems.append(_("unknown technology area %(value)r", value=area))
    website = _text(values, "website")
    if website:
        row.website_host = website_host(website)
        if row.website_host is None:
            row.problems.append(_("not a website address: %(value)r", value=website))
    for column in ("valid_until", "assessment_date"):
        raw = values.get(column)
        if raw in (None, ""):
            continue
        parsed = parse_date(raw)
        if parsed is None:
            row.problems.append(
                _("impossible date %(value)r (write YYYY/MM/DD)", value=str(raw).strip())
            )
        setattr(row, column, parsed)
    email = _text(values, "contact_email")
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            row.problems.append(_("not an e-mail address: %(value)r", value=email))
    if row.valid_until and row.assessment_date and row.assessment_date > row.valid_until:
        row.problems.append(_("assessed after the label's end"))
    if row.expired:
        row.notes.append(
            _(
                "the label expired on %(day)s: recorded as history, without a certificate",
                day=row.valid_until.isoformat(),
            )
        )


def _check_repeats(row: RegisterRow, hosts: dict[str, int], names: dict) -> None:
    name = (fold(_text(row.values, "organisation")), row.country or "")
    earlier = hosts.get(row.website_host or "") or names.get(name)
    if earlier:
        row.problems.append(_("the same organisation as row %(row)d", row=earlier))
        return
    if row.website_host:
        hosts[row.website_host] = row.number
    if name[0]:
        names[name] = row.number


class KnownOrganisations:
    """The organisations already on the platform, by website and by folded name and
    country: read once, so that checking 1,300 rows costs two queries, not 1,300."""

    def __init__(self) -> None:
        self.by_host: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        rows = db.session.execute(
            select(
                Organisation.id,
                Organisation.website,
                Organisation.legal_name,
                Organisation.country_code,
            )
        )
        for id_, website, name, country in rows:
            host = website_host(website or "")
            if host:
                self.by_host.setdefault(host, id_)
            self.by_name.setdefault((fold(name), country), id_)
        self.labels = {
            (organisation_id, level, valid_until)
            for organisation_id, level, valid_until in db.session.execute(
                select(Label.organisation_id, Label.level, Label.valid_until)
            )
        }

    def find(self, row: RegisterRow) -> None:
        """The organisation already on the platform (same website, or same name in the
        same country), and whether this label is already recorded for it."""
        name = (fold(_text(row.values, "organisation")), row.country)
        found = self.by_host.get(row.website_host or "") or self.by_name.get(name)
        if found is not None:
            row.existing_id = found
            row.already_recorded = (found, row.level, row.valid_until) in self.labels

    @staticmethod
    def load(rows: list[RegisterRow]) -> None:
        """The organisations the rows found, read in one query."""
        wanted = {row.existing_id for row in rows if row.existing_id is not None}
        loaded = {
            organisation.id: organisation
            for organisation in db.session.scalars(
                select(Organisation).where(Organisation.id.in_(wanted))
            )
        }
        for row in rows:
            row.existing = loaded.get(row.existing_id)


# --- recording --------------------------------------------------------------------------


@dataclass
class ImportSummary:
    rows: int = 0
    organisations_created: int = 0
    labels_recorded: int = 0
    certificates_issued: int = 0
    invitations_sent: int = 0
    already_recorded: int = 0
    refused: int = 0

    def __str__(self) -> str:
        return (
            f"{self.rows:,} rows: {self.labels_recorded:,} labels recorded "
            f"({self.certificates_issued:,} with a certificate), "
            f"{self.organisations_created:,} organisations created, "
            f"{self.invitations_sent:,} contacts invited, "
            f"{self.already_recorded:,} already recorded, {self.refused:,} rows with problems"
        )


def unknown_areas(rows: list[RegisterRow]) -> list[tuple[str, int]]:
    """The technology areas the file writes that nothing maps, with their rows, the most
    frequent first: what the secretariat is asked to map once."""
    counts = Counter(
        _text(row.values, "technology_area")
        for row in rows
        if row.technology_area is None and _text(row.values, "technology_area")
    )
    by_name: dict[str, list] = {}
    for written, rows_ in counts.most_common():
        by_name.setdefault(fold(written), [written, 0])[1] += rows_  # "TEXTILES" asked once
    return [(written, rows_) for written, rows_ in by_name.values()]


def summarise(rows: list[RegisterRow]) -> ImportSummary:
    """What a real run would do (the dry run's figures)."""
    summary = ImportSummary(rows=len(rows))
    for row in rows:
        if not row.importable:
            summary.refused += 1
        elif row.already_recorded:
            summary.already_recorded += 1
        else:
            summary.labels_recorded += 1
            summary.certificates_issued += not row.expired
            summary.organisations_created += row.existing is None
            summary.invitations_sent += bool(_text(row.values, "contact_email"))
    return summary


def flagged_rows_csv(rows: list[RegisterRow]) -> str:
    """The dry run's rows to look at, as CSV: each with its values, problems and notes,
    every cell plain (a name like "=HYPERLINK(...)" is what this file is about)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = list(HEADERS)
    writer.writerow(["row", *columns, "problems", "notes", "imported"])
    for row in rows:
        if row.problems or row.notes:
            values = [_text(row.values, column) for column in columns]
            problems, notes = "; ".join(row.problems), "; ".join(row.notes)
            imported = "no" if row.problems else "yes"
            writer.writerow(plain_row([row.number, *values, problems, notes, imported]))
    return buffer.getvalue()


def record_rows(rows: list[RegisterRow], framework: Framework, actor) -> ImportSummary:
    """Record every importable row not recorded yet; flushes, the caller commits."""
    from labelling.certificates.imports import import_label

    summary = ImportSummary(rows=len(rows))
    for row in rows:
        if not row.importable:
            summary.refused += 1
            continue
        if row.already_recorded:
            summary.already_recorded += 1
            continue
        organisation = row.existing or _create_organisation(row, actor)
        summary.organisations_created += row.existing is None
        row.existing = organisation
        import_label(
            organisation,
            row.level,
            row.assessment_date or _assessed_for(row, framework),
            framework,
            actor,
            _source(row),
            with_certificate=not row.expired,
            valid_until=row.valid_until,
        )
        summary.labels_recorded += 1
        summary.certificates_issued += not row.expired
        summary.invitations_sent += _invite_contact(row, organisation, actor)
    return summary


def _create_organisation(row: RegisterRow, actor) -> Organisation:
    from labelling.core.audit import record_event

    website = _text(row.values, "website")
    organisation = Organisation(
        legal_name=_text(row.values, "organisation"),
        country_code=row.country,
        city=_text(row.values, "city"),  # the register may not say: the manager adds it
        website=website if "://" in website else f"https://{website}",
        technology_area=row.technology_area,
        contact_email=_text(row.values, "contact_email") or None,
    )
    db.session.add(organisation)
    db.session.flush()
    record_event(
        "organisation.created",
        "organisation",
        organisation.id,
        actor=actor,
        comment=_source(row),
    )
    return organisation


def _assessed_for(row: RegisterRow, framework: Framework) -> date:
    """The assessment date a label valid until `valid_until` implies: the first day of
    the month its validity counts from."""
    months = framework.level(row.level).validity_months - 1
    total = row.valid_until.year * 12 + row.valid_until.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


def _source(row: RegisterRow) -> str:
    number = _text(row.values, "certificate_number")
    reference = f", certificate {number}" if number else ""
    return f"Imported from the existing register (row {row.number}{reference})"


def _invite_contact(row: RegisterRow, organisation: Organisation, actor) -> bool:
    from labelling.accounts.models import User
    from labelling.organisations.models import Invitation, Membership, TeamRole
    from labelling.organisations.services import invite_member

    email = _text(row.values, "contact_email").lower()
    if not email:
        return False
    known = db.session.scalar(
        select(Invitation.id).where(
            Invitation.organisation_id == organisation.id, Invitation.email == email
        )
    ) or db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id, func.lower(User.email) == email)
    )
    if known:
        return False
    invite_member(organisation, email, TeamRole.MANAGER, actor)
    return True
