"""`labelling export PATH` and `labelling import PATH`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from labelling.backup.archive import DamagedArchive
from labelling.backup.services import RestoreRefused, export_platform, import_platform
from labelling.core.progress import terminal_progress


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
