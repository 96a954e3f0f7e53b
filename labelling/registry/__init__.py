"""The public register of labels: search, organisation pages, statistics, open data, the seal."""
