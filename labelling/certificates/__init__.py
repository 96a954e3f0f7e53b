"""Labels awarded to organisations (certificates, verification and suspension build on them)."""
