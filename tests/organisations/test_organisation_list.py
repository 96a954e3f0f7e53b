"""The staff's list of organisations pages and narrows (issue 27: at 100,000 organisations
it loaded every one into one page)."""

from __future__ import annotations

import html
import re

from labelling.accounts.models import Role
from labelling.organisations import services
from tests.factories import create_org, create_user, sign_in

LIST = "/organisations/"


def names(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'/organisations/\d+">([^<]+)</a>', page)]


def next_link(page: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_staff_pages_through_organisations_by_name_and_narrows_them(app, client, monkeypatch):
    monkeypatch.setattr(services, "ORGANISATIONS_PER_PAGE", 4)
    manager = create_user("manager@example.org")
    for n in range(9):
        create_org(manager, legal_name=f"Cluster {n}", country_code="DE" if n % 3 else "AT")
    create_org(manager, legal_name="Øresund Food 100%", technology_area="food")
    staff = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, staff.email)

    seen, url = [], LIST
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "10 organisations" in page
        seen += names(page)
        url = next_link(page)
    assert seen == [f"Cluster {n}" for n in range(9)] + ["Øresund Food 100%"]

    def listed(query: str) -> list[str]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, query
        return names(response.get_data(as_text=True))

    assert listed("country=AT") == ["Cluster 0", "Cluster 3", "Cluster 6"]
    assert listed("q=RESUND") == ["Øresund Food 100%"]
    assert listed("q=100%25") == ["Øresund Food 100%"]  # "%" is a character, not a pattern
    assert listed("q=d 1%25") == []  # unescaped, "%" would match "d 100%"
    assert listed("technology_area=food") == ["Øresund Food 100%"]
    assert client.get(f"{LIST}?after=xyz").status_code == 400
    assert client.get(f"{LIST}?country=XX").status_code == 422  # said next to the field


def test_a_manager_still_sees_only_their_own_organisations(app, client):
    manager = create_user("manager@example.org")
    create_org(manager, legal_name="Mine")
    create_org(create_user("other@example.org"), legal_name="Theirs")
    sign_in(client, manager.email)
    page = client.get(LIST).get_data(as_text=True)
    assert names(page) == ["Mine"] and "Narrow the organisations" not in page
