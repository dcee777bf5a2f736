"""Every model, imported in one place so Alembic and create_all see the whole schema."""

from .accounts import ApiToken, Organisation, User
from .anchoring import AnchorBatch, AnchorLease, LotHead
from .base import Base
from .catalogue import Farm, Plot, Product
from .events import CaptureJob, DocumentContext, Event, EventObject
from .links import ResolverLink
from .lots import Lot, LotLink
from .public_records import (
    Certification,
    FakeReport,
    PlausibilityNote,
    Recall,
    ScanCount,
    ScanVisitor,
)

__all__ = [
    "AnchorBatch", "AnchorLease", "ApiToken", "Base", "CaptureJob", "Certification",
    "DocumentContext", "Event", "EventObject", "FakeReport", "Farm", "Lot", "LotHead",
    "LotLink", "Organisation", "PlausibilityNote", "Plot", "Product", "Recall", "ScanCount",
    "ScanVisitor", "User", "ResolverLink",
]

# Named queries and subscriptions (docs/SUBSCRIPTIONS.md).
from .subscription_models import Delivery, NamedQuery, Subscription  # noqa: E402

__all__ += ["Delivery", "NamedQuery", "Subscription"]

# The console's sign-in (docs/CONSOLE.md).
from .console_models import ConsoleSession, PasswordLink, SignInThrottle  # noqa: E402

__all__ += ["ConsoleSession", "PasswordLink", "SignInThrottle"]

# Evidence files attached to events (docs/console/EVIDENCE.md).
from .evidence_models import EvidenceFile  # noqa: E402

__all__ += ["EvidenceFile"]

# What a recording form or an idempotent API call recorded (docs/console/RECORDING.md).
from .submission_models import Submission  # noqa: E402

__all__ += ["Submission"]

# Holds an authority put on a lot (issue #12, docs/inspector/ACTIONS.md).
from .inspection_models import Hold  # noqa: E402

__all__ += ["Hold"]
# The EU's numbers of a lot's due diligence statement (issue #12, docs/inspector/EXPORTS.md).
from .eudr_models import EudrStatement  # noqa: E402

__all__ += ["EudrStatement"]

# Dossiers of big lineages kept for every process (docs/inspector/DOSSIER.md, "Speed").
from .kept_dossier_models import KeptDossier  # noqa: E402

__all__ += ["KeptDossier"]
