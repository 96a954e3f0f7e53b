"""gunicorn's settings for the platform: `gunicorn -c python:labelling.gunicorn_conf ...`.

- The settings are checked once in the master, before any worker is forked: bad ones stop
  gunicorn at once with one line per problem and exit status 3. (Without this, each worker
  stops with status 3 and gunicorn halts too, but with several workers it may print its
  own traceback while it reaps the others.)
- Each worker gets ready before its first request: every template compiled, the models'
  mappers configured, every language's translations read and a database connection
  opened (a worker's first request of a staff page cost up to 300 ms more, issue 27).
- With `LABELLING_HEALTH_BIND` (e.g. `0.0.0.0:8001`), every worker also answers
  `GET /healthz` on that address from a thread of its own, so that a load balancer's probe
  never queues behind requests that wait on a silent database (on the main port it
  waited up to 22 s, behind sync and gthread workers alike; see benchmarks/README.md).
"""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

timeout = 30  # seconds; the database's answer deadline (core.database) is well inside


def on_starting(server) -> None:
    from flask import Flask

    from labelling import env_instance_path
    from labelling.config import load_config

    load_config(Flask("labelling", instance_path=env_instance_path()))


def post_worker_init(worker) -> None:
    _compile_templates(worker)
    _get_ready(worker)
    bind = os.environ.get("LABELLING_HEALTH_BIND", "")
    if bind:
        host, _, port = bind.rpartition(":")
        server = _HealthServer((host or "0.0.0.0", int(port)), _HealthHandler)  # noqa: S104
        threading.Thread(target=server.serve_forever, name="health", daemon=True).start()


TEMPLATE_ENDINGS = (".html", ".txt", ".svg", ".xml")


def _compile_templates(worker) -> None:
    """Every template compiled before the worker takes its first request (about 1.4 s for
    190): otherwise each worker's first sight of a page compiles its templates, and that
    one request takes 100-160 ms more (the slowest of ten requests of most staff pages at
    100,000 organisations, issue 27)."""
    environment = getattr(worker.wsgi, "jinja_env", None)
    if environment is None:
        return
    names = environment.list_templates(filter_func=lambda name: name.endswith(TEMPLATE_ENDINGS))
    for name in names:
        environment.get_template(name)
    worker.log.info("%d templates compiled", len(names))


def _get_ready(worker) -> None:
    """What every worker otherwise does on its first request, whatever the page: configure
    the ORM's mappers (about 100 ms for our models), read the translations of each
    language (about 10 ms each) and connect to the database. A database not answering yet
    is no reason to stop: the first request connects then, as before."""
    from flask_babel import force_locale, get_translations
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    from labelling.extensions import db

    app = worker.wsgi
    if not hasattr(app, "test_request_context"):
        return
    configure_mappers()
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                get_translations()
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as error:  # logged: the first request connects then
            worker.log.warning("no database connection yet: %s", error)
        finally:
            db.session.remove()
    worker.log.info("ready: mappers configured, translations read, database connected")


class _HealthServer(ThreadingHTTPServer):
    allow_reuse_address = True
    allow_reuse_port = True  # every worker listens; the kernel spreads the probes
    daemon_threads = True


class _HealthHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = self.path.split("?")[0] == "/healthz"
        body = b'{"status": "ok"}' if found else b'{"status": "not found"}'
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # the probe is not logged
        pass
