"""labelling: the platform for the European cluster management excellence labels."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from flask import Flask, request, session
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    """templates/ and static/ sit beside the package in a checkout, inside it in a wheel."""
    inside = PACKAGE_DIR / name
    return str(inside if inside.is_dir() else PACKAGE_DIR.parent / name)


def create_app(config: dict | None = None) -> Flask:
    """Application factory. `config` overrides everything (tests pass TESTING_CONFIG=True)."""
    from labelling.config import load_config
    from labelling.core.http import LabellingFlask, LabellingRequest

    app = LabellingFlask(
        __name__,
        template_folder=_asset_dir("templates"),
        static_folder=_asset_dir("static"),
        instance_relative_config=True,
    )
    app.request_class = LabellingRequest
    instance = (config or {}).get("INSTANCE_PATH") or env_instance_path()
    if instance:
        app.instance_path = str(instance)
    load_config(app, dict(config or {}))
    from labelling.certificates.rendering import check_certificate_images

    check_certificate_images(app.config)  # a wrong path fails the start, not an award
    _trust_proxies(app)
    from labelling.core.logs import configure_logging

    configure_logging(app.config["LOG_LEVEL"].upper(), app.config["LOG_LIBRARIES_LEVEL"].upper())
    register_extensions(app)
    register_blueprints(app)
    register_hooks()
    register_template_helpers(app)
    from labelling.errors import register_error_handlers

    register_error_handlers(app)
    from labelling.core.observability import register_observability

    register_observability(app)
    from labelling.cli import register_commands

    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def env_instance_path() -> str | None:
    import os

    return os.environ.get("LABELLING_INSTANCE_PATH")


def _select_locale() -> str | None:
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return None  # commands and background work: the default, or a forced locale
    shared = request.args.get("lang")
    if shared in languages:  # a link shared in a language (`?lang=de`) opens in it
        return shared
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if request.cookies.get("locale") in languages:  # an anonymous reader's choice
        return request.cookies["locale"]
    return request.accept_languages.best_match(languages) or languages[0]


def register_extensions(app: Flask) -> None:
    from labelling.extensions import babel, cache, csrf, db, limiter, login_manager

    db.init_app(app)

    @app.teardown_appcontext
    def remove_session_quietly(_exc) -> None:
        # Runs before Flask-SQLAlchemy's own removal (teardowns run last registered first):
        # a rollback on a connection the database killed must not raise past the error
        # handlers (gunicorn then answered "Error handling request").
        try:
            db.session.remove()
        except Exception:
            logging.getLogger(__name__).warning("Session removal failed", exc_info=True)
            db.session.registry.clear()

    csrf.init_app(app)
    from labelling.core.forms import csrf_tokens_without_ids

    csrf_tokens_without_ids()
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(PACKAGE_DIR / "translations"),
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # Flask-Limiter keeps a fallback once enabled across init_app calls (one process may
    # create several apps: tests, commands); each app's RATELIMIT_FAIL_CLOSED decides.
    limiter._in_memory_fallback_enabled = False
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")

    from labelling.accounts.sessions import load_user_first, user_for_request

    login_manager.user_loader(user_for_request)
    app.before_request(load_user_first)

    # Import every model so metadata (and Alembic autogenerate) sees the whole schema.
    import labelling.all_models  # noqa: F401
    from labelling.frameworks.services import load_criteria

    load_criteria(app)


def register_blueprints(app: Flask) -> None:
    # Two blueprints take their routes from two modules each, which importing adds: the
    # accounts' (sign-in, and its second factor), the assessors' (theirs, and the lead's).
    import labelling.accounts.two_factor_views
    import labelling.accounts.views
    import labelling.assessments.lead_views
    import labelling.assessments.review_views  # noqa: F401
    from labelling.accounts.blueprint import bp as accounts_bp
    from labelling.agreement.views import bp as agreement_bp
    from labelling.api.views import bp as api_bp
    from labelling.appeals.views import bp as appeals_bp
    from labelling.assessments.review_blueprint import bp as review_bp
    from labelling.assessments.secretariat_views import bp as secretariat_bp
    from labelling.assessments.views import bp as assessments_bp
    from labelling.assessors.views import bp as assessors_bp
    from labelling.benchmarking.views import bp as benchmarking_bp
    from labelling.bodies.views import bp as bodies_bp
    from labelling.calibration.views import bp as calibration_bp
    from labelling.certificates.views import bp as labels_bp
    from labelling.certificates.views import downloads_bp
    from labelling.complaints.views import bp as complaints_bp
    from labelling.credentials.views import bp as credentials_bp
    from labelling.drafts.consultation_views import bp as consultation_bp
    from labelling.drafts.views import bp as drafts_bp
    from labelling.frameworks.views import bp as criteria_bp
    from labelling.operations.views import bp as deliveries_bp
    from labelling.organisations.views import bp as organisations_bp
    from labelling.public.views import bp as public_bp
    from labelling.registry.verification_views import verify_bp
    from labelling.registry.views import bp as registry_bp
    from labelling.twinning.plan_views import bp as twinning_plan_bp
    from labelling.twinning.programme_views import bp as twinning_programme_bp
    from labelling.twinning.views import bp as twinning_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(secretariat_bp)
    app.register_blueprint(assessors_bp)
    app.register_blueprint(labels_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(downloads_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(benchmarking_bp)
    app.register_blueprint(criteria_bp)
    app.register_blueprint(appeals_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(bodies_bp)
    app.register_blueprint(deliveries_bp)
    app.register_blueprint(twinning_bp)
    app.register_blueprint(twinning_plan_bp)
    app.register_blueprint(twinning_programme_bp)
    app.register_blueprint(agreement_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(calibration_bp)
    app.register_blueprint(consultation_bp)
    app.register_blueprint(credentials_bp)


def register_hooks() -> None:
    """Each feature plugs into the layers below it (ARCHITECTURE.md), lowest first: the
    order in which the daily run does its duties and checks the reminders."""
    from labelling.accounts import hooks as accounts
    from labelling.agreement import hooks as agreement
    from labelling.appeals import hooks as appeals
    from labelling.assessments import hooks as assessments
    from labelling.benchmarking import hooks as benchmarking
    from labelling.bodies import hooks as bodies
    from labelling.calibration import hooks as calibration
    from labelling.certificates import hooks as certificates
    from labelling.drafts import hooks as drafts
    from labelling.jobs import hooks as jobs
    from labelling.notifications import hooks as notifications
    from labelling.registry import hooks as registry
    from labelling.twinning import hooks as twinning

    for feature in (
        jobs,
        notifications,
        accounts,
        bodies,
        assessments,
        certificates,
        appeals,
        benchmarking,
        registry,
        twinning,
        agreement,
        drafts,
        calibration,
    ):
        feature.register()


def state_label(value: str) -> str:
    """An application's or an appeal's state in words (the audit log holds both)."""
    from labelling.assessments.workflow import AppealState, State

    for states in (State, AppealState):
        try:
            return states(value).label
        except ValueError:
            continue
    return value


def url_in_language(code: str | None) -> str:
    """This page's address in language `code` (None: without a chosen language), for the
    hreflang alternates search engines and readers follow."""
    args = request.args.to_dict(flat=False)
    args.pop("lang", None)
    if code:
        args["lang"] = [code]
    query = "&".join(f"{quote(k)}={quote(v)}" for k, values in args.items() for v in values)
    from labelling.core.http import this_url

    return this_url(query)


# Browser features the platform never uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "usb",
    )
)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_babel import refresh as refresh_locale

    from labelling.assessors.candidates import reason_message
    from labelling.core.audit import action_label
    from labelling.core.dates import show_date, show_datetime, show_time
    from labelling.frameworks.messages import (
        criteria_name,
        criteria_status,
        describe_threshold,
        format_number,
        framework_name,
        status_label,
        unit_after,
        verdict_reason,
    )

    app.jinja_env.filters["audit_label"] = action_label
    app.jinja_env.filters["assignment_reason"] = reason_message
    app.jinja_env.filters["state_label"] = state_label
    app.jinja_env.filters["verdict_reason"] = verdict_reason
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["date"] = show_date
    app.jinja_env.filters["datetime"] = show_datetime
    app.jinja_env.filters["time"] = show_time
    app.jinja_env.filters["framework_name"] = framework_name
    app.jinja_env.filters["status_label"] = status_label
    from labelling.core.languages import country_name, language_name, quoted

    app.jinja_env.filters["quoted"] = quoted
    from labelling.frameworks.services import level_name, level_tagline

    app.jinja_env.filters["level_name"] = level_name
    app.jinja_env.filters["level_tagline"] = level_tagline
    app.jinja_env.globals["country_name"] = country_name

    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.globals["describe_threshold"] = describe_threshold
    app.jinja_env.globals["unit_after"] = unit_after
    app.jinja_env.globals["criteria_name"] = criteria_name
    app.jinja_env.globals["criteria_status"] = criteria_status
    from labelling.frameworks.views import indicator_url

    app.jinja_env.globals["indicator_url"] = indicator_url
    app.jinja_env.globals["url_in_language"] = url_in_language
    from labelling.accounts.two_factor import qr_svg

    app.jinja_env.globals["qr_svg"] = qr_svg
    # Choose the locale afresh for each request, even inside a long-lived app context.
    app.before_request(refresh_locale)

    @app.context_processor
    def inject_globals():
        from labelling.accounts.models import Role
        from labelling.bodies.services import acts_for_platform

        return {
            "acts_for_platform": acts_for_platform,
            "site_name": app.config["SITE_NAME"],
            "languages": app.config["LANGUAGES"],
            "current_locale": str(get_locale() or "en"),
            "Role": Role,
        }

    @app.after_request
    def security_headers(response):
        cache_control = response.headers.get("Cache-Control", "")
        if current_user.is_authenticated and "no-store" not in cache_control:
            # Nothing shown to a signed-in reader (pages, evidence, PDFs) may stay in a
            # shared or back-button cache.
            response.headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
            "object-src 'none'",
        )
        return response
