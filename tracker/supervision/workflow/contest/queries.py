"""Read models of contested assignments: the task page's section, the office's queue, and
the open contests other features must leave alone (alerts, scores: docs/workflow.md)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.models import Task, TaskStatus
from tracker.supervision.workflow.contest import rules
from tracker.supervision.workflow.contest.models import OUTCOME_LABELS, TaskContest
from tracker.supervision.workflow.contest.services import lead_assignment, window_end
from tracker.supervision.workflow.services import liaison_part
from tracker.units.rules import LEAD

QUEUE_PAGE = 20
OUTCOMES = {outcome.value: label for outcome, label in OUTCOME_LABELS.items()}


def open_contest_task_ids() -> Select:
    """SELECT task_id of every open contest (退回交办 awaiting the office): while a task is
    in it, its clock stops — no deadline alerts and no overdue score entries. Use as
    `Task.id.not_in(open_contest_task_ids())` (or `Alert.task_id …`) inside one query."""
    return select(TaskContest.task_id).where(TaskContest.outcome.is_(None))


def contested_task_ids() -> set[int]:
    """The ids of the tasks with an open contest (one statement)."""
    return set(db.session.scalars(open_contest_task_ids()))


@dataclass
class ContestPanel:
    contests: list = field(default_factory=list)
    can_contest: bool = False
    deadline: date | None = None
    can_decide: bool = False
    outcomes: dict = field(default_factory=dict)

    @property
    def open(self):
        return next((c for c in self.contests if c.outcome is None), None)


def contest_panel(task: Task, user, today: date) -> ContestPanel:
    """What the task page shows of contests: every contest of the task (to the office, the
    leaders and the task's units), and the return form to the lead unit's liaison while it
    may still return the task. None for a task never assigned, else one (two to four
    for the lead unit's liaison), whatever the history."""
    panel = ContestPanel(outcomes=OUTCOMES, can_decide=user.has_role(Role.OFFICE))
    if task.status == TaskStatus.PENDING.value:
        return panel  # never assigned: nothing to return, no statement spent
    panel.contests = list(
        db.session.scalars(
            select(TaskContest)
            .where(TaskContest.task_id == task.id)
            .options(joinedload(TaskContest.unit))
            .order_by(TaskContest.filed_at)
        )
    )
    role, scope = liaison_part(user, task)
    filed = any(c.unit_id in scope for c in panel.contests)
    if role == LEAD and not filed:
        assignment = lead_assignment(task.id, scope)
        if assignment is not None and assignment.acknowledged_at is None:
            panel.deadline = window_end(assignment)  # the setting and the calendar
        panel.can_contest = (
            rules.check_contest(
                task.status,
                assignment is not None,
                assignment is not None and assignment.acknowledged_at is not None,
                filed,
                today,
                panel.deadline,
                "-",
            )
            is None
        )
    return panel


def open_contests(page: int) -> tuple[list[TaskContest], bool]:
    """A page of the open contests, oldest first, with their task, plan and unit; and
    whether a next page exists. One statement per page."""
    rows = list(
        db.session.scalars(
            select(TaskContest)
            .where(TaskContest.outcome.is_(None))
            .options(
                joinedload(TaskContest.unit),
                joinedload(TaskContest.task).joinedload(Task.plan),
            )
            .order_by(TaskContest.filed_at, TaskContest.id)
            .offset((max(page, 1) - 1) * QUEUE_PAGE)
            .limit(QUEUE_PAGE + 1)
        )
    )
    return rows[:QUEUE_PAGE], len(rows) > QUEUE_PAGE


__all__ = ["contest_panel", "contested_task_ids", "open_contest_task_ids", "open_contests"]
