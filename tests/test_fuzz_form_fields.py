"""Every form of every page, for every role, sent as the page shows it but with one field
left out, one field blank (a space), or every field blank: what a stale page, a script or
a hostile client sends. Hidden fields (a row version, an id) are checked like the ones
users see: nothing answers 500, and every page still opens afterwards."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelling.extensions import db
from tests.html_forms import PageForm, post_forms
from tests.test_fuzz_forms import LEFT_OUT, Browser
from tests.test_permissions import ROLES, url_for_rule, with_mini_framework

BLANKS = [" ", "", "\t", "\u00a0", " \n "]


@pytest.fixture
def app_config(app_config):
    return {**with_mini_framework(app_config), "WTF_CSRF_ENABLED": True}


def page_forms(browser: Browser) -> list[PageForm]:
    """Every POST form on the pages the role can open, once per action and set of fields."""
    adapter = browser.app.url_map.bind("localhost")
    found: dict[tuple, PageForm] = {}
    for url in pages(browser):
        page = browser.client.get(url)
        if page.mimetype != "text/html":
            continue
        for form in post_forms(page.get_data(as_text=True), url):
            endpoint, _ = adapter.match(form.action.split("?")[0], method="POST")
            if endpoint not in LEFT_OUT:
                found.setdefault((form.action, tuple(form.names)), form)
    # Forms that enter data first, single-button transitions (complete, submit, withdraw)
    # last, so that a transition does not close the pages behind it before they are tried.
    return sorted(found.values(), key=lambda form: -len(form.names))


def pages(browser: Browser) -> list[str]:
    """The role's pages, and the pages of the same kinds linked from them (every area of
    the framework, not only the first): one of each path."""
    adapter = browser.app.url_map.bind("localhost")
    queue = [url_for_rule(rule, browser.world, None) for rule in browser.gets]
    seen: set[str] = set()
    for url in queue:
        if url in seen:
            continue
        seen.add(url)
        page = browser.client.get(url)
        if page.mimetype != "text/html":
            continue
        for link in re.findall(r'href="(/[^"#?]*)', page.get_data(as_text=True)):
            if link not in seen and _is_get_route(adapter, link) and len(seen) < 400:
                queue.append(link)
    return list(dict.fromkeys(url for url in queue if url in seen))


def _is_get_route(adapter, path: str) -> bool:
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except Exception:  # not a route, or not one for GET
        return False
    return endpoint not in LEFT_OUT and endpoint != "static"


def variants(form: PageForm):
    """The form with each field left out (alone, then with every other field blank, so
    that something changes), each field blank, then every field blank."""
    names = [name for name in form.names if name != "csrf_token"]
    everything = dict.fromkeys(names, "\t ")
    for name in names:
        yield f"without {name}", form.data(omit=name)
        yield f"without {name}, the rest blank", form.data(omit=name, blank=everything)
        yield f"{name} blank", form.data(blank={name: " "})
    yield "every field blank", form.data(blank=everything)


def send(browser: Browser, form: PageForm, pairs: list) -> int:
    pairs = [(n, v) for n, v in pairs if n != "csrf_token"] + [("csrf_token", browser.token)]
    response = browser.client.post(form.action, data=_multi(pairs))
    db.session.rollback()
    signs_out = form.action.startswith("/account")  # a new password, an erasure...
    if signs_out and browser.user is not None and browser.client.get("/account").status_code != 200:
        browser.sign_in()
    return response.status_code


def _multi(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def as_saved(browser: Browser, form: PageForm) -> PageForm:
    """The form sent as shown, then as its page shows it again: with what was saved and
    the hidden fields that come with it (a row version, an id)."""
    send(browser, form, form.fields)
    page = browser.client.get(form.page)
    if page.mimetype != "text/html":
        return form
    again = [f for f in post_forms(page.get_data(as_text=True), form.page)]
    same = [f for f in again if f.action == form.action and set(f.names) >= set(form.names)]
    return same[0] if same else form


@pytest.mark.parametrize("role", ROLES)
def test_every_form_with_a_field_left_out_or_blank(app, role):
    browser = Browser(app, role)
    forms = page_forms(browser)
    assert forms, role
    failures = []
    for shown in forms:
        form = as_saved(browser, shown)
        failures += [
            (form.action, label, status)
            for label, pairs in variants(form)
            if (status := send(browser, form, pairs)) >= 500
        ]
    assert not failures
    for rule in browser.gets:
        page = browser.client.get(url_for_rule(rule, browser.world, None))
        assert page.status_code < 500, rule.rule


_FORMS: dict[tuple[int, str], tuple[Browser, list[PageForm]]] = {}


@pytest.mark.slow  # on SQLite only: the sweep above runs on both databases
@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_forms_with_fields_dropped_and_blanked_at_random(app, role, data):
    key = (id(app), role)
    if key not in _FORMS or _FORMS[key][0].app is not app:
        _FORMS.clear()
        browser = Browser(app, role)
        _FORMS[key] = (browser, page_forms(browser))
    browser, forms = _FORMS[key]
    if not forms:
        return
    form = data.draw(st.sampled_from(forms), label="form")
    pairs = []
    for name, value in form.fields:
        change = data.draw(st.sampled_from(["keep", "omit", "blank"]), label=name)
        if change == "blank":
            pairs.append((name, data.draw(st.sampled_from(BLANKS))))
        elif change == "keep":
            pairs.append((name, value))
    assert send(browser, form, pairs) < 500, (form.action, pairs)
