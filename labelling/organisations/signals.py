"""Signals the features built on organisations subscribe to, so that organisations never
import them.

`organisation_page` is sent as an organisation's page is shown, with the `organisation`
and the `user` reading it; each receiver returns what it adds to the page (a dict of
template values: its applications, its labels). It only reads.
"""

from blinker import Namespace

_signals = Namespace()
organisation_page = _signals.signal("organisation-page")
