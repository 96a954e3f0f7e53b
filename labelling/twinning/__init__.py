"""Twinning: clusters paired with the clusters that are strong where they are weak."""
