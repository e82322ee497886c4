"""Demo accounts and a plausible history for a newcomer (`flask --app wsgi seed --demo`).

One module per feature, each built through that feature's services; `history` plays every
step at the time it claims (docs/seeds.md). Everything made here is marked as demo
(User.is_demo; the UI shows a banner to demo users).
"""

from tracker.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from tracker.demo.history import demo_seeding
from tracker.demo.plans import ensure_demo_task_states
from tracker.demo.reports import ensure_demo_reports
from tracker.demo.scoring import ensure_demo_scoring
from tracker.demo.workflow import ensure_demo_workflow

__all__ = [
    "DEMO_PASSWORD",
    "demo_seeding",
    "ensure_demo_accounts",
    "ensure_demo_reports",
    "ensure_demo_scoring",
    "ensure_demo_task_states",
    "ensure_demo_workflow",
]
