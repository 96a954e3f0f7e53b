"""HTTP caching of the public side: validators, 304, shared caching for anonymous readers
only, answers kept per data version and language, and never a stale page after a change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from werkzeug.http import http_date

from labelling import create_app
from labelling.certificates import services as certificates
from labelling.core import lru_cache
from labelling.core.lru_cache import LRUCache
from labelling.extensions import db
from labelling.registry.caching import Version
from tests.factories import create_user, labelled_organisation, sign_in

PUBLIC_PATHS = [
    "/registry",
    "/registry?level=gold&sort=-level",
    "/registry/statistics",
    "/api/v1/organisations?per_page=5",
    "/api/v1/registry.csv",
]


@pytest.fixture
def label(app):
    return labelled_organisation(
        create_user("cache@example.org"), "gold", legal_name="Cache Cluster", with_certificate=True
    )


def resource_paths(label) -> list[str]:
    number = certificates.current_certificate(label).number
    return [
        f"/registry/organisations/{label.organisation_id}",
        f"/verify/{number}",
        f"/api/v1/certificates/{number}",
        f"/api/v1/organisations/{label.organisation_id}",
        f"/api/v1/labels/{label.id}",
        f"/seal/{label.id}.svg",
    ]


def test_anonymous_readers_get_validators_and_shared_caching(client, label):
    for path in PUBLIC_PATHS + resource_paths(label):
        response = client.get(path)
        assert response.status_code == 200, path
        # A verification is asked again each time: it must never be a minute late.
        verification = path.startswith(("/verify/", "/api/v1/certificates/"))
        expected = "public, no-cache" if verification else "public, max-age=60"
        assert response.headers["Cache-Control"] == expected, path
        assert response.headers["ETag"] and response.headers["Last-Modified"], path
        assert {"Accept-Language", "Cookie"} <= set(response.vary), path
        assert "Set-Cookie" not in response.headers, path  # nothing per reader on the page


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_matching_etag_or_date_answers_304_without_a_body(client, label, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=60"
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    older = http_date(datetime(2000, 1, 1, tzinfo=UTC))
    assert client.get(path, headers={"If-Modified-Since": older}).status_code == 200


def test_a_change_shows_at_once_under_a_new_etag(client, label):
    pages = {path: client.get(path) for path in ["/registry", *resource_paths(label)]}
    certificates.change_label_status(label, "suspend", label.application.decided_by, "Audit")
    db.session.commit()
    for path, before in pages.items():
        after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200, path
        assert after.headers["ETag"] != before.headers["ETag"], path
        assert b"Suspended" in after.data or b"suspended" in after.data, path


def test_signed_in_readers_get_their_own_page_never_a_shared_one(client, label):
    anonymous = client.get("/registry").get_data(as_text=True)
    user = create_user("reader@example.org")
    sign_in(client, user.email)
    response = client.get("/registry")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers
    page = response.get_data(as_text=True)
    assert "Sign out" in page and "Sign out" not in anonymous
    assert "Cache Cluster" in page
    assert client.get("/dashboard").headers.get("Cache-Control", "") != "public, max-age=60"


def test_each_language_is_kept_apart(client, label):
    english = client.get("/registry")
    german = client.get("/registry", headers={"Accept-Language": "de"})
    assert english.headers["ETag"] != german.headers["ETag"]
    assert "Name oder Stadt" in german.get_data(as_text=True)
    assert "Name or city" in client.get("/registry").get_data(as_text=True)


def test_an_anonymous_reader_chooses_a_language_without_a_session(client, label):
    response = client.get("/language?locale=fr&next=/registry")
    assert response.status_code == 303 and response.headers["Location"] == "/registry"
    assert "locale=fr" in response.headers["Set-Cookie"]
    assert "session=" not in response.headers["Set-Cookie"]
    page = client.get("/registry").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert '<form method="get" action="/language"' in page  # no CSRF token to hand out
    assert (
        client.get("/language?locale=xx&next=https://evil.example")
        .headers["Location"]
        .endswith("/")
    )


def test_the_statistics_follow_a_change(client, label):
    before = client.get("/registry/statistics").get_data(as_text=True)
    assert '<th scope="row">Gold</th><td class="num">1</td>' in before
    certificates.change_label_status(label, "revoke", label.application.decided_by, "Gone")
    db.session.commit()
    after = client.get("/registry/statistics").get_data(as_text=True)
    assert '<th scope="row">Gold</th><td class="num">0</td>' in after


def test_the_day_is_part_of_every_key_and_moves_last_modified(app):
    changed = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    monday, tuesday = Version(7, changed, date(2026, 3, 9)), Version(7, changed, date(2026, 3, 10))
    assert monday.token != tuesday.token
    # Labels expire at midnight without any write: the page is newer than the last change.
    assert tuesday.last_modified == datetime(2026, 3, 10, tzinfo=UTC)
    assert Version(7, changed, date(2026, 3, 1)).last_modified == changed.replace(second=0)


class TestAWorkerThatMemorisesTheVersion:
    """With REGISTRY_VERSION_TTL, anonymous pages need no query; the worker that made a
    change still shows it at once, and signed-in readers always read it afresh."""

    @pytest.fixture
    def app_config(self, app_config):
        return app_config | {"REGISTRY_VERSION_TTL": 60.0}

    def test_a_change_made_here_shows_at_once(self, client, label):
        assert b"Suspended" not in client.get("/registry").data
        certificates.change_label_status(label, "suspend", label.application.decided_by, "Audit")
        db.session.commit()
        assert b"Suspended" in client.get("/registry").data

    def test_a_change_made_by_another_worker_shows_within_the_ttl(self, app, client, label):
        from labelling.registry.sync import VERSION_MEMO, bump_version

        first = client.get("/registry")
        with db.engine.begin() as other_worker:  # not this worker's session: no announcement
            bump_version(other_worker)
        assert client.get("/registry").headers["ETag"] == first.headers["ETag"]
        app.extensions.pop(VERSION_MEMO)  # as the TTL running out does
        assert client.get("/registry").headers["ETag"] != first.headers["ETag"]


def test_the_in_process_cache_evicts_the_least_recently_used(monkeypatch):
    cache = LRUCache(threshold=3, max_bytes=10_000, default_timeout=300)
    for key in "abc":
        cache.set(key, key * 10)
    assert cache.get("a") == "a" * 10  # now the most recently used
    cache.set("d", "d")
    assert cache.get("b") is None and cache.get("a") and cache.get("c") and cache.get("d")
    cache.set("big", "x" * 9_000)  # over the byte bound: the oldest go until it fits
    assert cache.size <= 10_000 and cache.get("big") == "x" * 9_000
    assert cache.set("huge", "y" * 20_000) is False and cache.get("huge") is None
    cache.set("short", 1, timeout=5)
    later = lru_cache.monotonic() + 6
    monkeypatch.setattr(lru_cache, "monotonic", lambda: later)
    assert cache.get("short") is None and cache.get("big") is not None  # 300 s for the rest


def test_several_workers_share_one_cache_on_redis(app_config, label):
    """With CACHE_REDIS_URL, what one worker computed serves the next (two apps here)."""
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    config = app_config | {"CACHE_REDIS_URL": "redis://127.0.0.1:6379/15"}
    server = redis.Redis.from_url(config["CACHE_REDIS_URL"])
    server.flushdb()
    first, second = create_app(dict(config)), create_app(dict(config))
    assert first.config["CACHE_TYPE"] == "RedisCache"
    page = first.test_client().get("/registry?sort=-level")
    assert page.status_code == 200 and b"Cache Cluster" in page.data
    kept = server.keys("*labelling:response*")
    assert kept, "the answer is kept in Redis"
    assert second.test_client().get("/registry?sort=-level").data == page.data
    server.flushdb()
