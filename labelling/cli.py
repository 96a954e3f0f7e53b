"""The platform's own commands (demo, create-admin, maintenance), added to `app.cli` by the
factory; `labelling.__main__` is the `labelling` command that runs them."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from labelling.core.http import site_request_context
from labelling.extensions import db, init_migrations
from labelling.frameworks.services import loaded


def register_commands(app) -> None:
    from labelling.backup.cli import export_command, import_command, move_files_command
    from labelling.certificates.cli import import_register
    from labelling.credentials.cli import credential_keys, verify_credential
    from labelling.jobs.cli import check_settings, scheduler, worker

    for command in (
        check_settings,
        worker,
        scheduler,
        export_command,
        import_command,
        move_files_command,
        import_register,
        demo,
        create_admin,
        send_outbox,
        send_reminders,
        check_criteria,
        registry_rebuild,
        agreement_rebuild,
        body_add,
        body_member,
        criteria_template,
        audit,
        check_answers,
        purge_sessions,
        purge_evidence,
        new_key,
        reseal_secrets,
        credential_keys,
        verify_credential,
    ):
        app.cli.add_command(command)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the database and demo data, then exit.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool):
    """Create the database, load demo data, print the logins and start the server."""
    from flask_migrate import upgrade

    from labelling.core.dev_server import run_dev_server
    from labelling.demo.data import load_demo_data
    from labelling.demo.people import DEMO_PASSWORD

    init_migrations(current_app)
    upgrade()
    users = load_demo_data()
    db.session.commit()
    # Only here do staff accounts sign in without a second factor; the pages say so.
    current_app.config.update(TWO_FACTOR_REQUIRED=False, DEMO_MODE=True)
    click.echo(f"\nDemo data is ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
    for user in users:
        roles = ", ".join(sorted(user.roles))
        click.echo(f"  {user.email:<34} {roles}")
    click.echo(
        "\nDemo only: assessors, the secretariat and administrators sign in without a second "
        "factor here. Everywhere else (LABELLING_TWO_FACTOR_REQUIRED, on by default) they set "
        "one up at their first sign-in."
    )
    if no_serve:
        return
    click.echo(f"\nOpen http://{host}:{port}/ in your browser. Stop with Ctrl+C.\n")
    # Flask's app.run() refuses to start inside a CLI command, so serve with Werkzeug directly.
    run_dev_server(host, port, current_app._get_current_object())


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, full_name: str, password: str):
    """Create an administrator account, or give an existing account the admin role."""
    from labelling.accounts.models import Role
    from labelling.accounts.passwords import judge_password
    from labelling.accounts.services import find_user_by_email, register_user

    user = find_user_by_email(email)
    if user is None:
        verdict = judge_password(
            password,
            name=full_name,
            email=email,
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            min_score=current_app.config["PASSWORD_MIN_SCORE"],
        )
        if not verdict.is_acceptable:
            raise click.BadParameter(" ".join(verdict.problems), param_hint="--password")
        user = register_user(email, full_name, password, roles=(Role.ADMIN, Role.SECRETARIAT))
        click.echo(f"Administrator {user.email} created.")
    else:
        user.grant(Role.ADMIN)
        click.echo(f"{user.email} is now an administrator.")
    if not user.has_second_factor and current_app.config["TWO_FACTOR_REQUIRED"]:
        _enrol_on_the_command_line(user)
    db.session.commit()


def _enrol_on_the_command_line(user) -> None:
    """Administrators need a second factor: set it up here, so that the first sign-in
    does not depend on anyone else."""
    import segno

    from labelling.accounts import two_factor

    two_factor.new_secret(user)
    uri = two_factor.provisioning_uri(user)
    click.echo("\nSet up the second factor: scan this with an authenticator app,")
    segno.make(uri, error="m").terminal(compact=True)
    click.echo(f"or enter this key in it: {user.totp_secret}")
    for _attempt in range(3):
        codes = two_factor.enable(user, click.prompt("Code the app shows now"))
        if codes is not None:
            click.echo("\nRecovery codes (each signs in once without the app; keep them safe):")
            for code in codes:
                click.echo(f"  {code}")
            return
        click.echo("This code is not right. Check the app's clock and try again.")
    db.session.rollback()
    raise click.ClickException("The second factor was not set up: nothing was saved.")


@click.command("send-outbox")
@with_appcontext
def send_outbox():
    """Send every e-mail that is queued, failed or given up, now (needs
    LABELLING_MAIL_SERVER). Safe beside a running worker: each message is claimed first."""
    from labelling.notifications.delivery import retry_unsent, smtp_configured

    if not smtp_configured():
        click.echo("No SMTP server configured: messages stay in the outbox table.")
        return
    click.echo(f"{retry_unsent()} message(s) sent.")


@click.command("send-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Pretend it is this day (YYYY-MM-DD); default: today.",
)
@with_appcontext
def send_reminders(today):
    """Queue the reminders that are due. Safe to run twice: none is ever sent twice."""
    from datetime import date

    from labelling.notifications.reminders import reminder_providers
    from labelling.notifications.reminders import send_reminders as send_due

    day = today.date() if today else date.today()
    started = time.monotonic()
    with site_request_context(current_app):
        queued = send_due(reminder_providers(), day)
        db.session.commit()
    seconds = time.monotonic() - started
    click.echo(f"{queued} reminder(s) queued for {day.isoformat()} in {seconds:.1f} s.")


@click.command("registry-rebuild")
@with_appcontext
def registry_rebuild():
    """Recompute the public registry's table from the labels (after a restore, or to
    check it: the result equals what the label lifecycle keeps)."""
    from labelling.core.progress import terminal_progress
    from labelling.registry.sync import rebuild

    started = time.monotonic()
    with terminal_progress("Rebuilding") as progress:
        rows = rebuild(db.session.connection(), progress)
    db.session.commit()
    click.echo(f"Registry rebuilt: {rows:,} row(s) in {time.monotonic() - started:.1f} s.")


@click.command("agreement-rebuild")
@with_appcontext
def agreement_rebuild():
    """Keep the two assessors' outcomes of every decided application (what the agreement
    pages count): once after upgrading a database decided before they existed."""
    from labelling.agreement.capture import rebuild

    applications = rebuild()
    db.session.commit()
    click.echo(f"Pairs of ratings kept for {applications:,} application(s).")


@click.command("check-criteria")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def check_criteria(paths):
    """Validate framework files (default: every installed framework)."""
    from pathlib import Path

    from labelling.criteria.loader import FrameworkError, load_framework_file

    if not paths:
        failed = False
        for framework in loaded():
            click.echo(f"ok  {framework.key}: {len(framework.indicators)} indicators")
            failed |= _check_translations(framework)
        if failed:
            raise SystemExit(1)
        return
    failed = False
    for path in paths:
        try:
            framework = load_framework_file(Path(path))
        except FrameworkError as exc:
            failed = True
            click.echo(str(exc), err=True)
        else:
            click.echo(f"ok  {path}: {framework.key}")
    if failed:
        raise SystemExit(1)


@click.command("criteria-template")
@click.argument("framework_id")
@click.argument("version")
@click.argument("locale")
@with_appcontext
def criteria_template(framework_id: str, version: str, locale: str):
    """Print a companion file to translate a framework version into LOCALE: every text a
    person reads, with its English beside it (translations already made are kept)."""
    from labelling.criteria.translations import template

    click.echo(template(loaded().get(framework_id, version), locale))


def _check_translations(framework) -> bool:
    """Report each language's companion: an unknown key is an error; a missing translation
    a warning in a draft framework and an error in an active one. True if any error."""
    from labelling.criteria.translations import check_companion

    failed = False
    for locale in current_app.config["LANGUAGES"]:
        missing, unknown = check_companion(framework, locale)
        if locale == "en":  # the file itself is English: a companion only adds unit forms
            missing = []
        is_error = bool(unknown) or (bool(missing) and framework.status == "active")
        if missing or unknown:
            kind = "error" if is_error else "warning"
            click.echo(
                f"{kind}  {framework.key} [{locale}]: {len(missing)} missing, "
                f"{len(unknown)} unknown"
                + (f" (first missing: {missing[0]})" if missing else "")
                + (f" (unknown: {unknown[0]})" if unknown else ""),
                err=True,
            )
        failed |= is_error
    return failed


@click.command("body-add")
@click.argument("name")
@click.option(
    "--national/--european", default=True, help="A national partner (default) or the European body."
)
@click.option(
    "--countries", default="", help="Country codes it covers, e.g. DK,SE (national bodies)."
)
@click.option(
    "--levels", default="bronze", show_default=True, help="Levels it assesses and decides."
)
@click.option("--website", default=None)
@with_appcontext
def body_add(name: str, national: bool, countries: str, levels: str, website: str | None):
    """Record a labelling body: applications from its countries for its levels go to it."""
    from labelling.bodies.models import BodyKind, LabellingBody

    body = LabellingBody(
        name=name,
        kind=(BodyKind.NATIONAL if national else BodyKind.EUROPEAN).value,
        countries=[c.strip().upper() for c in countries.split(",") if c.strip()],
        levels=[lv.strip().lower() for lv in levels.split(",") if lv.strip()],
        website=website,
    )
    if national and not body.countries:
        raise click.BadParameter(
            "a national body covers at least one country", param_hint="--countries"
        )
    db.session.add(body)
    db.session.commit()
    click.echo(f"Labelling body {body.id} recorded: {body.name}.")


@click.command("body-member")
@click.argument("body_id", type=int)
@click.argument("email")
@click.option("--assessor", is_flag=True, help="Add to the body's assessor pool instead.")
@with_appcontext
def body_member(body_id: int, email: str, assessor: bool):
    """Make an account a secretariat member of the body (or an assessor of its pool)."""
    from labelling.accounts.services import find_user_by_email
    from labelling.bodies.models import BodyAssessor, BodyMember, LabellingBody

    body = db.session.get(LabellingBody, body_id)
    user = find_user_by_email(email)
    if body is None or user is None:
        raise click.BadParameter("no such body or account")
    model = BodyAssessor if assessor else BodyMember
    db.session.add(model(body_id=body.id, user_id=user.id))
    db.session.commit()
    click.echo(f"{user.email} {'assesses for' if assessor else 'acts for'} {body.name}.")


@click.group("audit")
def audit():
    """The tamper-evident audit trail."""


@audit.command("verify")
@with_appcontext
def audit_verify():
    """Check the whole audit chain, its signed checkpoints and the heads that decisions
    and certificates recorded; name what is broken. Exit status 1 when anything is."""
    from labelling.core.audit import AuditEvent, chain_head, verify_chain
    from labelling.core.audit_checkpoints import check_checkpoints

    count, broken = verify_chain()
    if broken is not None:
        click.echo(f"BROKEN at audit event #{broken.event_id}: {BROKEN_LINKS[broken.problem]}.")
        raise SystemExit(1)
    known = set(db.session.scalars(db.select(AuditEvent.chain_hash)))
    problems = [
        f"{what} recorded the chain head {head}, which the chain lacks"
        for what, head in published_heads()
        if head not in known
    ]
    checkpoints = check_checkpoints()
    problems += checkpoints.problems
    for problem in problems:
        click.echo(f"BROKEN: {problem}.")
    if problems:
        raise SystemExit(1)
    click.echo(f"The audit chain is intact: {count} events, each linked to the one before.")
    if checkpoints.latest:
        latest = checkpoints.latest
        click.echo(
            f"It holds its {checkpoints.checked} signed checkpoint(s); the latest, of "
            f"{latest['written_at']}, covers the events up to #{latest['event_id']}."
        )
    else:
        click.echo("No signed checkpoint yet: `labelling audit checkpoint` writes one.")
    # Kept outside the database (a log, a ticket, a signed e-mail), the head makes even a
    # recomputed rewrite of the chain show.
    click.echo(f"Head: {chain_head()}")


BROKEN_LINKS = {
    "changed": "its content was changed after it was written",
    "unlinked": "the event before it is not the one it was written after "
    "(an event was removed or slipped in)",
    "unkeyed": "it bears a plain hash after keyed ones (written without the audit key)",
    "unknown key": "it is keyed with a key that is not in LABELLING_AUDIT_KEYS",
    "plain head": "the latest event bears a plain hash: every event since the chain was "
    "keyed bears the audit key's (the chain was rewritten without it)",
}


@audit.command("checkpoint")
@with_appcontext
def audit_checkpoint():
    """Sign the chain's head now and write it to the checkpoints' storage (the daily run
    does this after its duties)."""
    from labelling.core.audit_checkpoints import checkpoint_storage, write_checkpoint

    body = write_checkpoint()
    if body is None:
        click.echo("The audit chain is empty: nothing to sign.")
        return
    click.echo(
        f"Checkpoint written to {checkpoint_storage().description}: event #{body['event_id']}"
        f", {body['events']} events, head {body['chain_hash']}."
    )


def published_heads():
    """(what, head) for every chain head a decision or a certificate recorded."""
    from labelling.assessments.models import Application
    from labelling.certificates.models import Certificate

    decided = db.session.execute(
        db.select(Application.id, Application.decision_audit_head).where(
            Application.decision_audit_head.is_not(None)
        )
    )
    for app_id, head in decided:
        yield f"the decision on application #{app_id}", head
    issued = db.session.execute(db.select(Certificate.number, Certificate.context))
    for number, context in issued:
        if context.get("audit_head"):
            yield f"certificate {number}", context["audit_head"]


@click.command("check-answers")
@with_appcontext
def check_answers():
    """List stored answers and verified values that the forms would refuse today (saved
    before a bound existed); exit status 1 when there are any."""
    from itertools import chain

    from labelling.assessments.checks import stored_answer_problems, stored_score_problems

    found = 0
    for item in chain(stored_answer_problems(), stored_score_problems()):
        found += 1
        click.echo(
            f"application #{item.application_id}, {item.question_id}: {item.value!r} "
            f"({item.problem.replace('_', ' ')})"
        )
    if found:
        click.echo(
            f"{found} stored value(s) to correct: the applicant or assessor sees the "
            "field empty and types the value again."
        )
        raise SystemExit(1)
    click.echo("Every stored answer is one the forms accept.")


@click.command("purge-evidence")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@with_appcontext
def purge_evidence(dry_run: bool):
    """Delete the evidence files of applications refused or withdrawn longer ago than
    LABELLING_EVIDENCE_RETENTION_YEARS (the daily tasks do this too)."""
    from datetime import date

    from labelling.assessments.retention import expired_evidence, purge_expired_evidence

    years = current_app.config["EVIDENCE_RETENTION_YEARS"]
    if not years:
        click.echo("LABELLING_EVIDENCE_RETENTION_YEARS is 0: evidence is kept for ever.")
        return
    expired = (expired_evidence if dry_run else purge_expired_evidence)(date.today())
    for item in expired:
        click.echo(
            f"  application #{item.application_id} ({item.state} {item.ended:%Y-%m-%d}): "
            f"{item.files} file(s), {item.bytes or 0:,} bytes"
        )
    files = sum(item.files for item in expired)
    verb = "would be deleted (dry run: nothing was)" if dry_run else "deleted"
    click.echo(f"{files} file(s) of {len(expired)} application(s) {verb}; kept {years} years.")


@click.command("purge-sessions")
@with_appcontext
def purge_sessions():
    """Delete ended sessions and expired remembered devices (run daily, e.g. from cron)."""
    from labelling.accounts.sessions import purge_expired_sessions

    count = purge_expired_sessions()
    db.session.commit()
    click.echo(f"{count} ended session(s) and expired device(s) removed.")


@click.command("new-key")
def new_key():
    """Print a fresh key for LABELLING_DATA_KEYS (put it first to seal with it)."""
    from labelling.core.sealing import new_key as make_key

    click.echo(make_key())


@click.command("reseal-secrets")
@with_appcontext
def reseal_secrets():
    """Seal every secret kept in the database again with the first of LABELLING_DATA_KEYS,
    so that the older keys can be dropped."""
    from sqlalchemy import select

    from labelling.accounts.models import User
    from labelling.core.sealing import Unsealable, reseal

    users = db.session.scalars(select(User).where(User.totp_secret_sealed.is_not(None))).all()
    unknown = []
    for user in users:
        try:
            user.totp_secret_sealed = reseal(user.totp_secret_sealed)
        except Unsealable:
            unknown.append(user.email)
    if unknown:
        db.session.rollback()
        raise click.ClickException(
            "Nothing was changed: the second factors of "
            + ", ".join(unknown)
            + " are sealed with none of the keys in LABELLING_DATA_KEYS."
        )
    db.session.commit()
    click.echo(f"{len(users)} secret(s) sealed with the newest key.")
