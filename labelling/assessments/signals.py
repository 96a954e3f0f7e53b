"""Signals other features subscribe to, so that assessments never import them.

`application_awarded` is sent inside the deciding transaction, after the application is
marked awarded and flushed, with `application` and `framework`. A receiver creates what
follows from the award (the label and its certificate); it must flush and never commit,
and an exception it raises rolls the whole decision back.

`application_transitioned` is sent by every move of the lifecycle (apply_transition), in
the same transaction, after the new state is flushed and audited, with `application`,
`action`, `from_state` and `to_state`. The same rules hold for its receivers.

`application_page` is sent as an application's page is shown, with the `application` and
the `user` reading it; each receiver returns what it adds to the page (a dict of template
values: the label it gave, its appeals). It only reads.
"""

from blinker import Namespace

_signals = Namespace()
application_awarded = _signals.signal("application-awarded")
application_transitioned = _signals.signal("application-transitioned")
application_page = _signals.signal("application-page")
