"""Complaints from anyone about a labelled organisation, handled by the secretariat."""
