"""User accounts, roles, sign-in and password reset."""
