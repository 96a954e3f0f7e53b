"""The `labelling` command (and `python -m labelling`): Flask's CLI on the application
factory, with the platform's commands that `labelling.cli` adds to every app."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo

from labelling import create_app
from labelling.extensions import init_migrations


def _create_app(*_args, **_kwargs):
    # Commands run without the request's statement limit (DATABASE_COMMAND_...).
    return create_app({"COMMAND_LINE": True})


MIGRATIONS_HELP = "Perform database migrations."


class LabellingGroup(FlaskGroup):
    """Flask's command group, with Flask-Migrate's `db` commands imported (with Alembic)
    only when one of them runs, so that `labelling --help` and every other command start
    fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), "db"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name != "db":
            return super().get_command(ctx, name)
        if ctx.meta.get("labelling.listing"):
            return click.Group("db", help=MIGRATIONS_HELP)  # its name and help suffice
        from flask_migrate.cli import db as migrations

        init_migrations(ctx.ensure_object(ScriptInfo).load_app())
        return migrations

    def format_commands(self, ctx: click.Context, formatter) -> None:
        ctx.meta["labelling.listing"] = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            ctx.meta.pop("labelling.listing")


@click.group(cls=LabellingGroup, create_app=_create_app)
def main():
    """Manage the labelling platform (run `labelling demo` to try it)."""


if __name__ == "__main__":
    main()
