"""Hostile input to every form of every role, with valid CSRF tokens: huge and tiny
numbers, nan and inf, blanks, control characters, unicode, very long text, wrong dates and
choices. Nothing answers 500, and every page the role could open still opens afterwards."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelling.extensions import db
from tests.test_permissions import (
    EXPECTED,
    ROLES,
    build_world,
    url_for_rule,
    with_mini_framework,
)

HOSTILE = [
    "1e308",
    "-1e308",
    "1e999",
    "inf",
    "-Infinity",
    "nan",
    "NaN",
    "1e-320",
    "-0",
    "0x1F",
    "9" * 400,
    "",
    " ",
    "\t\n",
    "\x00",
    "\u202e\u200b",
    "😀" * 40,
    "a" * 100_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE label; --",
    "2026-13-45",
    "0000-00-00",
    "yes",
    "on",
    "true",
    "-1",
    "999999999999999999999",
    "%(num)d %s {0}",
]

# The values that, once stored, used to break the pages that show them.
STORED_IF_ACCEPTED = ["1e308", "-1e308", "inf", "nan", " ", "\x00", "a" * 100_000]

VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def field_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))


def csrf_token(html: str) -> str | None:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    return found.group(1) if found else None


def routes_of(app, role: str, method: str):
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if method in rule.methods and role in EXPECTED[(rule.endpoint, method)]
    ]


# Requests that would end the run's session or sign-in, left to their own tests.
LEFT_OUT = {"accounts.logout", "accounts.end_session", "accounts.end_other_sessions"}


@pytest.fixture
def app_config(app_config):
    return {**with_mini_framework(app_config), "WTF_CSRF_ENABLED": True}


class Browser:
    """A role's browser: signed in with a CSRF token, knowing every field name it has met."""

    def __init__(self, app, role: str):
        with app.test_request_context():
            self.world = build_world(app)
        self.app, self.user = app, self.world.people[role]
        self.client = app.test_client()
        self.gets = [r for r in routes_of(app, role, "GET") if r.endpoint != "static"]
        self.posts = [r for r in routes_of(app, role, "POST") if r.endpoint not in LEFT_OUT]
        self.names: set[str] = set()
        self.token = None
        self.sign_in()
        for rule in self.gets:
            page = self.client.get(url_for_rule(rule, self.world, None))
            assert page.status_code < 500, rule.rule
            if page.mimetype == "text/html":
                html = page.get_data(as_text=True)
                self.names |= field_names(html)
                self.token = csrf_token(html) or self.token
        self.names.discard("csrf_token")

    def sign_in(self) -> None:
        if self.user is None:
            return
        page = self.client.get("/login").get_data(as_text=True)
        self.client.post(
            "/login",
            data={
                "email": self.user.email,
                "password": "correct horse battery",
                "csrf_token": csrf_token(page),
            },
        )
        self.token = csrf_token(self.client.get("/account").get_data(as_text=True))

    def post(self, rule, data: dict):
        url = url_for_rule(rule, self.world, None)
        return self.client.post(url, data={**data, "csrf_token": self.token})


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_posts_never_break_anything(app, role, data):
    browser = _browser(app, role)
    rule = data.draw(st.sampled_from(browser.posts), label="route")
    names = sorted(browser.names) or ["value"]
    chosen = data.draw(st.lists(st.sampled_from(names), max_size=12, unique=True))
    form = {name: data.draw(VALUES, label=name) for name in chosen}
    response = browser.post(rule, form)
    db.session.rollback()
    assert response.status_code < 500, (rule.rule, form, response.get_data(as_text=True)[:500])
    if browser.user is not None and browser.client.get("/account").status_code != 200:
        browser.sign_in()  # a post that signed out (a password change...) signs back in


_BROWSERS: dict[tuple[int, str], Browser] = {}


def _browser(app, role: str) -> Browser:
    """One world and browser per role for all of Hypothesis's examples."""
    key = (id(app), role)
    if key not in _BROWSERS or _BROWSERS[key].app is not app:
        _BROWSERS.clear()
        _BROWSERS[key] = Browser(app, role)
    return _BROWSERS[key]


@pytest.mark.parametrize("role", ROLES)
def test_pages_still_open_after_hostile_posts(app, role):
    browser = Browser(app, role)
    for rule in browser.posts:
        for value in STORED_IF_ACCEPTED:
            form = {name: value for name in browser.names}
            response = browser.post(rule, form)
            db.session.rollback()
            assert response.status_code < 500, (rule.rule, value)
            if browser.user is not None and browser.client.get("/account").status_code != 200:
                browser.sign_in()
    for rule in browser.gets:
        page = browser.client.get(url_for_rule(rule, browser.world, None))
        assert page.status_code < 500, rule.rule
