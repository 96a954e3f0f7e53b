"""Feature-agnostic helpers: audit log, permissions, safe redirects."""
