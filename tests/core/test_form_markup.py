"""Forms as valid HTML (issue 28, finding 12, the Nu checker's errors): a page holding
several forms gives each element an id of its own (`csrf_token` and `suspend-reason` stood
several times on one page, and sent every `label for=` to the first); a required select
opens on an empty placeholder."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import select

from labelling.assessors.models import AssessorProfile
from labelling.extensions import db
from tests.factories import create_assessor, sign_in


def repeated_ids(html: str) -> list[str]:
    return [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


def test_an_assessor_with_two_accreditations_has_one_id_of_each(client, secretariat):
    create_assessor(
        "two@assessors.example.net", "Two Roles", roles=("auditor", "benchmarking_expert")
    )
    profile = db.session.scalar(select(AssessorProfile))
    sign_in(client, secretariat.email)
    page = client.get(f"/assessors/{profile.id}").text
    assert page.count("<form") >= 4
    assert repeated_ids(page) == []
    for accreditation in profile.accreditations:
        assert f'for="suspend-{accreditation.id}-reason"' in page
    # A suspension refused for want of a reason says so beside that accreditation only.
    first = profile.accreditations[0]
    refused = client.post(f"/assessors/accreditations/{first.id}/suspend", data={})
    assert refused.status_code == 422
    assert f'id="suspend-{first.id}-reason-error"' in refused.text
    assert repeated_ids(refused.text) == []


def test_no_csrf_token_input_carries_an_id(client, secretariat):
    sign_in(client, secretariat.email)
    page = client.get("/dashboard").text
    tokens = re.findall(r'<input[^>]*name="csrf_token"[^>]*>', page)
    assert tokens and not [t for t in tokens if " id=" in t]


def test_a_required_select_opens_on_an_empty_placeholder_or_is_not_marked_required(
    client, secretariat
):
    """Issue 28, finding 12: required selects whose first option was a real choice."""
    create_assessor("one@assessors.example.net", "One Role")
    profile = db.session.scalar(select(AssessorProfile))
    sign_in(client, secretariat.email)
    pages = [client.get(f"/assessors/{profile.id}").text, client.get("/organisations/new").text]
    selects = [s for page in pages for s in re.findall(r"<select[^>]*>.*?</select>", page, re.S)]
    assert selects
    for select_html in selects:
        opening = select_html.split(">", 1)[0]
        many = " multiple" in opening or re.search(r'size="([2-9]|\d\d)', opening)
        if re.search(r"\srequired(\s|>|$)", opening + ">") and not many:
            first = re.search(r'<option[^>]*value="([^"]*)"', select_html)
            assert first and first.group(1) == "", opening
    assert any('aria-required="true"' in s for s in selects)
