"""Something for every list, and last month in full for the scorecards, through the
workflow services: the zone plan's open measures extended by the management committee (a
few left overdue), two measures closed on time last month, a notice and an instruction
answered late last month; and now a pending extension request, a pending close-out, an
instruction awaiting its answer (past its due day) and one answered, a notice awaiting its
answer. Added once (skipped when any extension request exists)."""

from datetime import date, timedelta

from sqlalchemy import select

from tracker.calendar.services import load_calendar
from tracker.demo.accounts import demo_users, liaisons_by_unit
from tracker.demo.history import History, at, history_start
from tracker.demo.notices import add_notice_steps
from tracker.demo.plans import ZONE
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskStatus
from tracker.settings import get_setting
from tracker.supervision.models import ExtensionRequest
from tracker.supervision.workflow.instructions import answer_instruction, write_instruction
from tracker.supervision.workflow.requests import (
    decide_close_out,
    decide_extension,
    request_close_out,
    request_extension,
)
from tracker.supervision.workflow.services import load_task_for_update
from tracker.timeutil import previous_month

ZONE_REASON = "三年行动计划延续实施，经管委会研究同意延期。"
CLOSE_SUMMARY = "目标任务已全部完成，佐证材料齐全，申请销号。"


def left_overdue(number: int) -> bool:
    """The management committee extended the zone's open measures but every sixth one."""
    return number % 6 == 5


def ensure_demo_workflow(today: date) -> int:
    if db.session.scalar(select(ExtensionRequest.id).limit(1)) is not None:
        return 0
    users = demo_users()
    office, leader, fgw = users.get("office"), users.get("leader"), users.get("fgw")
    if office is None or leader is None or fgw is None:
        return 0
    tasks = db.session.scalars(
        select(Task)
        .where(Task.lead_unit_id == fgw.unit_id, Task.status == TaskStatus.IN_PROGRESS.value)
        .order_by(Task.number)
    ).all()
    if len(tasks) < 6:
        return 0
    calendar = load_calendar()
    history = History()
    created = add_zone_steps(history, calendar, today, office, liaisons_by_unit(users))
    ext_task, close_task, instr_task, answered_task, notice_task = tasks[:5]
    created += add_notice_steps(history, calendar, today, office, fgw, tasks[-1].id, notice_task.id)
    created += add_instruction_steps(
        history, calendar, today, leader, fgw, tasks[-1].id, instr_task.id, answered_task.id
    )
    history.add(
        at(today - timedelta(days=2)),
        lambda day: request_extension(
            load_task_for_update(ext_task.id), fgw, day,
            "项目用地审批未完成，申请延期半年。", date(today.year + 1, 6, 30),
        ),
    )  # fmt: skip
    history.add(
        at(today - timedelta(days=1)),
        lambda day: request_close_out(
            load_task_for_update(close_task.id), fgw, day,
            "已建成综合服务平台并上线运行，达到方案目标，申请办结。",
        ),
    )  # fmt: skip
    history.play()
    db.session.flush()
    return created + 2


def add_zone_steps(history: History, calendar, today: date, office, liaisons) -> int:
    """The zone plan's open, overdue measures: the centre asks to extend them a week after
    the assignment and the office approves a week later (most to the end of this year, some
    to mid next year); last month two of them are closed on time."""
    zone_tasks = db.session.scalars(
        select(Task)
        .join(Plan)
        .where(
            Plan.key == ZONE,
            Task.status.in_((TaskStatus.ASSIGNED.value, TaskStatus.IN_PROGRESS.value)),
            Task.due_date < today,
        )
        .order_by(Task.number)
    ).all()
    start = history_start(today, calendar)
    asked = calendar.next_workday(start + timedelta(days=7))
    decided = calendar.next_workday(start + timedelta(days=14))
    requests = {}
    created = 0

    def ask(day, task_id, new_due):
        task = load_task_for_update(task_id)
        liaison = liaisons[task.lead_unit_id]
        requests[task_id] = request_extension(task, liaison, day, ZONE_REASON, new_due)

    def approve(_day, task_id):
        task = load_task_for_update(task_id)
        decide_extension(requests[task_id], task, office, "approve", "同意延期，按新时限推进。")

    for task in zone_tasks:
        if left_overdue(task.number):
            continue
        new_due = date(today.year, 12, 31) if task.number % 2 else date(today.year + 1, 6, 30)
        history.add(at(asked), lambda day, t=task.id, d=new_due: ask(day, t, d))
        history.add(at(decided, 15), lambda day, t=task.id: approve(day, t))
        created += 1

    year, month = previous_month(today.year, today.month)
    closing = [
        t for t in zone_tasks
        if t.status == TaskStatus.IN_PROGRESS.value and not left_overdue(t.number)
    ][:2]  # fmt: skip
    close_outs = {}

    def ask_close(day, task_id):
        task = load_task_for_update(task_id)
        close_outs[task_id] = request_close_out(
            task, liaisons[task.lead_unit_id], day, CLOSE_SUMMARY
        )

    def confirm(_day, task_id):
        task = load_task_for_update(task_id)
        decide_close_out(close_outs[task_id], task, office, "confirm", "经核查，同意办结销号。")

    for task, day_of_month in zip(closing, (8, 20), strict=False):
        closed = calendar.next_workday(date(year, month, day_of_month))
        history.add(at(closed - timedelta(days=3)), lambda day, t=task.id: ask_close(day, t))
        history.add(at(closed, 16), lambda day, t=task.id: confirm(day, t))
        created += 1
    return created


def add_instruction_steps(
    history, calendar, today, leader, liaison, last_task_id, open_task_id, answered_task_id
) -> int:
    """Last month's instruction answered a working day late; this month's, one answered two
    days after it was written and one still awaiting its answer past its due day."""
    days = int(get_setting("instruction_answer_working_days"))
    instructions = {}

    def write(day, task_id, text):
        task = load_task_for_update(task_id)
        instructions[task_id] = write_instruction(task, leader, day, text)

    def answer(day, task_id, text):
        task = load_task_for_update(task_id)
        answer_instruction(instructions[task_id], task, liaison, day, text)

    year, month = previous_month(today.year, today.month)
    written = calendar.next_workday(date(year, month, 12))
    history.add(at(written), lambda day: write(day, last_task_id, "请抓紧研究，拿出具体推进方案。"))
    history.add(
        at(calendar.add_workdays(written, days + 1)),
        lambda day: answer(day, last_task_id, "已形成推进方案，报请审定。"),
    )
    written = today - timedelta(days=20)
    history.add(at(written), lambda day: write(day, answered_task_id, "要与配合单位加强对接。"))
    history.add(
        at(written + timedelta(days=2)),
        lambda day: answer(day, answered_task_id, "已召开协调会，明确分工。"),
    )
    written = today - timedelta(days=6)
    while calendar.add_workdays(written, days) >= today:
        written -= timedelta(days=1)  # written long enough ago that its answer is overdue
    history.add(
        at(written), lambda day: write(day, open_task_id, "请加快推进，月底前报送阶段成果。")
    )
    return 3
