"""The secretariat's queues page and narrow (issue 27: a queue showed its first 200
applications and no way on; the decided queue holds every label ever awarded)."""

from __future__ import annotations

import html
import re

import pytest

from labelling.accounts.models import Role
from labelling.assessments import queue
from tests.factories import (
    create_user,
    labelled_organisation,
    sign_in,
    submitted_application,
    with_mini_framework,
)

QUEUE = "/secretariat/applications"


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def listed_names(page: str) -> list[str]:
    return [
        html.unescape(n)
        for n in re.findall(r'<th scope="row"><a href="/applications/\d+">([^<]+)</a>', page)
    ]


def test_the_screening_queue_pages_first_come_first_served_and_narrows(app, client, monkeypatch):
    monkeypatch.setattr(queue, "PER_PAGE", 3)
    manager = create_user("manager@example.org")
    submitted = [
        submitted_application(
            manager,
            legal_name=f"Cluster {n}",
            country_code="PL" if n == 4 else "DE",
        )
        for n in range(7)
    ]
    labelled_organisation(manager, legal_name="Imported Cluster")  # decided, not waiting
    staff = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, staff.email)

    seen, url = [], f"{QUEUE}?queue=screening"
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "7 applications" in page
        seen += listed_names(page)
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = html.unescape(found.group(1)) if found else None
    assert seen == [f"Cluster {n}" for n in range(7)]  # in the order they were submitted

    def listed(query: str) -> list[str]:
        response = client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200, query
        return listed_names(response.get_data(as_text=True))

    assert listed("queue=screening&level=silver") == []
    assert listed("queue=screening&level=gold&country=DE") == [
        "Cluster 0",
        "Cluster 1",
        "Cluster 2",
    ]
    assert listed("queue=screening&country=PL") == ["Cluster 4"]
    assert listed(f"queue=screening&q=%23{submitted[5].id}") == ["Cluster 5"]
    assert listed("queue=screening&q=cluster 3") == ["Cluster 3"]
    assert listed("queue=decided") == ["Imported Cluster"]
    assert client.get(f"{QUEUE}?queue=screening&after=zz").status_code == 400
    assert client.get(f"{QUEUE}?queue=screening&country=QQ").status_code == 422
