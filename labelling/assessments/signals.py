"""Signals other features subscribe to, so that assessments never import them.

`application_awarded` is sent inside the deciding transaction, after the application is
marked awarded and flushed, with `application` and `framework`. A receiver creates what
follows from the award (the label and its certificate); it must flush and never commit,
and an exception it raises rolls the whole decision back.
"""

from blinker import Namespace

_signals = Namespace()
application_awarded = _signals.signal("application-awarded")
