"""Work that runs once the response has gone out, so its duration tells the client nothing.

Account requests (sign-up, password reset) must look and take the same for an address with
an account and one without: the view does the same work for both, then hands what differs
(the look-up, the e-mail) to `run_after_response`. The WSGI server calls it when it closes
the response, in a fresh application context and its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import after_this_request, current_app, request
from flask_babel import force_locale, get_locale

from labelling.extensions import db

log = logging.getLogger(__name__)


def run_after_response(func: Callable[..., object], /, *args, **kwargs) -> None:
    """Call func(*args, **kwargs) after this request's response is sent, then commit."""
    app = current_app._get_current_object()
    # The demo (no base URL) follows the address it is opened at; production never does.
    base_url = app.config.get("BASE_URL") or request.host_url
    locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])

    def run() -> None:
        with (
            app.app_context(),
            app.test_request_context(base_url=base_url),
            force_locale(locale),
        ):
            try:
                func(*args, **kwargs)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("Work after the response failed: %s", func.__name__)
            finally:
                db.session.remove()

    @after_this_request
    def schedule(response):
        response.call_on_close(run)
        return response
