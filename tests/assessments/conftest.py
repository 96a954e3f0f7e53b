"""Fixtures the assessment tests share."""

from __future__ import annotations

import pytest

from tests.assessments.review_steps import review_people


@pytest.fixture
def people(app, manager, secretariat):
    """A manager, the secretariat and four assessors (two German, one French, one expert)."""
    return review_people(manager, secretariat)
