"""Imports every feature's models, so the metadata and migrations see the whole schema."""

from labelling.accounts.models import User, UserRole  # noqa: F401
from labelling.assessments.models import (  # noqa: F401
    Answer,
    Application,
    Evidence,
    ImprovementArea,
    NotApplicableClaim,
)
from labelling.core.audit import AuditEvent  # noqa: F401
from labelling.notifications.models import OutboxMessage  # noqa: F401
from labelling.organisations.models import Invitation, Membership, Organisation  # noqa: F401
