"""Criteria frameworks as versioned data files, their loader and the pure scoring engine."""
