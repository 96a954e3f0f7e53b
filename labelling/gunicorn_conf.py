"""gunicorn's settings for the platform: `gunicorn -c python:labelling.gunicorn_conf ...`.

The settings are checked once in the master, before any worker is forked: bad ones stop
gunicorn at once with one line per problem and exit status 3. (Without this, each worker
stops with status 3 and gunicorn halts too, but with several workers it may print its
own traceback while it reaps the others.)
"""

from __future__ import annotations

timeout = 30  # seconds; the database's answer deadline (core.database) is well inside


def on_starting(server) -> None:
    from flask import Flask

    from labelling import env_instance_path
    from labelling.config import load_config

    load_config(Flask("labelling", instance_path=env_instance_path()))
