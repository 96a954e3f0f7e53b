"""The staff's list of labels pages and narrows (issue 27: at 100,000 organisations it
listed 200,000 labels at once, 105 s and 46 MB)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from labelling.accounts.models import Role
from labelling.certificates import listing
from labelling.certificates.services import current_certificate
from labelling.extensions import db
from tests.factories import create_user, labelled_organisation, sign_in

LIST = "/secretariat/labels/"


@pytest.fixture
def secretariat(client):
    staff = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, staff.email)
    return staff


def names(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'/secretariat/labels/\d+">([^<]+)</a>', page)]


def next_link(page: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_list_pages_through_every_label_latest_end_first(app, client, secretariat, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 5)
    manager = create_user("manager@example.org")
    today = date.today()
    for n in range(12):
        labelled_organisation(
            manager, assessed=today - timedelta(days=31 * n), legal_name=f"Cluster {n:02d}"
        )
    seen, url, pages = [], LIST, 0
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "12 labels" in page
        seen += names(page)
        pages += 1
        assert (pages > 1) == ("First page" in page)
        url = next_link(page)
    assert pages == 3
    assert seen == [f"Cluster {n:02d}" for n in range(12)]  # the latest assessed ends last
    assert client.get(f"{LIST}?after=not-a-cursor").status_code == 400


def test_the_list_narrows_by_name_number_status_level_country_and_end(app, client, secretariat):
    manager = create_user("manager@example.org")
    today = date.today()
    gold = labelled_organisation(
        manager, "gold", with_certificate=True, legal_name="Øresund Food Cluster"
    )
    labelled_organisation(manager, "silver", legal_name="Baltic Wind", country_code="PL")
    labelled_organisation(
        manager, "bronze", status="suspended", reason="Audit", legal_name="Suspended One"
    )
    labelled_organisation(manager, "gold", status="revoked", reason="Fraud", legal_name="Gone")
    labelled_organisation(
        manager, "bronze", assessed=today - timedelta(days=3 * 365), legal_name="Old Bronze"
    )
    ending = labelled_organisation(manager, "silver", legal_name="Ending Soon")
    ending.valid_until = today + timedelta(days=20)
    db.session.commit()

    def listed(query: str) -> list[str]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, query
        return sorted(names(response.get_data(as_text=True)))

    assert listed("q=resund") == ["Øresund Food Cluster"]
    assert listed("q=%25") == []  # a wildcard is a character, not a pattern
    assert listed("status=suspended") == ["Suspended One"]
    assert listed("status=revoked") == ["Gone"]
    assert listed("status=expired") == ["Old Bronze"]
    assert listed("level=gold&status=active") == ["Øresund Food Cluster"]
    assert listed("country=PL") == ["Baltic Wind"]
    assert listed("expiring_within=30") == ["Ending Soon"]
    number = current_certificate(gold).number
    assert listed(f"q={number.lower()}") == ["Øresund Food Cluster"]

    wrong = client.get(f"{LIST}?expiring_within=0")
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'aria-invalid="true"' in page
    assert len(names(page)) == 6  # the list stays, unnarrowed, with the error by its field
