"""Every model, imported once so that SQLAlchemy and Alembic see the whole schema."""

from tracker.accounts.models import RecoveryCode, User  # noqa: F401
from tracker.api.models import ApiToken  # noqa: F401
from tracker.audit import AuditEvent  # noqa: F401
from tracker.calendar.models import CalendarOverride  # noqa: F401
from tracker.dashboard.models import PunctualityMonth, PunctualityTally  # noqa: F401
from tracker.kept import FiguresStamp  # noqa: F401
from tracker.plans.milestones.models import Milestone, TaskPace  # noqa: F401
from tracker.plans.models import Plan, Section, Task, TaskCoUnit  # noqa: F401
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson  # noqa: F401
from tracker.public.models import PublishedPlan  # noqa: F401
from tracker.reports.load.models import TaskLink, TaskLinkGroup  # noqa: F401
from tracker.reports.models import Attachment, ProgressReport, ReportingPeriod  # noqa: F401
from tracker.scoring.models import (  # noqa: F401
    Bulletin,
    ScoreAdjustment,
    Scorecard,
    ScoreEntry,
    ScoreRuleSet,
)
from tracker.settings import Setting  # noqa: F401
from tracker.supervision.delivery.events import EventEndpoint  # noqa: F401
from tracker.supervision.models import (  # noqa: F401
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
from tracker.supervision.workflow.contest.models import TaskContest  # noqa: F401
from tracker.units.models import Reorganisation, Succession, Unit, UnitCategory  # noqa: F401
