"""Three past months and the current one of progress reports in every state: accepted
(rated), returned, late, missing, and this month's drafts, submissions and not-started
tasks. Filed through the reports services (save, submit, review) on the days they claim."""

from datetime import date, timedelta

from sqlalchemy import select

from tracker.calendar.services import load_calendar
from tracker.demo.accounts import demo_users, liaisons_by_unit
from tracker.demo.history import History, at, history_months, stamped
from tracker.extensions import db
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.reports.models import ProgressReport
from tracker.reports.periods import ensure_period
from tracker.reports.services import review, save_report
from tracker.supervision.models import TaskAssignment
from tracker.timeutil import local_date

DEMO_PROGRESS = [
    "召开专题推进会，细化责任分工，形成任务清单。",
    "完成年度目标分解，已向省级主管部门报送申报材料。",
    "组织实地调研3次，协调解决企业用地、融资问题2项。",
    "相关政策文件已起草完毕，正在征求部门意见。",
    "项目进入实施阶段，完成阶段性投资约40%。",
]
DEMO_PROBLEMS = ["", "资金到位较慢。", "部门协调难度较大。", "", "审批流程较长。"]
DEMO_NEXT = ["按计划推进，下月报送阶段成果。", "加强与配合单位对接。", "跟踪督促项目落地。"]
RETURN_REASON = "进展描述过于笼统，请补充量化指标和佐证材料。"
QUALITIES = ("good", "fair", "fair", "poor")


def pick(seq, *keys):
    return seq[sum(keys) % len(seq)]


def report_plan(roll: int, is_current: bool, is_last: bool, before_due: bool) -> str | None:
    """What became of one unit's report on one task in a month (None: never filed), from a
    fixed roll in 0..19 so that the demo is the same every time."""
    if is_current:
        if before_due:  # before the due day: not started, drafts and submissions
            return None if roll < 6 else ("draft" if roll < 11 else "submitted")
        return None if roll < 3 else "submitted"
    if roll == 0:
        return None  # missing that month
    return "returned" if roll in (1, 2) and is_last else "accepted"


def submission_day(roll: int, due: date, today: date) -> date:
    """Two days late for rolls 3 and 4, else one to four days before the due day."""
    day = due + timedelta(days=2) if roll in (3, 4) else due - timedelta(days=1 + roll % 4)
    return min(day, today)


def report_parts() -> dict[int, list[tuple[int, date]]]:
    """Per open task, the units that acknowledged their assignment (lead first), each with
    the day it was assigned: a unit reports from then on."""
    rows = db.session.execute(
        select(TaskAssignment.task_id, TaskAssignment.unit_id, TaskAssignment.assigned_at)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(Task.status.in_(OPEN_STATUSES), TaskAssignment.acknowledged_at.is_not(None))
        .order_by(TaskAssignment.task_id, TaskAssignment.is_lead.desc(), TaskAssignment.id)
    ).all()
    parts: dict[int, list[tuple[int, date]]] = {}
    for task_id, unit_id, assigned_at in rows:
        parts.setdefault(task_id, []).append((unit_id, local_date(assigned_at)))
    return parts


def ensure_demo_reports(today: date) -> int:
    """A period that already has reports is left alone, so a second run adds nothing."""
    calendar = load_calendar()
    users = demo_users()
    office, liaisons = users.get("office"), liaisons_by_unit(users)
    if office is None:
        return 0
    parts = report_parts()
    months = history_months(today)
    history = History()
    created = 0
    for index, (year, month) in enumerate(months):
        with stamped(at(date(year, month, 1), 8)):
            period = ensure_period(year, month, calendar)
        has_any = db.session.scalar(
            select(ProgressReport.id).where(ProgressReport.period_id == period.id).limit(1)
        )
        if has_any:
            continue
        for task_id, units in parts.items():
            for unit_id, assigned_on in units:
                liaison = liaisons.get(unit_id)
                roll = (task_id * 7 + unit_id * 3 + month) % 20
                state = report_plan(
                    roll, index == len(months) - 1, index == len(months) - 2,
                    today <= period.due_date,
                )  # fmt: skip
                if liaison is None or state is None or assigned_on > period.due_date:
                    continue
                values = {
                    "progress": pick(DEMO_PROGRESS, task_id, month),
                    "percent": min(100, 15 * (index + 1) + (task_id % 5) * 5),
                    "problems": pick(DEMO_PROBLEMS, task_id, unit_id),
                    "next_steps": pick(DEMO_NEXT, task_id, month),
                }
                file_report(
                    history, calendar, period, task_id, liaison, office, values, state, roll, today
                )
                created += 1
    history.play()
    db.session.flush()
    return created


def file_report(
    history, calendar, period, task_id, liaison, office, values, state, roll, today
) -> None:
    """Add the steps of one report: saved as a draft or submitted, then reviewed on the
    first working day from three days after the due day. What an earlier month's report
    did happened before today; one not reviewed by then still awaits its review."""
    report: dict[str, ProgressReport] = {}
    current = (period.year, period.month) == (today.year, today.month)
    last_day = today if current else today - timedelta(days=1)

    def save(day, submit):
        report["it"] = save_report(liaison, period, task_id, 0, values, submit=submit)

    if state == "draft":
        day = max(date(period.year, period.month, 1), today - timedelta(days=1 + roll % 3))
        history.add(at(day, 9 + roll % 8), lambda day: save(day, False))
        return
    history.add(
        at(submission_day(roll, period.due_date, last_day), 9 + roll % 8),
        lambda day: save(day, True),
    )
    reviewed = calendar.next_workday(period.due_date + timedelta(days=3))
    if state in ("accepted", "returned") and reviewed <= last_day:

        def decide(_day):
            it = report["it"]
            if state == "accepted":
                review(office, it, it.version, "accept", "", QUALITIES[roll % 4])
            else:
                review(office, it, it.version, "return", RETURN_REASON, None)

        history.add(at(reviewed, 15), decide)
