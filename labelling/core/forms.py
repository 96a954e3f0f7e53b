"""Forms every feature's pages share."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button: a CSRF-protected POST that carries nothing else, so that only a person
    acts (not a mail scanner opening a link) and no other site can act for them."""
