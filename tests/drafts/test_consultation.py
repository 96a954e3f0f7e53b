"""The public consultation on a draft of the `mini` framework (the Gold threshold of 1.1
raised from 50 % to 60 %): opened by the platform's staff until a date, commented on by a
signed-in user and by someone who confirms their address, answered, the commenters told,
and the report published as a page and a PDF."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from labelling.accounts.models import Role
from labelling.drafts.models import Consultation, ConsultationComment
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage
from tests.drafts.test_pages import app_config as draft_config  # noqa: F401 - the fixture
from tests.factories import create_user, last_email, link_in, sign_in

PAGE = "/criteria/mini/2.0/consultation"
STAFF = "/secretariat/criteria/drafts/mini/2.0"


@pytest.fixture
def app_config(draft_config):  # noqa: F811
    return draft_config


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def opened(client, app):
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    until = date.today() + timedelta(days=30)
    opened = client.post(f"{STAFF}/consultation", data={"closes_on": until.isoformat()})
    assert opened.status_code == 303
    client.post("/logout")
    return db.session.scalars(select(Consultation)).one()


def comment_anonymously(client, text: str, code: str = "1.1", lang: str = "en"):
    return client.post(
        f"{PAGE}?lang={lang}",
        data={"indicator_code": code, "text": text, "name": "Pat Public", "email": "pat@x.org"},
    )


def test_a_comment_is_answered_and_in_the_published_report(client, opened):
    listing = text_of(client.get("/criteria/").text)
    assert "In public consultation until" in listing
    page = text_of(client.get(PAGE).text)
    assert "What the draft changes" in page and "Committed share" in page
    assert "≥ 50" in page and "≥ 60" in page  # the threshold before and after

    create_user("maria@example.org", "Maria Manager")
    sign_in(client, "maria@example.org")
    said = client.post(PAGE, data={"indicator_code": "1.1", "text": "60 % is too high."})
    assert said.status_code == 303
    client.post("/logout")
    assert comment_anonymously(client, "Small clusters cannot reach 60 %.").status_code == 303
    anonymous = db.session.scalars(select(ConsultationComment).filter_by(email="pat@x.org")).one()
    assert anonymous.confirmed_at is None  # it counts once the address is confirmed

    sign_in(client, "sam@example.org")
    before = text_of(client.get(f"{STAFF}/comments").text)
    assert "60 % is too high." in before and "Small clusters" not in before
    client.post("/logout")
    confirmed = client.get(link_in(last_email("pat@x.org")))
    assert confirmed.status_code == 303
    sign_in(client, "sam@example.org")
    comments = text_of(client.get(f"{STAFF}/comments").text)
    assert "Small clusters cannot reach 60 %." in comments and "(2 comments)" in comments

    ids = [str(c.id) for c in db.session.scalars(select(ConsultationComment))]
    answered = client.post(
        f"{STAFF}/comments",
        data={
            "indicator": "1.1",
            "r1.1-indicator_code": "1.1",
            "r1.1-comment_ids": ids,
            "r1.1-text": "The threshold stays at 50 % for clusters under 30 members.",
            "r1.1-changed": "A lower threshold for small clusters.",
        },
    )
    assert answered.status_code == 303
    assert client.post(f"{STAFF}/responses").status_code == 303
    for address in ("maria@example.org", "pat@x.org"):
        told = last_email(address)
        assert "The threshold stays at 50 % for clusters under 30 members." in told.body_text
        assert "A lower threshold for small clusters." in told.body_text

    published = client.post(f"{STAFF}/report")
    assert published.status_code == 303
    report = text_of(client.get(published.headers["Location"]).text)
    assert "1.1 Committed share 2" in report
    assert "A lower threshold for small clusters." in report
    pdf = client.get(f"{PAGE}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Consultation report" in text and "A lower threshold for small clusters." in text
    assert "Pat Public" not in report and "Pat Public" not in text  # counted, never named

    client.post("/logout")
    assert "The report of the public consultation" in client.get("/criteria/mini/2.0").text
    closed = comment_anonymously(client, "Too late?")
    assert closed.status_code == 409
    assert db.session.scalar(select(ConsultationComment).filter_by(text="Too late?")) is None


def test_the_commenter_is_answered_in_the_language_they_wrote_in(client, opened):
    comment_anonymously(client, "Trop haut.", lang="fr")
    client.get(link_in(last_email("pat@x.org")))
    sign_in(client, "sam@example.org")
    comment = db.session.scalars(select(ConsultationComment)).one()
    client.post(
        f"{STAFF}/comments",
        data={
            "indicator": "1.1",
            "r1.1-comment_ids": [str(comment.id)],
            "r1.1-text": "Merci.",
        },
    )
    client.post(f"{STAFF}/responses")
    assert "Bonjour" in last_email("pat@x.org").body_text


def test_bad_input_keeps_what_was_typed(client, opened):
    comment_anonymously(client, "Nobody answers this yet.", code="")
    client.get(link_in(last_email("pat@x.org")))
    sign_in(client, "sam@example.org")
    refused = client.post(
        f"{STAFF}/comments",
        data={"indicator": "", "r-text": "A response to no comment in particular."},
    )
    assert refused.status_code == 422
    assert "Please tick the comments this answers." in refused.text
    assert "A response to no comment in particular." in refused.text
    client.post("/logout")
    unknown = comment_anonymously(client, "On an indicator that does not exist.", code="9.9")
    assert unknown.status_code == 422
    assert "On an indicator that does not exist." in unknown.text


def test_only_a_draft_is_put_to_consultation(client, app):
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    until = (date.today() + timedelta(days=9)).isoformat()
    in_force = client.post(
        "/secretariat/criteria/drafts/mini/1.0/consultation", data={"closes_on": until}
    )
    assert in_force.status_code == 404
    assert client.get("/criteria/mini/1.0/consultation").status_code == 404
    assert db.session.scalar(select(Consultation)) is None


def test_a_closed_consultation_takes_no_comment(client, opened):
    opened.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    page = client.get(PAGE).text
    assert "Comments closed on" in page and "Send the comment" not in page
    assert comment_anonymously(client, "After the date.").status_code == 409
    assert db.session.scalar(select(OutboxMessage).filter_by(recipient="pat@x.org")) is None


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "CONSULTATION_RATE_LIMIT": "2 per hour"}

    def test_comments_from_people_not_signed_in_are_rate_limited(self, client, opened):
        for _ in range(2):
            assert comment_anonymously(client, "Again.").status_code == 303
        assert comment_anonymously(client, "Again.").status_code == 429


def test_only_the_platforms_staff_run_the_consultation(client, opened):
    from labelling.bodies.models import BodyMember, LabellingBody

    european = LabellingBody(name="European body", kind="european", countries=[], levels=[])
    polish = LabellingBody(name="Polish body", kind="national", countries=["PL"], levels=[])
    db.session.add_all([european, polish])
    db.session.flush()
    national = create_user("pl@example.org", "Piotr", roles=(Role.SECRETARIAT,))
    db.session.add(BodyMember(body_id=polish.id, user_id=national.id))
    create_user("maria@example.org", "Maria Manager")
    db.session.commit()
    for email in ("pl@example.org", "maria@example.org"):
        sign_in(client, email)
        assert client.get(f"{STAFF}/comments").status_code == 403
        assert client.post(f"{STAFF}/report").status_code == 403
        client.post("/logout")
    assert client.get(f"{STAFF}/comments").status_code == 302  # to the sign-in page
    assert client.get(f"{PAGE}/report").status_code == 404  # not published yet


def test_the_closing_date_moves_but_never_into_the_past(client, opened):
    sign_in(client, "sam@example.org")
    assert "Move the closing date" in client.get(f"{STAFF}/comments").text
    later = date.today() + timedelta(days=60)
    assert (
        client.post(f"{STAFF}/consultation", data={"closes_on": later.isoformat()}).status_code
        == 303
    )
    db.session.refresh(opened)
    assert opened.closes_on == later
    past = (date.today() - timedelta(days=1)).isoformat()
    refused = client.post(f"{STAFF}/consultation", data={"closes_on": past})
    assert refused.status_code == 422
    assert "The last day for comments cannot be in the past." in refused.text
    db.session.refresh(opened)
    assert opened.closes_on == later


def test_a_consultation_opened_in_the_past_is_refused_beside_the_field(client, app):
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    past = (date.today() - timedelta(days=1)).isoformat()
    refused = client.post(f"{STAFF}/consultation", data={"closes_on": past})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert "The last day for comments cannot be in the past." in refused.text
    assert db.session.scalar(select(Consultation)) is None
