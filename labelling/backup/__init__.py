"""Export and import of the whole platform as one checked archive."""
