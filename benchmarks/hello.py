"""A bare Flask app answering "hello": the floor that load.py measures beside the platform,
served by the same gunicorn settings, so every figure can be read as a ratio to it.

    gunicorn -w 2 -b 127.0.0.1:8001 --chdir benchmarks hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "hello"
