"""Numbers people type: finite and of a size a cluster's figures can have, so that nothing
stored can later break the pages that show it."""

from __future__ import annotations

import math

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# No figure of a cluster (members, euros, days) comes near it; beyond it a float no longer
# holds every whole number, and Babel's rounding gives up.
LARGEST = 10**15


def is_sane(value) -> bool:
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        return False
    return math.isfinite(number) and abs(number) < LARGEST


def sane_number(form, field) -> None:
    """A WTForms validator: refuses infinity, NaN and absurdly large numbers."""
    if field.data is not None and not is_sane(field.data):
        raise ValidationError(_l("Enter a number below %(limit)s.", limit=format_decimal(LARGEST)))
