"""What every public page's head says to browsers and search engines (issue 28, finding 13:
Lighthouse found no /favicon.ico, a 404 on every page, and no meta description)."""

from __future__ import annotations

import re

import pytest

PUBLIC_PAGES = ("/", "/registry", "/registry/statistics", "/criteria/", "/verify", "/login")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_description_and_an_icon(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, path
    descriptions = re.findall(r'<meta name="description" content="([^"]+)">', response.text)
    assert len(descriptions) == 1 and len(descriptions[0]) > 50, path
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', response.text)
    assert len(icons) == 2, path
    for icon in icons:
        assert client.get(icon).status_code == 200, icon


def test_the_favicon_is_an_icon_browsers_find_where_they_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO file header
    assert "max-age=86400" in response.headers["Cache-Control"]


def test_the_description_is_translated(client):
    german = client.get("/?lang=de").text
    [description] = re.findall(r'<meta name="description" content="([^"]+)">', german)
    assert "Register" in description and "Cluster" in description
