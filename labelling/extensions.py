"""Flask extensions, created unbound and initialised by the application factory.

Flask-Migrate (Alembic) is not among them: `init_migrations` sets it up where migrations
run, so that a worker's cold start does not import Alembic."""

from pathlib import Path

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from labelling.db import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
cache = Cache()


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def init_migrations(app) -> None:
    """Set up Flask-Migrate (Alembic) on the app, once. Only what runs migrations calls
    this (`labelling db ...`, `labelling demo`, tests): importing Alembic would cost every
    worker's cold start most of a second."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
