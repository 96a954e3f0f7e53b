"""The POST forms of a page as a browser would send them: every named field with the
value it shows (the checked box, the selected option or else the first real one, the
checked radio or else the first real choice), for the tests that then send each form with
a field left out or blank."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class PageForm:
    action: str  # the path the form posts to
    page: str  # the page that shows it
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.fields))

    def data(self, omit: str | None = None, blank: dict[str, str] | None = None) -> list:
        """The fields as (name, value) pairs, one left out and some replaced."""
        blank = blank or {}
        return [(n, blank.get(n, v)) for n, v in self.fields if n != omit]


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""
        self._radios: dict[str, str] = {}  # name -> the checked or first non-empty value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._start_form(a)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form.fields.append((a["name"], a.get("value", "")))

    def _start_form(self, a):
        if (a.get("method") or "get").lower() != "post":
            self._form = None
            return
        path = urlsplit(urljoin(self.page_url, a.get("action") or self.page_url))
        action = path.path + (f"?{path.query}" if path.query else "")
        self._form = PageForm(action, self.page_url)
        self._radios = {}
        self.forms.append(self._form)

    def _input(self, a):
        name, kind = a.get("name"), (a.get("type") or "text").lower()
        if not name or kind in ("submit", "image", "reset", "button", "file"):
            return
        if kind == "checkbox" and "checked" not in a:
            return
        if kind == "radio":
            value = a.get("value", "on")
            if "checked" in a or not self._radios.get(name):
                self._radios[name] = value
            return
        self._form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._form.fields.extend(self._radios.items())
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            chosen = [v for v, selected in self._options if selected]
            chosen = chosen or [v for v, _ in self._options if v]
            self._form.fields.append((self._select, chosen[0] if chosen else ""))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.append((self._textarea, self._text.lstrip("\r\n")))
            self._textarea = None


def post_forms(html: str, page_url: str) -> list[PageForm]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
