"""The secretariat's label pages: every label with its status, and suspend/restore/revoke."""

from __future__ import annotations

import io
import secrets
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from labelling.accounts.history import readable_history
from labelling.assessments.forms import TransitionForm
from labelling.assessments.models import Application
from labelling.bodies.services import (
    acts_for,
    acts_for_platform,
    body_choices,
    visible_condition,
)
from labelling.certificates import listing, register_import, services
from labelling.certificates.forms import (
    ConfirmRegisterImportForm,
    LabelFilterForm,
    MapTechnologyAreasForm,
    RegisterImportForm,
)
from labelling.certificates.models import Label
from labelling.core.audit import events_for
from labelling.core.confirm import confirmation_page, is_confirmed
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor
from labelling.core.storage import file_storage
from labelling.core.text import fold
from labelling.extensions import db
from labelling.frameworks.services import level_names, loaded
from labelling.organisations import technology_areas
from labelling.organisations.models import TechnologyAreaName

bp = Blueprint("labels", __name__, url_prefix="/secretariat/labels")


@bp.route("/")
@login_required
def index():
    """Every label the staff member's body decided, a page at a time, narrowed by name or
    certificate number, status, level, country and the end of validity."""
    require(current_user.is_staff)
    today = date.today()
    form = LabelFilterForm(request.args)
    form.level.choices = [("", _("Any level")), *level_names().items()]
    form.body.choices = body_choices(current_user)
    filters = listing.LabelFilters()
    if form.validate():
        filters = listing.LabelFilters(
            q=form.q.data or "",
            status=form.status.data or "",
            level=form.level.data or "",
            country=form.country.data or "",
            expiring_within=form.expiring_within.data,
            body_id=int(form.body.data) if form.body.data else None,
        )
    visible = visible_condition(current_user, Application.body_id)
    try:
        page, total = listing.labels_page(filters, visible, today, request.args.get("after"))
    except BadCursor:
        abort(400)
    return render_template(
        "certificates/index.html",
        form=form,
        labels=[(label, label.status_on(today)) for label in page.rows],
        page=page,
        total=total,
        filtered=filters != listing.LabelFilters(),
    ), (422 if form.errors else 200)


def _detail_page(label: Label, form=None, status: int = 200):
    today = date.today()
    return render_template(
        "certificates/detail.html",
        label=label,
        status=label.status_on(today),
        form=form or TransitionForm(),
        held=services.held_label(label, today),
        allowed={action for action in services.LABEL_ACTIONS if services.can_change(label, action)},
        events=readable_history(events_for("label", label.id)),
    ), status


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_register():
    """The existing register: the file is checked and its report shown; nothing is
    recorded until the secretariat confirms (the file waits in the file storage, which
    every host reads, under a random name)."""
    require(acts_for_platform(current_user))
    form = RegisterImportForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _import_page(form, status)
    upload = form.register.data
    content = upload.read()
    try:
        mapping = register_import.column_mapping(form.columns.data or "")
    except register_import.UnreadableFile as exc:
        form.columns.errors.append(str(exc))
        return _import_page(form, 422)
    try:
        rows = register_import.check_rows(
            register_import.read_rows(upload.filename or "", content, mapping),
            _default_framework(),
        )
    except register_import.UnreadableFile as exc:
        form.register.errors.append(str(exc))
        return _import_page(form, 422)
    key = secrets.token_hex(16)
    file_storage().write(key, content)
    return _import_report(rows, key, form.columns.data or "")


def _import_page(form: RegisterImportForm, status: int):
    return render_template(
        "certificates/import.html", form=form, mapped=technology_areas.mapped_names()
    ), status


def _import_report(rows, upload: str, columns: str):
    """The dry run's report, with the forms that carry the upload on: confirm, download
    the rows to look at, map the unknown technology areas."""
    unknown = register_import.unknown_areas(rows)
    return render_template(
        "certificates/import_report.html",
        rows=rows,
        summary=register_import.summarise(rows),
        confirm=ConfirmRegisterImportForm(upload=upload, columns=columns),
        areas=MapTechnologyAreasForm(
            formdata=None,
            upload=upload,
            columns=columns,
            areas=[{"written": written} for written, _rows in unknown],
        ),
        rows_by_area=dict(unknown),
    )


@bp.route("/import/areas", methods=["POST"])
@login_required
def map_technology_areas():
    """The secretariat says once what each unknown technology area means; remembered for
    every later import, then the same upload is checked again."""
    require(acts_for_platform(current_user))
    form = MapTechnologyAreasForm()
    if not form.validate_on_submit():
        abort(400)  # hidden fields and choices only: the report page sends valid ones
    rows = _checked_again(form)
    if rows is None:
        return redirect(url_for(".import_register"))
    unknown = {fold(written) for written, _rows in register_import.unknown_areas(rows)}
    choices = {
        entry.written.data: entry.area.data
        for entry in form.areas
        if entry.area.data and fold(entry.written.data) in unknown  # only what the file asks
    }
    remembered = technology_areas.map_names(choices, current_user)
    db.session.commit()
    if remembered:
        flash(
            ngettext(
                "%(num)d technology area remembered for every import.",
                "%(num)d technology areas remembered for every import.",
                len(remembered),
            ),
            "success",
        )
        rows = _checked_again(form)
    return _import_report(rows, form.upload.data, form.columns.data or "")


@bp.route("/import/areas/<int:name_id>/forget", methods=["POST"])
@login_required
def forget_technology_area(name_id: int):
    require(acts_for_platform(current_user))
    name = get_or_404(TechnologyAreaName, name_id)
    technology_areas.forget_name(name, current_user)
    db.session.commit()
    flash(_("%(name)s is an unknown technology area again.", name=name.written), "success")
    return redirect(url_for(".import_register"))


@bp.route("/import/confirm", methods=["POST"])
@login_required
def confirm_register_import():
    form, rows = _upload_checked_again()
    if rows is None:
        return redirect(url_for(".import_register"))
    summary = register_import.record_rows(rows, _default_framework(), current_user)
    db.session.commit()
    file_storage().delete(form.upload.data)
    flash(
        _(
            "Imported: %(labels)d labels recorded, %(organisations)d organisations created, "
            "%(invited)d contacts invited, %(known)d already recorded.",
            labels=summary.labels_recorded,
            organisations=summary.organisations_created,
            invited=summary.invitations_sent,
            known=summary.already_recorded,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@bp.route("/import/flagged.csv", methods=["POST"])
@login_required
def register_import_flagged():
    """The checked file's rows with problems or notes, as a CSV to correct the file by."""
    _form, rows = _upload_checked_again()
    if rows is None:
        return redirect(url_for(".import_register"))
    return Response(
        register_import.flagged_rows_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="register-rows-to-look-at.csv"'},
    )


def _upload_checked_again():
    """The report page's upload, checked again: (form, rows) as `_checked_again`."""
    require(acts_for_platform(current_user))
    form = ConfirmRegisterImportForm()
    if not form.validate_on_submit():
        abort(400)
    return form, _checked_again(form)


def _checked_again(form: ConfirmRegisterImportForm):
    """The report page's upload, read with the column mapping it was checked with and
    checked again; None (and said) when it was imported or has expired."""
    try:
        content = file_storage().read(form.upload.data or "")
    except FileNotFoundError:
        flash(_("This upload was already imported or has expired: upload the file again."), "info")
        return None
    try:
        mapping = register_import.column_mapping(form.columns.data or "")
        reading = register_import.read_rows("", content, mapping)
    except register_import.UnreadableFile:
        abort(400)  # the report page sends the mapping the file was checked with
    return register_import.check_rows(reading, _default_framework())


def _default_framework():
    return loaded().get(current_app.config["CRITERIA_DEFAULT_FRAMEWORK"])


@bp.route("/<int:label_id>", methods=["GET", "POST"])
@login_required
def detail(label_id: int):
    require(current_user.is_staff)
    label = get_or_404(Label, label_id)
    require(acts_for(current_user, label.application.body_id))  # its body's secretariat
    if request.method == "GET":
        return _detail_page(label)
    action = request.form.get("action", "")
    form = TransitionForm()
    if action not in services.LABEL_ACTIONS or not form.validate_on_submit():
        return _detail_page(label, form, 400)
    if action == "revoke" and not is_confirmed():
        if not services.can_change(label, action):
            return _detail_page(label, form, 409)
        if not (form.comment.data or "").strip():
            form.comment.errors = [_("Please give the reason.")]
            return _detail_page(label, form, 422)
        return confirmation_page(
            title=_("Revoke the label?"),
            consequence=_(
                "The %(level)s label of %(org)s ends today for good: the registry no longer "
                "lists it, public verification of its certificate says revoked, with your "
                "reason, and the organisation is told. A revocation cannot be undone.",
                level=label.level.capitalize(),
                org=label.organisation.display_name,
            ),
            button=_("Yes, revoke the label"),
            cancel_url=url_for("labels.detail", label_id=label.id),
            # Issue 28: what will be published, read once more before it is.
            quoted=(_("The reason, as it will be published:"), form.comment.data.strip()),
        )
    try:
        services.change_label_status(label, action, current_user, form.comment.data or "")
    except services.LabelActionRefused as exc:
        db.session.rollback()
        if exc.code == "reason_required":
            form.comment.errors = [_("Please give the reason.")]
            return _detail_page(label, form, 422)
        return _detail_page(label, form, 409)
    db.session.commit()
    flash(_("The label is updated and the organisation is told."), "success")
    return redirect(url_for("labels.detail", label_id=label.id), code=303)


# The certificate's PDF for the organisation's team and staff (public verification is the
# registry's, in registry.verification_views).
downloads_bp = Blueprint("certificates", __name__)


@downloads_bp.route("/labels/<int:label_id>/certificate.pdf")
@login_required
def download(label_id: int):
    """The stored certificate, byte for byte as issued: for the organisation's team and staff."""
    return _send_certificate(get_or_404(Label, label_id))


@downloads_bp.route("/applications/<int:app_id>/certificate.pdf")
@login_required
def application_certificate(app_id: int):
    """The certificate of the label an application won: the link the award e-mail carries."""
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))  # before saying whether a label exists
    held = services.label_of_application(application.id)
    if held is None:
        abort(404)
    return _send_certificate(held.label)


def _send_certificate(label: Label):
    require(label.organisation.can_view(current_user))
    issued = services.current_certificate(label)
    if issued is None:
        abort(404)
    content = services.certificate_pdf(issued)
    db.session.commit()  # a PDF rendered here, ahead of its job, is stored for good
    return send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{issued.number}.pdf",
    )
