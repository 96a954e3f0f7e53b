"""Forms every feature's pages share."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

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
