"""The readable name of every audit action, gathered from the features that record them.

Each feature declares the labels of its actions beside its models (`AUDIT_LABELS` in its
models.py); this module lists those declarations explicitly, so no label depends on which
module happened to be imported first. It sits above the features (like the app factory):
only the app factory and tests import it.
"""

from collections import ChainMap

from tracker import audit, settings
from tracker.accounts import models as accounts
from tracker.api import models as api
from tracker.calendar import models as calendar
from tracker.plans import models as plans
from tracker.plans.milestones import models as milestones
from tracker.plans.people import models as people
from tracker.reports import models as reports
from tracker.reports.load import models as reporting_load
from tracker.scoring import models as scoring
from tracker.supervision import models as supervision
from tracker.supervision.workflow.contest import models as contests
from tracker.units import models as units

ACTION_LABELS = ChainMap(
    accounts.AUDIT_LABELS,
    units.AUDIT_LABELS,
    plans.AUDIT_LABELS,
    people.AUDIT_LABELS,
    milestones.AUDIT_LABELS,
    calendar.AUDIT_LABELS,
    settings.AUDIT_LABELS,
    reports.AUDIT_LABELS,
    reporting_load.AUDIT_LABELS,
    supervision.AUDIT_LABELS,
    contests.AUDIT_LABELS,
    scoring.AUDIT_LABELS,
    api.AUDIT_LABELS,
    audit.ACTION_LABELS,  # modules not yet moved to AUDIT_LABELS
)


def action_label(action: str) -> str:
    """The readable name of an audit action. A code without a label (a test makes sure
    every recorded action has one) is shown as it is rather than hidden."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
