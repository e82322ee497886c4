"""Every model, imported once so that SQLAlchemy and Alembic see the whole schema."""

from .accounts.models import User  # noqa: F401
from .audit import AuditEvent  # noqa: F401
from .calendar import CalendarOverride  # noqa: F401
from .plans.models import Plan, Section, Task, TaskCoUnit, Unit  # noqa: F401
from .reports.models import Attachment, ProgressReport, ReportingPeriod  # noqa: F401
from .scoring.models import (  # noqa: F401
    Bulletin,
    ScoreAdjustment,
    Scorecard,
    ScoreEntry,
    ScoreRuleSet,
)
from .settings import Setting  # noqa: F401
from .supervision.models import (  # noqa: F401
    Alert,
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    Notification,
    OutboxMessage,
    SupervisionNotice,
    TaskAssignment,
    UnitWebhook,
)
