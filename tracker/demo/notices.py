"""Supervision notices: one last month, answered late; one this month awaiting its answer.
Issued in date order through the notices service, so their numbers follow their dates."""

from datetime import date, timedelta

from tracker.demo.history import History, at
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.settings import get_setting
from tracker.supervision.notices.services import answer_due, answer_notice, issue_notice
from tracker.timeutil import previous_month

LAST_MONTH_ACTIONS = "限期说明滞后原因并提出整改措施。"
LAST_MONTH_ANSWER = "已制定整改方案，明确时间节点。"
THIS_MONTH_ACTIONS = "一、说明任务滞后原因；二、提出整改措施和时间表；三、每周报送推进情况。"


def add_notice_steps(
    history: History, calendar, today: date, office, liaison, last_task_id: int, task_id: int
) -> int:
    """Last month's notice on `last_task_id`, answered two working days after its due day;
    this month's, issued about ten days ago on `task_id` and not answered yet."""
    notice = {}

    def issue(day, on_task, actions, key):
        notice[key] = issue_notice(db.session.get(Task, on_task), office, day, actions)

    year, month = previous_month(today.year, today.month)
    issued = calendar.next_workday(date(year, month, 9))
    due = answer_due(calendar, issued, int(get_setting("notice_answer_working_days")))
    history.add(at(issued, 9), lambda day: issue(day, last_task_id, LAST_MONTH_ACTIONS, "last"))
    history.add(
        at(calendar.add_workdays(due, 2), 10),
        lambda day: answer_notice(notice["last"], liaison, day, LAST_MONTH_ANSWER),
    )
    issued_on = calendar.add_workdays(today - timedelta(days=10), 0)
    history.add(at(issued_on, 9), lambda day: issue(day, task_id, THIS_MONTH_ACTIONS, "this"))
    return 2
