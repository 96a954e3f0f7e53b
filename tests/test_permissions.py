"""One permission table: every rule of the URL map, requested by every kind of user with
real ids, against one table of who gets through. A route added without a row fails here.

"Through" means the permission checks let the request in: anything but 401, 403, 404 or a
redirect to the sign-in page. A request that gets through may still be refused for the
state of things (409) or its content (422): that is not a permission question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from labelling.accounts.models import Role, User, UserSession
from labelling.assessments.models import Assignment, Evidence
from labelling.assessments.workflow import State
from labelling.extensions import db
from labelling.organisations.models import TechnologyAreaName
from tests.factories import (
    application_with_team,
    create_org,
    create_user,
    invented_case,
    labelled_organisation,
    last_email,
    link_in,
    sign_in,
    with_mini_framework,
)

ROLES = (
    "anonymous",
    "manager",  # of the organisation that applies and holds the label
    "other_manager",  # of another organisation
    "assessor",  # assigned to the application (its lead)
    "unassigned_assessor",
    "secretariat",  # of the body the application belongs to
    "other_body_secretariat",  # of a national body that covers other countries
    "admin",
)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"secretariat", "admin"})
TEAM = STAFF | {"manager", "assessor"}
ASSESSORS = frozenset({"assessor", "unassigned_assessor"})

# Who gets through, per endpoint and method. One row per rule and method of the URL map.
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    # Public pages, the open data API, the verification of certificates.
    ("public.home", "GET"): EVERYONE,
    ("public.health", "GET"): EVERYONE,
    ("public.favicon", "GET"): EVERYONE,
    ("public.ready", "GET"): EVERYONE,
    ("metrics", "GET"): frozenset(),  # no METRICS_TOKEN set: it does not exist
    ("public.set_language", "GET"): EVERYONE,
    ("public.set_language", "POST"): EVERYONE,
    ("static", "GET"): EVERYONE,
    ("registry.index", "GET"): EVERYONE,
    ("registry.organisation", "GET"): EVERYONE,
    ("registry.statistics_page", "GET"): EVERYONE,
    ("registry.seal", "GET"): EVERYONE,
    ("complaints.new", "GET"): EVERYONE,
    ("complaints.new", "POST"): EVERYONE,
    ("complaints.confirm", "GET"): EVERYONE,
    ("criteria.index", "GET"): EVERYONE,
    ("criteria.version_page", "GET"): EVERYONE,
    ("criteria.source_json", "GET"): EVERYONE,
    ("criteria.source_yaml", "GET"): EVERYONE,
    ("criteria.handbook", "GET"): EVERYONE,
    ("criteria.changes", "GET"): frozenset(),  # the mini framework has no earlier version
    ("bodies.index", "GET"): EVERYONE,
    ("verify.start", "GET"): EVERYONE,
    ("verify.start", "POST"): EVERYONE,
    ("verify.certificate", "GET"): EVERYONE,
    # The stored PDF: for the label holder's team and staff (anyone verifies by number).
    ("certificates.download", "GET"): STAFF | {"manager"},
    # Its signed credential, the same; the keys, issuers and status lists are for everyone
    # (any verifier must reach them).
    ("credentials.download", "GET"): STAFF | {"manager"},
    ("credentials.jwks", "GET"): EVERYONE,
    ("credentials.issuer", "GET"): EVERYONE,
    ("credentials.status_list", "GET"): EVERYONE,
    ("verify.credential", "POST"): EVERYONE,
    ("api.accountability_figures", "GET"): EVERYONE,
    ("api.certificate", "GET"): EVERYONE,
    ("api.frameworks", "GET"): EVERYONE,
    ("api.framework", "GET"): EVERYONE,
    ("api.label", "GET"): EVERYONE,
    ("api.openapi", "GET"): EVERYONE,
    ("api.organisations", "GET"): EVERYONE,
    ("api.organisation", "GET"): EVERYONE,
    ("api.registry_csv", "GET"): EVERYONE,
    ("api.registry_json", "GET"): EVERYONE,
    ("api.registry_xlsx", "GET"): EVERYONE,
    # Accounts.
    ("accounts.login", "GET"): EVERYONE,
    ("accounts.login", "POST"): EVERYONE,
    ("accounts.second_factor", "GET"): EVERYONE,  # without a pending sign-in: back to it
    ("accounts.second_factor", "POST"): EVERYONE,
    ("accounts.logout", "POST"): EVERYONE,
    ("accounts.register", "GET"): EVERYONE,
    ("accounts.register", "POST"): EVERYONE,
    ("accounts.sign_up_sent", "GET"): EVERYONE,
    ("accounts.confirm_email", "GET"): EVERYONE,
    ("accounts.confirm_email", "POST"): EVERYONE,
    ("accounts.forgot_password", "GET"): EVERYONE,
    ("accounts.forgot_password", "POST"): EVERYONE,
    ("accounts.reset_password", "GET"): EVERYONE,
    ("accounts.reset_password", "POST"): EVERYONE,
    ("accounts.account", "GET"): SIGNED_IN,
    ("accounts.change_password", "GET"): SIGNED_IN,
    ("accounts.change_password", "POST"): SIGNED_IN,
    ("accounts.two_factor_settings", "GET"): SIGNED_IN,
    ("accounts.two_factor_settings", "POST"): SIGNED_IN,
    ("accounts.two_factor_change", "POST"): frozenset(),  # nobody here has a second factor
    ("accounts.end_session", "POST"): frozenset({"manager"}),  # the manager's own session
    ("accounts.end_other_sessions", "POST"): SIGNED_IN,
    ("accounts.admin_users", "GET"): frozenset({"admin"}),
    ("accounts.admin_user_roles", "GET"): frozenset({"admin"}),
    ("accounts.admin_user_roles", "POST"): frozenset({"admin"}),
    ("accounts.reset_two_factor", "POST"): frozenset({"admin"}),
    ("public.dashboard", "GET"): SIGNED_IN,
    # Organisations and their teams.
    ("organisations.index", "GET"): SIGNED_IN,
    ("organisations.create", "GET"): SIGNED_IN,
    ("organisations.create", "POST"): SIGNED_IN,
    ("organisations.detail", "GET"): STAFF | {"manager"},  # not another body's staff
    ("organisations.edit", "GET"): STAFF | {"manager"},
    ("organisations.edit", "POST"): STAFF | {"manager"},
    # Staff see every organisation (organisations apply to any body for any level).
    ("organisations.team", "GET"): STAFF | {"manager"},
    ("organisations.team", "POST"): STAFF | {"manager"},
    ("organisations.remove_member", "POST"): STAFF | {"manager"},
    ("organisations.accept_invitation", "GET"): SIGNED_IN,
    ("organisations.accept_invitation", "POST"): SIGNED_IN,
    ("assessments.start", "GET"): frozenset({"manager"}),
    ("assessments.start", "POST"): frozenset({"manager"}),
    # The application: its team and the staff of its body.
    ("assessments.detail", "GET"): TEAM,
    ("assessments.transition", "POST"): frozenset({"manager"}),  # withdraw: the applicant
    ("assessments.export_xlsx", "GET"): TEAM,
    ("assessments.export_pdf", "GET"): TEAM,
    ("assessments.questionnaire_section", "GET"): TEAM,
    ("assessments.questionnaire_section", "POST"): frozenset(),  # in assessment: closed
    ("assessments.self_assessment", "GET"): TEAM,
    ("assessments.self_assessment", "POST"): frozenset(),
    ("assessments.improvement_areas", "GET"): frozenset(),  # the mini Gold asks for none
    ("assessments.improvement_areas", "POST"): frozenset(),
    ("assessments.submit", "GET"): TEAM,
    ("assessments.submit", "POST"): frozenset({"manager"}),
    ("assessments.evidence_list", "GET"): TEAM,
    ("assessments.evidence_list", "POST"): frozenset(),  # in assessment: closed
    ("assessments.evidence_download", "GET"): TEAM,
    ("assessments.evidence_delete", "POST"): frozenset(),
    ("benchmarking.report_page", "GET"): TEAM,
    ("benchmarking.report_pdf", "GET"): TEAM,
    ("certificates.application_certificate", "GET"): frozenset(),  # not awarded (yet): none
    ("appeals.lodge_for_application", "GET"): frozenset({"manager"}),
    ("appeals.lodge_for_application", "POST"): frozenset({"manager"}),
    ("appeals.lodge_for_label", "GET"): frozenset({"manager"}),
    ("appeals.lodge_for_label", "POST"): frozenset({"manager"}),
    ("appeals.detail", "GET"): STAFF | {"manager"},
    ("appeals.document", "GET"): STAFF | {"manager"},
    ("appeals.form_panel", "POST"): STAFF,
    # The view lets those who see the appeal post; the panel's service refuses the rest.
    ("appeals.decide", "POST"): STAFF | {"manager"},
    # The assessors' work.
    ("review.assignments", "GET"): SIGNED_IN,  # one's own assignments: none for most
    ("review.respond", "GET"): frozenset({"assessor"}),
    ("review.respond", "POST"): frozenset({"assessor"}),
    # The assessors' workspace is theirs; the secretariat reads the report.
    ("review.workspace", "GET"): frozenset({"assessor"}),
    ("review.indicator", "GET"): frozenset({"assessor"}),
    ("review.indicator", "POST"): frozenset({"assessor"}),
    ("review.ask", "POST"): frozenset({"assessor"}),
    ("review.score_area", "GET"): frozenset({"assessor"}),
    ("review.score_area", "POST"): frozenset({"assessor"}),
    ("review.consolidation", "GET"): frozenset({"assessor"}),
    ("review.consolidate_indicator", "GET"): frozenset({"assessor"}),
    ("review.consolidate_indicator", "POST"): frozenset({"assessor"}),
    ("review.recommendation", "GET"): frozenset({"assessor"}),
    ("review.recommendation", "POST"): frozenset({"assessor"}),
    ("review.complete", "POST"): frozenset({"assessor"}),
    # The applicant reads the report once the label is decided.
    ("review.report", "GET"): STAFF | {"assessor"},
    ("review.report_pdf", "GET"): STAFF | {"assessor"},
    ("assessors.my_profile", "GET"): ASSESSORS,
    ("assessors.my_profile", "POST"): ASSESSORS,
    # The register of assessors is kept by every body's staff; an assessor declares, staff
    # remove a declaration.
    ("assessors.remove_declaration", "POST"): STAFF,  # a tie to a German organisation
    ("assessors.index", "GET"): STAFF | {"other_body_secretariat"},
    ("assessors.create", "GET"): STAFF | {"other_body_secretariat"},
    ("assessors.create", "POST"): STAFF | {"other_body_secretariat"},
    ("assessors.profile", "GET"): STAFF | {"other_body_secretariat"},
    ("assessors.profile", "POST"): STAFF | {"other_body_secretariat"},
    ("assessors.grant", "POST"): STAFF | {"other_body_secretariat"},
    ("assessors.suspend", "POST"): STAFF | {"other_body_secretariat"},
    ("assessors.restore", "POST"): STAFF | {"other_body_secretariat"},
    # The secretariat's work, limited to its body's applications.
    ("secretariat.queue", "GET"): STAFF | {"other_body_secretariat"},
    ("registry.staff_accountability", "GET"): STAFF | {"other_body_secretariat"},
    ("secretariat.screening", "GET"): STAFF,
    ("secretariat.assign", "POST"): STAFF,
    ("secretariat.confirm_eligibility", "POST"): STAFF,
    ("secretariat.decision", "GET"): STAFF,
    ("secretariat.decision", "POST"): STAFF,
    ("secretariat.return_to_applicant", "POST"): STAFF,
    ("secretariat.start_assessment", "POST"): STAFF,
    ("secretariat.start_screening", "POST"): STAFF,
    ("secretariat.remove_assignment", "POST"): STAFF,
    ("appeals.queue", "GET"): STAFF | {"other_body_secretariat"},
    ("complaints.queue", "GET"): STAFF | {"other_body_secretariat"},
    ("complaints.detail", "GET"): STAFF,
    ("complaints.review", "POST"): STAFF,
    ("complaints.close", "POST"): STAFF,
    ("labels.index", "GET"): STAFF | {"other_body_secretariat"},
    ("labels.import_register", "GET"): STAFF,
    ("labels.import_register", "POST"): STAFF,
    ("labels.confirm_register_import", "POST"): STAFF,
    ("labels.register_import_flagged", "POST"): STAFF,
    ("labels.map_technology_areas", "POST"): STAFF,
    ("labels.forget_technology_area", "POST"): STAFF,
    ("labels.detail", "GET"): STAFF,
    ("labels.detail", "POST"): STAFF,
    ("benchmarking.analytics", "GET"): STAFF | {"other_body_secretariat"},
    ("benchmarking.export_csv", "GET"): STAFF | {"other_body_secretariat"},
    ("benchmarking.export_xlsx", "GET"): STAFF | {"other_body_secretariat"},
    # One's own personal data: download and erasure.
    ("accounts.personal_data", "GET"): SIGNED_IN,
    ("accounts.download_personal_data", "POST"): SIGNED_IN,
    ("accounts.erase_account", "POST"): SIGNED_IN,
    # The outbox and the job queue are the platform's, not a national body's.
    ("deliveries.index", "GET"): STAFF,
    ("deliveries.retry_message", "POST"): STAFF,
    ("deliveries.retry_job", "POST"): STAFF,
    # Twinning: an organisation's own pages for its team; a partnership for its two teams
    # (the manager's organisation asked the other manager's), read by the secretariat.
    ("twinning.overview", "GET"): frozenset({"manager"}),
    ("twinning.settings", "GET"): frozenset({"manager"}),
    ("twinning.settings", "POST"): frozenset({"manager"}),
    ("twinning.suggestions", "GET"): frozenset({"manager"}),
    ("twinning.ask", "GET"): frozenset({"manager"}),
    ("twinning.ask", "POST"): frozenset({"manager"}),
    ("twinning_plan.detail", "GET"): STAFF | {"manager", "other_manager"},
    ("twinning_plan.accept", "POST"): frozenset({"other_manager"}),
    ("twinning_plan.decline", "POST"): frozenset({"other_manager"}),
    ("twinning_plan.withdraw", "POST"): frozenset({"manager"}),
    ("twinning_plan.end", "POST"): frozenset({"manager", "other_manager"}),
    ("twinning_plan.plan", "POST"): frozenset({"manager", "other_manager"}),
    ("twinning_plan.add_activity", "POST"): frozenset({"manager", "other_manager"}),
    ("twinning_plan.remove_activity", "POST"): frozenset({"manager", "other_manager"}),
    ("twinning_programme.secretariat", "GET"): STAFF | {"other_body_secretariat"},
    ("twinning_programme.public", "GET"): EVERYONE,
    ("api.twinning_statistics", "GET"): EVERYONE,
    ("agreement.overview", "GET"): STAFF | {"other_body_secretariat"},
    ("agreement.assessors", "GET"): STAFF | {"other_body_secretariat"},
    ("agreement.assessor", "GET"): STAFF | {"other_body_secretariat"},
    ("agreement.mine", "GET"): ASSESSORS,
    ("calibration.index", "GET"): STAFF | {"other_body_secretariat"},
    ("calibration.index", "POST"): STAFF | {"other_body_secretariat"},
    ("calibration.requirement", "POST"): STAFF,  # the European body's rule: its own staff
    ("calibration.invent", "POST"): STAFF | {"other_body_secretariat"},
    ("calibration.answers", "GET"): STAFF,
    ("calibration.answers", "POST"): STAFF,
    ("calibration.case", "GET"): STAFF,
    ("calibration.case", "POST"): STAFF,
    ("calibration.move", "POST"): STAFF,
    ("calibration.exercises", "GET"): ASSESSORS,
    ("calibration.start", "POST"): ASSESSORS,
    ("calibration.area", "GET"): frozenset({"assessor"}),  # the practice is theirs alone
    ("calibration.area", "POST"): frozenset({"assessor"}),
    ("calibration.result", "GET"): frozenset({"assessor"}),
    ("calibration.result", "POST"): frozenset({"assessor"}),
    ("drafts.index", "GET"): STAFF,
    # Consultations are on drafts, and the mini framework has none: nobody gets through
    # (tests/drafts/test_consultation.py covers who may act on one).
    ("drafts.open_consultation", "POST"): frozenset(),
    ("drafts.comments", "GET"): frozenset(),
    ("drafts.comments", "POST"): frozenset(),
    ("drafts.publish", "POST"): frozenset(),
    ("consultation.page", "GET"): frozenset(),
    ("consultation.page", "POST"): frozenset(),
    ("consultation.confirm", "GET"): frozenset(),  # the world's token is not a comment's
    ("consultation.report", "GET"): frozenset(),
    ("consultation.report_pdf", "GET"): frozenset(),  # the platform's staff: not a national body's
    # The mini framework has no draft: its version in force is not simulated.
    ("drafts.impact", "GET"): frozenset(),
    ("drafts.impact", "POST"): frozenset(),
}


@dataclass
class World:
    """Real rows for every kind of id a URL takes, and who is who."""

    people: dict[str, User | None]
    values: dict[str, object]


def build_world(app) -> World:
    from labelling.appeals.services import lodge_appeal
    from labelling.assessments.evidence import store
    from labelling.assessors.models import Accreditation, AssessorProfile, ConflictDeclaration
    from labelling.bodies.models import BodyMember, LabellingBody
    from labelling.certificates.models import Certificate
    from labelling.complaints.services import confirmation_token, receive_complaint
    from labelling.organisations.models import Membership
    from labelling.organisations.services import invite_member

    application, people = application_with_team(State.IN_ASSESSMENT)
    manager = people["applicant"]
    organisation = application.organisation
    european = LabellingBody(name="European body", kind="european", countries=[], levels=[])
    polish = LabellingBody(name="Polish body", kind="national", countries=["PL"], levels=[])
    db.session.add_all([european, polish])
    db.session.flush()
    other_body = create_user("pl@example.org", "Piotr", roles=(Role.SECRETARIAT,))
    db.session.add_all(
        [
            BodyMember(body_id=european.id, user_id=people["secretariat"].id),
            BodyMember(body_id=polish.id, user_id=other_body.id),
        ]
    )
    other_manager = create_user("other.manager@example.org", "Otto Other")
    other_organisation = create_org(other_manager, legal_name="Other Cluster")
    admin = create_user("admin@example.org", "Ada Admin", roles=(Role.ADMIN,))
    label = labelled_organisation(
        manager, "gold", date.today() - timedelta(days=30), with_certificate=True
    )
    suspended = labelled_organisation(
        manager, "silver", status="suspended", reason="An audit is pending."
    )
    certificate = db.session.scalars(select(Certificate).filter_by(label_id=label.id)).one()
    colleague = create_user("colleague@example.org", "Carla Colleague")
    membership = Membership(organisation_id=organisation.id, user_id=colleague.id, role="member")
    db.session.add(membership)
    invite_member(organisation, "new@example.org", "member", manager)
    invitation = last_email("new@example.org")
    invitation_token = link_in(invitation).rsplit("/", 1)[1]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    stored = store(png, "members.png")
    evidence = Evidence(
        application_id=application.id,
        question_id="members",
        description="The members list",
        stored_name=stored.stored_name,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=manager.id,
    )
    db.session.add(evidence)
    lead_profile = db.session.scalar(select(AssessorProfile).filter_by(user_id=people["lead"].id))
    area_name = TechnologyAreaName(folded="textiles", written="Textiles", area="food")
    db.session.add(area_name)
    accreditation = db.session.scalars(
        select(Accreditation).filter_by(profile_id=lead_profile.id)
    ).first()
    declaration = ConflictDeclaration(
        profile_id=lead_profile.id, organisation_id=label.organisation_id, relation="advised"
    )
    db.session.add(declaration)
    appeal = lodge_appeal(
        manager, "The suspension was wrong.", label=suspended, document=store(png, "a.png")
    )
    complaint = receive_complaint(label.organisation, "Pat Public", "pat@example.org", "Bad")
    partnership = _twinning(organisation, other_organisation)
    case, attempt = _calibration(european, people["lead"])
    lead_assignment = db.session.scalar(
        select(Assignment).filter_by(application_id=application.id, assessor_id=people["lead"].id)
    )
    db.session.commit()
    framework = app.extensions["criteria"].get(application.framework_id)
    return World(
        people={
            "anonymous": None,
            "manager": manager,
            "other_manager": other_manager,
            "assessor": people["lead"],
            "unassigned_assessor": people["other_assessor"],
            "secretariat": people["secretariat"],
            "other_body_secretariat": other_body,
            "admin": admin,
        },
        values={
            "app_id": application.id,
            "org_id": organisation.id,
            "organisation_id": label.organisation_id,
            "label_id": label.id,
            "number": certificate.number,
            "user_id": manager.id,
            "membership_id": membership.id,
            "token": invitation_token,
            "outbox_id": invitation.id,
            "job_id": "labelling-mail-1",
            "evidence_id": evidence.id,
            "profile_id": lead_profile.id,
            "accreditation_id": accreditation.id,
            "declaration_id": declaration.id,
            "appeal_id": appeal.id,
            "complaint_id": complaint.id,
            "complaint_token": confirmation_token(complaint),
            "assignment_id": lead_assignment.id,
            "assessor_id": people["lead"].id,
            "partner_id": other_organisation.id,
            "partnership_id": partnership.id,
            "activity_id": partnership.activities[0].id,
            "code": "1.1",
            "area_code": "1",
            "section_id": framework.sections[0].id,
            "framework_id": framework.id,
            "version": framework.version,
            "action": "withdraw",
            "case_id": case.id,
            "attempt_id": attempt.id,
            "body_id": european.id,
            "name_id": area_name.id,
            "step": "withdraw",
            "what": "responses",
            "issuer": f"body-{european.id}",
            "purpose": "revocation",
            "filename": "css/app.css",
        },
    )


def _twinning(organisation, other_organisation):
    """Both organisations opted in; the first asked the second, who has not answered."""
    from labelling.twinning.models import Partnership, PlanActivity, TwinningProfile, pair_key

    for each in (organisation, other_organisation):
        db.session.add(
            TwinningProfile(
                organisation_id=each.id,
                is_active=True,
                framework_id="mini",
                framework_version="1.0",
                wants=["1.1"],
                offers=["2.2"],
                language_mask=1,
            )
        )
    partnership = Partnership(
        requester_id=organisation.id,
        partner_id=other_organisation.id,
        pair_key=pair_key(organisation.id, other_organisation.id),
        framework_id="mini",
        message="Shall we twin?",
        targets=["1.1"],
    )
    partnership.activities.append(
        PlanActivity(kind="visit", title="A visit", starts_on=date.today())
    )
    db.session.add(partnership)
    db.session.flush()
    return partnership


def _calibration(body, assessor):
    """A published reference case of the European body, and the assessor's practice on it."""
    from labelling.calibration.models import CalibrationAttempt

    case = invented_case(body_id=body.id)
    attempt = CalibrationAttempt(case_id=case.id, assessor_id=assessor.id, ratings={})
    db.session.add(attempt)
    db.session.flush()
    return case, attempt


def url_for_rule(rule, world: World, session_id: int | None) -> str:
    values = dict(world.values)
    if rule.endpoint == "accounts.two_factor_change":
        values["action"] = "recovery-codes"
    if rule.endpoint == "complaints.confirm":
        values["token"] = values["complaint_token"]
    if rule.endpoint in ("accounts.confirm_email", "accounts.reset_password"):
        values["token"] = "not-a-valid-token"  # answered with a way to get a new one
    values["session_id"] = session_id
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(values[name]))
        for converter in ("int", "path"):
            path = path.replace(f"<{converter}:{name}>", str(values[name]))
        path = re.sub(rf"<any\([^)]*\):{name}>", str(values[name]), path)
    return path


def gets_through(response) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    location = response.headers.get("Location", "")
    return not (response.status_code in (301, 302, 303) and "/login?next=" in location)


# Requests that end what the rest of the run needs go last.
def _order(item) -> tuple:
    rule, method = item
    destructive = any(word in rule.rule for word in ("remove", "delete", "end", "logout", "reset"))
    return (method != "GET", destructive, rule.rule)


def observed_table(app, role: str) -> dict[tuple[str, str], bool]:
    with app.test_request_context():  # e-mails with links are written while building
        world = build_world(app)
    user = world.people[role]
    client = app.test_client()
    manager_session: list[int] = []

    def ensure_signed_in() -> None:
        if user is not None and client.get("/account").status_code != 200:
            assert sign_in(client, user.email).status_code == 303

    if user is not None:
        ensure_signed_in()
    # The manager's own session, which only the manager may end.
    manager_client = app.test_client()
    sign_in(manager_client, world.people["manager"].email)
    manager_session.append(
        db.session.scalars(
            select(UserSession.id)
            .filter_by(user_id=world.people["manager"].id)
            .order_by(UserSession.id.desc())
        ).first()
    )
    if role == "manager":
        manager_client = client  # the same browser: ending it ends this one's
        manager_session[0] = db.session.scalars(
            select(UserSession.id).filter_by(user_id=user.id).order_by(UserSession.id)
        ).first()
    items = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    table = {}
    for rule, method in sorted(items, key=_order):
        ensure_signed_in()
        url = url_for_rule(rule, world, manager_session[0])
        response = client.open(url, method=method, data={})
        # An empty form is bad input, never a server error (an empty appeal panel was one).
        assert response.status_code < 500, f"{role}: {method} {url} answered {response.status}"
        table[(rule.endpoint, method)] = gets_through(response)
        db.session.rollback()
    return table


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def test_every_route_has_a_row_in_the_table(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = sorted(routes - set(EXPECTED))
    assert missing == [], f"add these to EXPECTED in tests/test_permissions.py: {missing}"
    assert sorted(set(EXPECTED) - routes) == [], "rows for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_through_matches_the_table(app, role):
    observed = observed_table(app, role)
    wrong = {
        key: ("gets through" if through else "is kept out")
        for key, through in observed.items()
        if through != (role in EXPECTED.get(key, frozenset()))
    }
    assert wrong == {}, f"{role}: {wrong}"
