"""Where the process's log lines go.

The request log (`labelling.requests`) is one JSON object per line on stdout, written by
python-json-logger, and nothing else is on that stream: a log shipper reads it as it is.
Everything else goes to stderr as text: the platform's own loggers from INFO, libraries
(WeasyPrint's progress, fontTools, urllib3) only from WARNING unless LOG_LIBRARIES_LEVEL
says otherwise.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

REQUEST_LOGGER = "labelling.requests"


class _CurrentStdout(logging.StreamHandler):
    """stdout as it is at each line (a test runner swaps it between tests)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _NotTheRequestLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != REQUEST_LOGGER


def request_log_formatter() -> JsonFormatter:
    """A line per request: its fields, and "event": "request"."""
    return JsonFormatter("%(message)s", rename_fields={"message": "event"})


def configure_logging(level: str = "INFO", libraries_level: str = "WARNING") -> None:
    """Set the handlers up once per process (every app the factory makes calls this)."""
    requests = logging.getLogger(REQUEST_LOGGER)
    if not any(isinstance(handler, _CurrentStdout) for handler in requests.handlers):
        handler = _CurrentStdout()
        handler.setFormatter(request_log_formatter())
        requests.addHandler(handler)
    requests.setLevel(logging.INFO)
    root = logging.getLogger()
    if not root.handlers:  # a test runner or an embedding program keeps its own
        text = logging.StreamHandler(sys.stderr)
        text.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        text.addFilter(_NotTheRequestLog())
        root.addHandler(text)
    root.setLevel(libraries_level)
    logging.getLogger("labelling").setLevel(level)
