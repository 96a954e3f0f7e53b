"""Benchmarking: every benchmarked organisation's figures against its peers."""
