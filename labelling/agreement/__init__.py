"""Agreement between assessors: how alike two assessors read each indicator, and each
assessor's own mirror, from the ratings they gave before consolidation (issue 24)."""
