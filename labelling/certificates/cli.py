"""`labelling import-register FILE`: the existing public register, brought in."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from labelling.certificates.register_import import (
    UnreadableFile,
    check_rows,
    column_mapping,
    flagged_rows_csv,
    read_rows,
    record_rows,
    summarise,
)
from labelling.core.http import site_request_context
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.organisations.models import TECHNOLOGY_AREAS
from labelling.organisations.technology_areas import map_names


@click.command("import-register")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; change nothing.")
@click.option("--actor", "actor_email", help="The staff member recorded as importing.")
@click.option(
    "--flagged-csv",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rows with problems or notes, and why, to this CSV file.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="'HEADER=COLUMN'",
    help="A header of the file and the column it is, e.g. 'Label expiry=valid until'.",
)
@click.option(
    "--area",
    "areas",
    multiple=True,
    metavar="'NAME=AREA'",
    help="What a technology area the file writes means, e.g. 'Textiles=materials_chemistry'; "
    "remembered for every later import (unless --dry-run).",
)
@with_appcontext
def import_register(
    path: Path,
    dry_run: bool,
    actor_email: str | None,
    flagged_csv: Path | None,
    columns: tuple[str, ...],
    areas: tuple[str, ...],
):
    """Import the existing register (CSV or XLSX): organisations, labels, certificates and
    invitations to the contacts. Running it twice adds nothing."""
    from labelling.accounts.models import User

    started = time.monotonic()
    framework = loaded().get(current_app.config["CRITERIA_DEFAULT_FRAMEWORK"])
    actor = None
    if not dry_run:
        actor = db.session.scalar(
            select(User).where(func.lower(User.email) == (actor_email or "").lower())
        )
        if actor is None or not actor.is_staff:
            raise click.ClickException("--actor must name a secretariat member or administrator.")
    area_names = _area_names(areas)
    try:
        mapping = column_mapping("\n".join(columns))
        rows = check_rows(read_rows(path.name, path.read_bytes(), mapping), framework, area_names)
    except UnreadableFile as exc:
        raise click.ClickException(str(exc)) from exc
    if flagged_csv:
        flagged_csv.write_text(flagged_rows_csv(rows), encoding="utf-8")
    for row in rows:
        for problem in row.problems:
            click.echo(f"row {row.number}: {problem} (not imported)")
        for note in row.notes:
            click.echo(f"row {row.number}: {note}")
    if dry_run:
        click.echo(f"Dry run, nothing changed. {summarise(rows)}.")
        return
    with site_request_context(current_app):
        map_names(area_names, actor)
        summary = record_rows(rows, framework, actor)
        db.session.commit()
    click.echo(f"Imported in {time.monotonic() - started:.1f} s: {summary}.")


def _area_names(options: tuple[str, ...]) -> dict[str, str]:
    names = {}
    for option in options:
        written, _equals, area = option.rpartition("=")
        if not written.strip() or area.strip() not in TECHNOLOGY_AREAS:
            raise click.BadParameter(
                f"{option!r}: write NAME=AREA, AREA one of {', '.join(TECHNOLOGY_AREAS)}",
                param_hint="--area",
            )
        names[written.strip()] = area.strip()
    return names
