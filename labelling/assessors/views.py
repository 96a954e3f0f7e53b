"""Accreditation register pages (secretariat) and the assessor's own profile and declarations."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessors", __name__, url_prefix="/assessors")


@bp.route("/")
def index():
    return ""


@bp.route("/me")
def my_profile():
    return ""
