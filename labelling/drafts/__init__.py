"""Draft framework versions before they are adopted: what a draft would have changed in
the decisions already taken (issue 24)."""
