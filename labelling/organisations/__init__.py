"""Cluster organisation profiles, their teams and invitations."""
