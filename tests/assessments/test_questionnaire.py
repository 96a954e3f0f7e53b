"""The questionnaire engine through the test client: render, save, resume, bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from labelling.assessments.models import Application
from labelling.assessments.services import start_application
from labelling.extensions import db
from tests.factories import create_org, create_user, sign_in, with_mini_framework


def start_gold(client, org) -> Application:
    client.post(f"/organisations/{org.id}/applications/new", data={"level": "gold", "kind": "new"})
    return db.session.scalars(select(Application)).one()


def error_of(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


@pytest.fixture
def gold_application(client, manager):
    org = create_org(manager, members_sme=30, committed_members=25)
    sign_in(client, manager.email)
    return start_gold(client, org)


def test_sections_render_from_ecei_with_the_profile_prefilled(client, gold_application):
    first = client.get(f"/applications/{gold_application.id}/questionnaire")
    assert first.status_code == 302 and first.headers["Location"].endswith("/structure")
    html = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Structure of the cluster" in html and "Section 1 of 6" in html
    assert re.search(r'id="members_sme"[^>]*value="30"', html)
    assert re.search(r'id="committed_members"[^>]*value="25"', html)
    assert "Share of committed members" in html  # a derived value, computed and shown
    management = client.get(f"/applications/{gold_application.id}/questionnaire/management")
    page = management.get_data(as_text=True)
    assert "<legend>Qualification of the management team (self-assessment)</legend>" in page
    assert "4: Broad, proven expertise" in page  # rubric descriptors from the data file
    assert client.get(f"/applications/{gold_application.id}/questionnaire/nope").status_code == 404


def test_saving_moves_on_and_resumes_in_a_new_session(client, manager, gold_application):
    url = f"/applications/{gold_application.id}/questionnaire/management"
    response = client.post(
        url,
        data={
            "management_start_year": "2014",
            "management_fte": "2.5",
            "management_staff_count": "3",
            "staff_left_last_year": "0",
            "training_days": "20",
            "management_qualification": "3",
            "stakeholder_involvement": "4",
            "go": "next",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/questionnaire/financing")
    client.post("/logout")
    sign_in(client, manager.email)
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'id="management_start_year"[^>]*value="2014"', html)
    assert re.search(r'value="3"[^>]*checked|checked[^>]*value="3"', html)
    assert "Years the cluster management has operated" in html
    db.session.expire_all()
    answers = db.session.get(Application, gold_application.id).answer_values()
    assert answers["management_fte"] == 2.5 and answers["stakeholder_involvement"] == 4


@pytest.mark.parametrize(
    ("section", "data", "field", "message"),
    [
        ("structure", {"members_sme": "lots"}, "members_sme", "Not a valid integer value"),
        ("structure", {"members_sme": "-4"}, "members_sme", "Number must be at least 0"),
        (
            "structure",
            {"committed_members": "500"},
            "committed_members",
            "cannot be more than Members in all (47)",
        ),
        (
            "management",
            {"management_start_year": "2999"},
            "management_start_year",
            "cannot be in the future",
        ),
        (
            "services",
            {"strategy_last_review": "2999-01-01"},
            "strategy_last_review",
            "cannot be in the future",
        ),
        (
            "services",
            {"strategy_last_review": "31/02/2024"},
            "strategy_last_review",
            "Not a valid date value",
        ),
        (
            "financing",
            {"budget_total": "1000", "budget_private": "5000"},
            "budget_private",
            "cannot be more than Annual budget",
        ),
        # Issue 15: these were stored (1e308) or crashed the flush (inf), then broke pages.
        ("management", {"management_fte": "1e308"}, "management_fte", "Enter a number below"),
        ("management", {"management_fte": "inf"}, "management_fte", "Enter a number below"),
        ("structure", {"members_sme": "9" * 40}, "members_sme", "Enter a number below"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_valid_answers_are_kept(
    client, gold_application, section, data, field, message
):
    url = f"/applications/{gold_application.id}/questionnaire/{section}"
    keep = {
        "structure": ("members_public", "7"),
        "management": ("training_days", "12"),
        "services": ("service_types_offered", "6"),
        "financing": ("financing_secured_years", "3"),
    }[section]
    response = client.post(url, data={**data, keep[0]: keep[1], "go": "next"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in error_of(html, field), error_of(html, field)
    bad_value = data[field]
    assert f'value="{bad_value}"' in html  # what was typed is shown again
    db.session.expire_all()
    answers = db.session.get(Application, gold_application.id).answer_values()
    assert answers[keep[0]] == float(keep[1]) or answers[keep[0]] == int(keep[1])
    assert answers.get(field) != bad_value


def test_only_the_team_edits_and_only_drafts(client, manager, secretariat, gold_application):
    url = f"/applications/{gold_application.id}/questionnaire/structure"
    client.post("/logout")
    sign_in(client, secretariat.email)
    html = client.get(url).get_data(as_text=True)
    assert "read-only" in html
    assert client.post(url, data={"members_sme": "1"}).status_code == 403
    client.post("/logout")
    sign_in(client, create_user("outsider@example.org").email)
    assert client.get(url).status_code == 403
    client.post("/logout")
    sign_in(client, manager.email)
    client.post(f"/applications/{gold_application.id}/withdraw", data={"confirmed": "yes"})
    assert client.post(url, data={"members_sme": "1"}).status_code == 403
    assert "read-only" in client.get(url).get_data(as_text=True)


class TestSmallFramework:
    @pytest.fixture
    def app_config(self, app_config):
        return with_mini_framework(app_config)

    def test_mini_framework_scores_live_and_rejects_shares_over_100(self, client, manager):
        org = create_org(manager)
        sign_in(client, manager.email)
        application = start_gold(client, org)
        assert application.framework_key == "mini@1.0"
        base = f"/applications/{application.id}/questionnaire"
        client.post(f"{base}/s1", data={"members": "40", "committed": "24", "regional": "10"})
        bad = client.post(f"{base}/s2", data={"turnover": "140", "strategy": "2"})
        assert "Number must be between 0 and 100" in error_of(
            bad.get_data(as_text=True), "turnover"
        )
        client.post(f"{base}/s2", data={"turnover": "20", "strategy": "2"})
        html = client.get(f"{base}/s2").get_data(as_text=True)
        # Hand-computed in the scoring tests: 10 of 16 points.
        assert "Provisional excellence score: 62.5 %" in html
        assert "the excellence score is below the level&#39;s minimum" in html
        assert "5 of 5 (100 %)" in html


def carried_fields(sign_in_page: str) -> dict:
    return {
        f"carry:{name}": value
        for name, value in re.findall(r'name="carry:([^"]+)" value="([^"]*)"', sign_in_page)
    }


def test_answers_survive_an_ended_session(client, manager, gold_application):
    url = f"/applications/{gold_application.id}/questionnaire/financing"
    client.post("/logout")  # the session ends while the manager is typing
    response = client.post(
        url,
        data={"budget_total": "480000", "budget_private": "150000", "financing_secured_years": "2"},
    )
    # The sign-in page, holding the answers: nothing is kept on the server meanwhile.
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "your answers are kept" in page
    carried = carried_fields(page)
    assert carried["carry:budget_total"] == "480000"
    db.session.expire_all()
    assert "budget_total" not in db.session.get(Application, gold_application.id).answer_values()
    next_url = re.search(r'name="next" value="([^"]*)"', page).group(1)
    back = client.post(
        "/login",
        data={"email": manager.email, "password": "correct horse battery", "next": next_url}
        | carried,
    )
    assert back.headers["Location"] == url
    html = client.get(url).get_data(as_text=True)
    assert "Your unsaved answers are shown again" in html
    assert re.search(r'id="budget_total"[^>]*value="480000"', html)
    assert re.search(r'id="budget_private"[^>]*value="150000"', html)
    # Shown once: a later visit shows what is stored.
    assert not re.search(r'value="480000"', client.get(url).get_data(as_text=True))


class TestExpiredPage:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    @pytest.mark.parametrize("signed_in", [True, False])
    def test_a_post_without_a_token_plants_nothing(self, app, client, manager, signed_in):
        """Finding 7: the section was CSRF-exempt, and a form-free POST from another site
        parked answers in the session that were shown pre-filled after sign-in."""
        org = create_org(manager)
        framework = app.extensions["criteria"].get(app.config["CRITERIA_DEFAULT_FRAMEWORK"])
        application = start_application(org, "gold", "new", manager, framework)
        db.session.commit()
        url = f"/applications/{application.id}/questionnaire/financing"
        if signed_in:
            token_sign_in(client, manager)
        forged = client.post(url, data={"budget_total": "666"})
        assert forged.status_code == 400
        assert "carry:" not in forged.get_data(as_text=True)
        if not signed_in:
            token_sign_in(client, manager)
        page = client.get(url).get_data(as_text=True)
        assert "666" not in page and "Your unsaved answers" not in page
        db.session.expire_all()
        assert "budget_total" not in db.session.get(Application, application.id).answer_values()

    def test_an_expired_form_token_shows_the_answers_again_unsaved(self, client, manager):
        org = create_org(manager)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={"email": manager.email, "password": "correct horse battery", "csrf_token": token},
        )
        page = client.get(f"/organisations/{org.id}/applications/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            f"/organisations/{org.id}/applications/new",
            data={"level": "gold", "kind": "new", "csrf_token": token},
        )
        application = db.session.scalars(select(Application)).one()
        url = f"/applications/{application.id}/questionnaire/financing"
        response = client.post(url, data={"budget_total": "480000", "csrf_token": "stale"})
        assert response.status_code == 400, response.headers.get("Location")
        html = response.get_data(as_text=True)
        assert "This page had expired" in html
        assert re.search(r'id="budget_total"[^>]*value="480000"', html)
        db.session.expire_all()
        assert "budget_total" not in db.session.get(Application, application.id).answer_values()

    def test_a_viewer_who_may_not_edit_is_refused_not_failed(self, app, client, manager):
        """Seen: a token-less POST by someone who may read the answers but not change them
        (here the secretariat) answered 500: the view's 403 came from inside the handler of
        the token error."""
        from labelling.accounts.models import Role
        from tests.factories import create_user

        org = create_org(manager)
        framework = app.extensions["criteria"].get(app.config["CRITERIA_DEFAULT_FRAMEWORK"])
        application = start_application(org, "gold", "new", manager, framework)
        staff = create_user("sec@example.org", "Sam", roles=(Role.SECRETARIAT,))
        db.session.commit()
        token_sign_in(client, staff)
        url = f"/applications/{application.id}/questionnaire/financing"
        assert client.get(url).status_code == 200  # staff read the answers
        refused = client.post(url, data={"budget_total": "1"})
        assert refused.status_code == 403
        db.session.expire_all()
        assert "budget_total" not in db.session.get(Application, application.id).answer_values()


def token_sign_in(client, user) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )


def test_a_bronze_only_question_is_not_asked_of_a_gold_applicant(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    gold = start_gold(client, org)
    gold_page = client.get(f"/applications/{gold.id}/questionnaire/interaction").text
    assert "Preferred format of the benchmarking interview" not in gold_page
    client.post(
        f"/organisations/{org.id}/applications/new", data={"level": "bronze", "kind": "new"}
    )
    bronze = db.session.scalars(select(Application).where(Application.level == "bronze")).one()
    bronze_page = client.get(f"/applications/{bronze.id}/questionnaire/interaction").text
    assert "Preferred format of the benchmarking interview" in bronze_page


def test_a_huge_value_stored_before_the_bound_still_lets_every_page_open(client, gold_application):
    from labelling.assessments.models import Answer

    gold_application.answers.append(Answer(question_id="training_days", value=1e308))
    db.session.commit()
    base = f"/applications/{gold_application.id}"
    for path in ("/questionnaire/management", "/questionnaire/structure", "/self-assessment"):
        page = client.get(base + path)
        assert page.status_code == 200, path
    # ... and the applicant corrects it.
    fixed = client.post(f"{base}/questionnaire/management", data={"training_days": "12"})
    assert fixed.status_code == 303
