"""The published criteria: every framework version anyone can read without signing in, what
changed between versions, the source file as YAML and JSON, and a printable handbook."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale

from labelling.core.pdf import render_pdf
from labelling.criteria.changes import compare, previous_version
from labelling.criteria.framework import Framework
from labelling.criteria.translations import localised
from labelling.extensions import cache
from labelling.frameworks.services import (
    every_version,
    json_default,
    loaded,
    notices_of,
    source_data,
)

bp = Blueprint("criteria", __name__, url_prefix="/criteria")


def framework_or_404(framework_id: str, version: str) -> Framework:
    """The version in the reader's language (its companion's texts, English elsewhere)."""
    try:
        found = loaded().get(framework_id, version)
    except KeyError:
        abort(404)
    return localised(found, str(get_locale()))


@bp.route("/")
def index():
    listed = every_version()
    return render_template(
        "criteria/index.html",
        frameworks=listed,
        previous={f.key: previous_version(listed, f) for f in listed},
        notices={f.key: notices_of(f) for f in listed},
    )


@bp.route("/<framework_id>/<version>")
def version_page(framework_id: str, version: str):
    framework = framework_or_404(framework_id, version)
    return render_template(
        "criteria/version.html",
        framework=framework,
        previous=previous_version(every_version(), framework),
        notices=notices_of(framework),
    )


@bp.route("/<framework_id>/<version>/changes")
def changes(framework_id: str, version: str):
    """What changed from an earlier version (`?since=`, by default the one before)."""
    framework = framework_or_404(framework_id, version)
    since = request.args.get("since")
    older = (
        framework_or_404(framework_id, since)
        if since
        else previous_version(every_version(), framework)
    )
    if older is None:
        abort(404)
    return render_template("criteria/changes.html", changes=compare(older, framework))


@bp.route("/<framework_id>/<version>.yaml")
def source_yaml(framework_id: str, version: str):
    framework = framework_or_404(framework_id, version)
    text = Path(framework.path).read_text(encoding="utf-8")
    return Response(text, mimetype="application/yaml", headers=_attachment(framework, "yaml"))


@bp.route("/<framework_id>/<version>.json")
def source_json(framework_id: str, version: str):
    framework = framework_or_404(framework_id, version)
    body = json.dumps(source_data(framework), ensure_ascii=False, indent=2, default=json_default)
    return Response(body, mimetype="application/json", headers=_attachment(framework, "json"))


def _attachment(framework: Framework, extension: str) -> dict:
    name = f"{framework.id}-{framework.version}.{extension}"
    return {"Content-Disposition": f'inline; filename="{name}"'}


@bp.route("/<framework_id>/<version>.pdf")
def handbook(framework_id: str, version: str):
    """The printable handbook: rendered once per file content and language, then kept."""
    framework = framework_or_404(framework_id, version)
    key = f"labelling:handbook:{framework.digest}:{get_locale()}"
    pdf = cache.get(key)
    if pdf is None:
        html = render_template("criteria/handbook_pdf.html", framework=framework)
        pdf = render_pdf(html)
        cache.set(key, pdf)
    name = f"{framework.id}-{framework.version}-handbook.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


def indicator_url(framework: Framework, code: str) -> str:
    """The public entry of one indicator: what the questionnaire and assessors link to."""
    return (
        url_for("criteria.version_page", framework_id=framework.id, version=framework.version)
        + f"#indicator-{code}"
    )
