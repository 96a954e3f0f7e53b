"""The administrators' list of accounts pages and narrows (issue 27: it loaded every
account at once, and at 100,000 organisations there are more accounts than that)."""

from __future__ import annotations

import html
import re

from labelling.accounts import services
from labelling.accounts.models import Role
from tests.factories import create_user, sign_in

LIST = "/admin/users"


def names(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", page)


def test_accounts_page_by_name_and_narrow_by_name_address_and_role(app, client, monkeypatch):
    monkeypatch.setattr(services, "USERS_PER_PAGE", 3)
    admin = create_user("admin@example.org", "Ada Admin", roles=(Role.ADMIN,))
    for n in range(5):
        create_user(f"manager{n}@clusters.example.org", f"Manager {n}")
    create_user("sam@secretariat.example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, admin.email)

    seen, url = [], LIST
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "7 accounts" in page
        seen += names(page)
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = html.unescape(found.group(1)) if found else None
    assert seen == ["Ada Admin", *(f"Manager {n}" for n in range(5)), "Sam Secretariat"]

    def listed(query: str) -> list[str]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, query
        return names(response.get_data(as_text=True))

    assert listed("q=secretariat.example") == ["Sam Secretariat"]
    assert listed("q=manager 3") == ["Manager 3"]
    assert listed("role=admin") == ["Ada Admin"]
    assert listed("role=secretariat&q=ada") == []
    assert client.get(f"{LIST}?role=king").status_code == 422
    assert client.get(f"{LIST}?after=bad").status_code == 400
