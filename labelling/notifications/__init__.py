"""Outgoing e-mail: templates, the outbox table and delivery."""
