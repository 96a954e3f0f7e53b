"""After a change to the register, its most-read public answers are made for the new data
version before a reader asks for them.

Every change moves the data version on, and with it every kept answer: the first reader
of `/registry` after a change would wait for the facet count over the whole register
(tens of milliseconds at 100,000 organisations, 60x a kept answer for the statistics).
Instead, the answers below are asked for once in every language, as an anonymous reader
asks, so that `caching.public` keeps them whole (and the words-free facet cube with them).

Where: with a job queue and a shared cache (Redis), a worker makes them for every host;
otherwise the web worker that made the change makes them after its response has gone
out, for itself. Commands (an import) leave them to the first reader.
"""

from __future__ import annotations

import logging
import threading

from flask import current_app, has_request_context
from sqlalchemy import select

from labelling.core.after_response import run_after_response
from labelling.extensions import db
from labelling.jobs.queue import enqueue, queue_configured
from labelling.registry.models import RegistryState

log = logging.getLogger(__name__)

WARMED_PATHS = ("/registry", "/registry/statistics", "/api/v1/organisations")
WARM_KEY = "registry-warm"  # one waiting job however many changes come meanwhile


def warm_public_answers(rounds: int = 3) -> int:
    """Ask for each warmed path in every language; returns how many answers were made.
    A change committed meanwhile (its own job was refused: this one held the key) is
    warmed by another round."""
    made = 0
    for _round in range(rounds):
        version = _version()
        made += _ask_in_every_language()
        if _version() == version:
            break
    return made


def _version() -> int:
    db.session.rollback()  # read what is committed now
    return db.session.scalar(select(RegistryState.data_version)) or 0


def _ask_in_every_language() -> int:
    """The requests run in a thread of their own: outside every context, each request gets
    a fresh application context (and `g`, where the reader's language is kept), as a
    reader's does; inside this one they would all share the first one's."""
    app = current_app._get_current_object()
    made: list[int] = []
    asker = threading.Thread(target=lambda: made.append(_ask(app)), name="registry-warming")
    asker.start()
    asker.join()
    return made[0] if made else 0


def _ask(app) -> int:
    base_url = app.config.get("BASE_URL") or "http://localhost"
    client = app.test_client()
    made = 0
    for language in app.config["LANGUAGES"]:
        for path in WARMED_PATHS:
            headers = {"Accept-Language": language}
            response = client.get(path, base_url=base_url, headers=headers)
            if response.status_code == 200:
                made += 1
            else:
                log.warning("Warming %s (%s) answered %s", path, language, response.status_code)
    return made


def schedule_warming() -> None:
    """After a commit that changed the register: have its public answers made (see above)."""
    config = current_app.config
    if not config["REGISTRY_WARM_AFTER_CHANGE"]:
        return
    try:
        if queue_configured() and config.get("CACHE_REDIS_URL"):
            enqueue("registry.warm", key=WARM_KEY)
        elif has_request_context():
            run_after_response(warm_public_answers)
    except Exception:  # the change is committed: warming is a courtesy, never its failure
        log.exception("The public answers could not be scheduled for warming")
