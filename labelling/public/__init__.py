"""Public pages: home, the registry's entry point, the dashboard and the language switch."""
