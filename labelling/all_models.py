"""Imports every feature's models, so the metadata and migrations see the whole schema."""

from labelling.accounts.models import (  # noqa: F401
    RecoveryCode,
    TrustedDevice,
    User,
    UserRole,
    UserSession,
)
from labelling.agreement.models import PairedRating  # noqa: F401
from labelling.appeals.models import Appeal, AppealPanelMember  # noqa: F401
from labelling.assessments.models import (  # noqa: F401
    Answer,
    Application,
    Assignment,
    ConsolidatedScore,
    Evidence,
    ImprovementArea,
    IndicatorScore,
    InformationRequest,
    NotApplicableClaim,
    Recommendation,
)
from labelling.assessors.models import (  # noqa: F401
    Accreditation,
    AssessorProfile,
    ConflictDeclaration,
)
from labelling.benchmarking.models import (  # noqa: F401
    BenchmarkEntry,
    BenchmarkSnapshot,
    BenchmarkState,
    BenchmarkValue,
    PeerSummary,
)
from labelling.bodies.models import BodyAssessor, BodyMember, LabellingBody  # noqa: F401
from labelling.calibration.models import CalibrationCase  # noqa: F401
from labelling.certificates.models import Certificate, Label  # noqa: F401
from labelling.complaints.models import Complaint  # noqa: F401
from labelling.core.audit import AuditEvent  # noqa: F401
from labelling.credentials.models import SigningKey  # noqa: F401
from labelling.drafts.models import Consultation, DraftImpact  # noqa: F401
from labelling.jobs.models import ScheduledRun  # noqa: F401
from labelling.notifications.models import OutboxMessage, SentReminder  # noqa: F401
from labelling.organisations.models import Invitation, Membership, Organisation  # noqa: F401
from labelling.twinning.models import (  # noqa: F401
    Partnership,
    PlanActivity,
    TwinningMark,
    TwinningProfile,
)
