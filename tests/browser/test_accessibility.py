"""Accessibility checked by axe-core (WCAG 2.1 A and AA rules) in real Chromium."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page, path: str) -> list[str]:
    page.goto(path)
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize(
    "path",
    ["/criteria/", "/criteria/ecei-2013/2013.1", "/", "/registry"],
)
def test_public_pages_pass_axe(page, path):
    assert violations(page, path) == []
