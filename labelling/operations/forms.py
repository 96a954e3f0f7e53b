"""The operations page's filter of undelivered e-mail (a GET: no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from labelling.core.forms import stripped
from labelling.notifications.models import OutboxStatus


def _status_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Any of these")),
        SelectChoice(OutboxStatus.FAILED.value, _l("Failed, will be retried")),
        SelectChoice(OutboxStatus.GIVEN_UP.value, _l("Given up")),
        SelectChoice(OutboxStatus.UNCONFIRMED.value, _l("Maybe delivered")),
        SelectChoice(OutboxStatus.SENDING.value, _l("Being sent")),
    ]


class UndeliveredFilterForm(Form):
    recipient = SearchField(
        _l("Recipient"), validators=[Optional(), Length(max=254)], filters=[stripped]
    )
    status = SelectField(_l("Status"), choices=_status_choices, validators=[Optional()])
