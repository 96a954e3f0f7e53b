"""`labelling export PATH`, `labelling import PATH` and `labelling move-files`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from labelling.backup.archive import DamagedArchive
from labelling.backup.services import (
    MoveFailed,
    RestoreRefused,
    export_platform,
    import_platform,
    move_files,
)
from labelling.core.progress import terminal_progress
from labelling.core.storage import make_storage


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(path: Path):
    """Write every table, evidence file and stored PDF to one archive (a tar) at PATH."""
    with terminal_progress("Exporting") as progress:
        summary = export_platform(path.resolve(), progress)
    click.echo(f"Exported {summary} to {path}.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path):
    """Restore an archive written by `labelling export` into this empty database."""
    try:
        with terminal_progress("Importing") as progress:
            summary = import_platform(path, progress)
    except DamagedArchive as exc:
        raise click.ClickException(f"The archive is damaged: {exc}. Nothing was restored.") from exc
    except RestoreRefused as exc:
        raise click.ClickException(f"Not restored: {exc}.") from exc
    click.echo(f"Imported {summary} from {path}.")


@click.command("move-files")
@click.option("--from", "source", type=click.Choice(["local", "s3"]), required=True)
@click.option("--to", "target", type=click.Choice(["local", "s3"]), required=True)
@with_appcontext
def move_files_command(source: str, target: str):
    """Copy every uploaded file from one storage to the other, each read back and checked
    by SHA-256; then set LABELLING_STORAGE_BACKEND to the new one."""
    if source == target:
        raise click.ClickException("--from and --to name the same storage.")
    config, instance = current_app.config, current_app.instance_path
    origin, destination = (make_storage(name, config, instance) for name in (source, target))
    try:
        with terminal_progress("Moving") as progress:
            summary = move_files(origin, destination, progress)
    except MoveFailed as exc:
        message = f"{exc}. The files in {origin.description} are untouched."
        raise click.ClickException(message) from exc
    click.echo(
        f"Copied {summary.files:,} files, {summary.bytes / 1e6:,.1f} MB, from "
        f"{origin.description} to {destination.description} in {summary.seconds:.1f} s; "
        f"each read back with its SHA-256. Now set LABELLING_STORAGE_BACKEND={target}."
    )
