"""Public pages, error handling, security headers and the language switch."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from labelling.extensions import db
from labelling.organisations.models import Organisation


def test_home_explains_the_levels_from_the_framework_data(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    for text in (
        "Striving for Cluster Excellence",
        "Dedicated to Cluster Excellence",
        "Excel in Cluster Excellence",
        "At least 80 % of the excellence score",
        "Assessed by 2 experts",
        "31 quality indicators in 5 areas",
    ):
        assert text in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and landmark
    assert 'href="/registry"' in html


def test_registry_shows_a_real_empty_state(client):
    html = client.get("/registry").get_data(as_text=True)
    assert "No labels have been issued yet" in html


def test_errors_are_pages_for_people_and_json_for_the_api(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json == {
        "error": {"status": 404, "title": "Page not found", "message": "Page not found"}
    }


def test_unexpected_errors_roll_back_and_show_a_clean_500(app, client, manager):
    @app.route("/boom")
    def boom():
        db.session.add(
            Organisation(legal_name="Half", country_code="DE", city="X", technology_area="ict")
        )
        db.session.flush()
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    # No injected <base> can move where relative links and scripts point.
    assert "base-uri 'none'" in response.headers["Content-Security-Policy"]


def test_language_switch(client):
    response = client.post("/language", data={"locale": "de", "next": "/registry"})
    assert response.status_code == 303 and response.headers["Location"] == "/registry"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Die drei Labels" in html  # translated heading
    unsafe = client.post("/language", data={"locale": "fr", "next": "https://evil.example/"})
    assert unsafe.headers["Location"] == "/"
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "xx"})
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_accept_language_picks_a_supported_locale(client):
    html = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<html lang="de">' in html


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_static_css_is_served_locally(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and b"--brand" in response.data


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_forwarded_addresses_are_believed_only_behind_a_declared_proxy(app_config, proxies, seen):
    """Seen: with no proxy setting, every client behind a load balancer shared one address
    for the rate limits; a client's own X-Forwarded-For must not count either."""
    from flask import request

    from labelling import create_app

    app = create_app({**app_config, "PROXY_COUNT": proxies})
    app.add_url_rule("/_address", "address", lambda: request.remote_addr)
    response = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.text == seen
