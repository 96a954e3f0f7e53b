"""The demo's accounts: one password for all, printed on the console by `labelling demo`."""

from __future__ import annotations

from labelling.accounts.models import User
from labelling.accounts.services import find_user_by_email, register_user

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed on the console for the demo only


def ensure_user(email: str, name: str, roles) -> User:
    """The account with this address, created with the demo password if it is missing."""
    user = find_user_by_email(email)
    if user is None:
        user = register_user(email, name, DEMO_PASSWORD, roles=roles)
    return user
