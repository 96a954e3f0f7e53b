"""Werkzeug's development server, keeping WSGI's promise to close every response.

The demo (`labelling demo`) and the browser tests serve the app with Werkzeug. PEP 3333
says a server must call the close() of what the app returned, "whether the request was
completed normally, or terminated early due to an error": work that runs after the
response (core.after_response: a sign-up's account and e-mail) runs from there.

Werkzeug 3.1 skips it when the client resets the connection while the server drains what
is left of the request, after the response was written (the read raises, the close() below
it is never reached). Chromium did so in 10 of 300 sign-ups in a row here, and each time
the sign-up's e-mail never came. Gunicorn, the production server, always closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server, run_simple

# Where the request's environ keeps the response, for the handler to close after.
RESPONSE_KEY = "labelling.dev_server.response"


class ClosedOnce:
    """The app's response iterable, whose close() runs once, however often it is called."""

    def __init__(self, iterable: Iterable[bytes]) -> None:
        self._iterable = iterable
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._iterable)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        close = getattr(self._iterable, "close", None)
        if close is not None:
            close()


def _keeping_response(app):
    """The app, its response kept in the environ where the request handler finds it."""

    def wsgi(environ, start_response):
        response = environ[RESPONSE_KEY] = ClosedOnce(app(environ, start_response))
        return response

    return wsgi


class ClosingRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, closing the response after every request, also where Werkzeug
    gave up on it (a second close() does nothing: ClosedOnce)."""

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            response = getattr(self, "environ", {}).pop(RESPONSE_KEY, None)
            if response is not None:
                response.close()


def make_dev_server(host: str, port: int, app) -> BaseWSGIServer:
    """A threaded development server for the app (port 0: a free one), not yet serving."""
    return make_server(
        host, port, _keeping_response(app), threaded=True, request_handler=ClosingRequestHandler
    )


def run_dev_server(host: str, port: int, app) -> None:
    """Serve the app until interrupted, as `flask run` does (its log of requests)."""
    run_simple(
        host, port, _keeping_response(app), threaded=True, request_handler=ClosingRequestHandler
    )
