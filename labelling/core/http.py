"""Request helpers shared by every feature: safe redirects and object loading."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urljoin, urlsplit

from flask import Flask, Request, abort, current_app, has_request_context, request, url_for
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from labelling.extensions import db


def is_safe_next(target: str | None) -> bool:
    """Only same-host relative paths may be redirected to after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target:
        return False
    host = urlsplit(request.host_url)
    resolved = urlsplit(urljoin(request.host_url, target))
    return resolved.scheme in ("http", "https") and resolved.netloc == host.netloc


# Our primary keys are 32-bit integers; a larger number in a URL can only be "not found"
# (PostgreSQL would otherwise refuse the query itself).
_MAX_ID = 2**31 - 1


def get_or_404(model, ident):
    if isinstance(ident, int) and not 0 < ident <= _MAX_ID:
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def require(allowed: bool) -> None:
    """Object-level permission check: 403 unless the predicate allowed the action."""
    if not allowed:
        abort(403)


# Where the embedded demo is served when no base URL is set (links made outside a request).
DEMO_ADDRESS = "http://127.0.0.1:5000"


def site_address(config) -> str:
    """The site's canonical address: LABELLING_BASE_URL (required in production)."""
    return config.get("BASE_URL") or DEMO_ADDRESS


def site_request_context(app: Flask):
    """A request context at the site's address, for work outside a request (commands,
    jobs, work after the response) that builds links."""
    return app.test_request_context(base_url=site_address(app.config))


class LabellingFlask(Flask):
    """Every absolute URL (e-mails, certificates and their QR codes, the API, pages) is
    built on the configured base URL, never on the request's Host header: a forged host
    would otherwise be mailed to a victim in a password-reset link."""

    def create_url_adapter(self, request):
        adapter = super().create_url_adapter(request)
        base = self.config.get("BASE_URL")
        if adapter is not None and request is not None and base:
            parts = urlsplit(base)
            adapter.url_scheme, adapter.server_name = parts.scheme, parts.netloc
        return adapter


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, also outside a request (commands, e-mail, certificates)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with site_request_context(current_app):
        return url_for(endpoint, _external=True, **values)


def this_url(query: str = "") -> str:
    """This request's address on the site's base URL (in the demo, on the request's)."""
    root = (current_app.config.get("BASE_URL") or request.host_url).rstrip("/")
    return root + request.script_root + request.path + (f"?{query}" if query else "")


def url_builder(endpoint: str, **kinds: type) -> Callable[..., str]:
    """A fast maker of absolute URLs of `endpoint`, for lists of thousands of rows, where
    url_for per row would cost more than the row. `kinds` names each value's type:
    url_builder("api.label", label_id=int)(label_id=7) == external_url("api.label", label_id=7).
    """
    sentinels = {
        name: 1_999_999_000 + i if kind is int else f"zz{i}placeholderzz"
        for i, (name, kind) in enumerate(kinds.items())
    }
    template = external_url(endpoint, **sentinels)

    def build(**values) -> str:
        url = template
        for name, sentinel in sentinels.items():
            value = values[name]
            url = url.replace(str(sentinel), str(value) if kinds[name] is int else quote(value))
        return url

    return build


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class CleanParameters(ImmutableMultiDict):
    """Query and form parameters without NUL characters: nobody types one, PostgreSQL
    stores none (it refused them with an error), and no page should meet one."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping or ()
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


class LabellingRequest(Request):
    parameter_storage_class = CleanParameters
