"""Forms every feature's pages share."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def stripped(text):
    """A field's filter: the text without the spaces around it (a search typed with a
    trailing space finds what it finds without)."""
    return text.strip() if isinstance(text, str) else text


def single_line(_form, field) -> None:
    """A name or a place is one line: a line break (or another control character) typed or
    posted into it would travel on into e-mail headers, exports and certificates."""
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_l("Please keep this on one line, without line breaks."))


class ConfirmForm(FlaskForm):
    """A button: a CSRF-protected POST that carries nothing else, so that only a person
    acts (not a mail scanner opening a link) and no other site can act for them."""


class _HiddenWithoutId(HiddenInput):
    """The CSRF token's input without an id: a page with several forms held the id
    `csrf_token` several times, which is invalid HTML (issue 28, the Nu checker), and
    nothing labels the token or points at it."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)  # wtforms leaves out an attribute given as False
        return super().__call__(field, **kwargs)


def csrf_tokens_without_ids() -> None:
    """Every form's CSRF token rendered without an id (called once by the factory)."""
    CSRFTokenField.widget = _HiddenWithoutId()
