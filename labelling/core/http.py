"""Request helpers shared by every feature: safe redirects and object loading."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urljoin, urlsplit

from flask import Request, abort, current_app, has_request_context, request, url_for
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


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, also outside a request (commands, e-mail, certificates), where the
    site's address comes from PUBLIC_BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


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
