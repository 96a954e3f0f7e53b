"""The `labelling` commands: demo data (idempotent) and create-admin."""

from __future__ import annotations

from sqlalchemy import func, select

from labelling.accounts.models import Role, User
from labelling.assessments.models import Application
from labelling.assessors.models import AssessorProfile
from labelling.demo.people import DEMO_PASSWORD
from labelling.extensions import db
from labelling.organisations.models import Organisation


def staff_page(email: str, path: str) -> str:
    from flask import current_app

    client = current_app.test_client()
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    return client.get(path).text


def test_demo_loads_data_once_and_prints_the_sign_ins(app):
    db.drop_all()  # `demo` builds the schema itself, through the migrations
    app.config["TWO_FACTOR_REQUIRED"] = True  # as everywhere but in the demo
    try:
        runner = app.test_cli_runner()
        first = runner.invoke(args=["demo", "--no-serve"])
        assert first.exit_code == 0, first.output
        assert "manager@example.org" in first.output and DEMO_PASSWORD in first.output
        # Staff sign in with the password alone, in the demo only, and it says so.
        assert "Demo only" in first.output and "without a second factor" in first.output
        assert app.config["TWO_FACTOR_REQUIRED"] is False
        again = runner.invoke(args=["demo", "--no-serve"])
        assert again.exit_code == 0, again.output
        # Eight of its own, forty benchmarked peers, three taken through the workflow, six
        # Gold applications two assessors scored (the agreement pages' history).
        assert db.session.scalar(select(func.count(Organisation.id))) == 57
        # ... and the peers' manager and the two national secretariats.
        assert db.session.scalar(select(func.count(User.id))) == 11
        # An application in every state a first sign-in should meet.
        states = set(db.session.scalars(select(Application.state)))
        assert {
            "draft",
            "submitted",
            "more_information_requested",
            "assessed",
            "awarded",
            "refused",
        } <= states
        # The registry shows six current labels (one more expired, one suspended).
        registry = app.test_client().get("/api/v1/organisations").get_json()
        assert registry["total"] == 6
        assert {row["value"]: row["count"] for row in registry["facets"]["status"]} == {
            "active": 5,
            "suspended": 1,
        }
        # The manager's report compares with real peers, not an empty group.
        client = app.test_client()
        client.post("/login", data={"email": "manager@example.org", "password": DEMO_PASSWORD})
        nordic = db.session.scalar(
            select(Application)
            .join(Organisation)
            .where(Organisation.short_name == "NordicFood", Application.level == "gold")
        )
        report = client.get(f"/applications/{nordic.id}/benchmarking").text
        assert "Compared with 13 organisations (Same technology area)" in report
        dashboard = client.get(f"/applications/{nordic.id}").text
        assert "The assessor asked for more information" in dashboard
        # Twinning: NordicFood takes part, with one partnership running and one request
        # waiting for Mette's answer, and real suggestions among the peers taking part.
        twinning = client.get(f"/organisations/{nordic.organisation_id}/twinning").text
        assert twinning.count("Running") == 1 and twinning.count("Requested") == 1
        assert "Food Valley Wageningen" in twinning and "Pôle Agri Sud-Ouest" in twinning
        suggested = client.get(f"/organisations/{nordic.organisation_id}/twinning/suggestions")
        assert suggested.text.count('<li class="card">') >= 5
        assert "where you are below the baseline minimum" in suggested.text
        assert db.session.scalar(select(func.count(AssessorProfile.id))) == 3
        # Agreement: the six double-assessed applications give figures; Ana and Lars read
        # one rubric indicator apart, and Lars sees his own ratings compared.
        figures = staff_page("admin@example.org", "/secretariat/agreement")
        assert "6 applications scored by two assessors." in figures
        assert figures.count("read differently</strong>") >= 1
        mirror = staff_page("assessor3@example.org", "/assessor/agreement")
        assert "bands harsher on average" in mirror and "Ana Ribeiro" not in mirror
        # Calibration: one published case, offered to Klaus (who did not assess its source)
        # and not to Ana or Lars (who did).
        offered = "A health technology cluster, ten years on"
        assert offered in staff_page("assessor2@example.org", "/assessor/calibration")
        assert offered not in staff_page("assessor@example.org", "/assessor/calibration")
        # A draft of the next version, open for comments, beside the version in force.
        criteria = app.test_client().get("/criteria/").text
        assert "version 2013.2" in criteria and "In public consultation until" in criteria
        consultation = app.test_client().get("/criteria/ecei-2013/2013.2/consultation").text
        assert "At least 85 % of the excellence score" in consultation
        admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        assert admin.has_role(Role.ADMIN) and admin.check_password(DEMO_PASSWORD)
        staff = app.test_client()
        signed = staff.post("/login", data={"email": admin.email, "password": DEMO_PASSWORD})
        assert signed.headers["Location"].endswith("/dashboard")
        banner = staff.get("/dashboard").text
        assert "This is a demonstration" in banner
    finally:
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "boss@example.org",
            "--name",
            "Boss",
            "--password",
            "a long passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.roles == {Role.ADMIN, Role.SECRETARIAT}
    short = runner.invoke(
        args=["create-admin", "--email", "x@example.org", "--name", "X", "--password", "short"]
    )
    assert short.exit_code != 0 and "Use at least 12 characters" in short.output
