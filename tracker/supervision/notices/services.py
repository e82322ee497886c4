"""Supervision notices (督办单): the office issues a numbered notice on a lagging task, the
addressed unit answers it by a deadline in working days, the office may close it.

Rules (pure, at the top): the number 督办〔year〕seq号 counts per calendar year from 1; the
answer is due `n` working days after the day of issue; a notice still unanswered after its
due day is overdue (the alert sweep raises `notice_answer_overdue` from that, this module only
shows it). Services below load, write, record an audit event on the task (so it shows on the
task's timeline) and flush; the view commits.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from tracker.accounts.models import Role
from tracker.accounts.permissions import unit_scope
from tracker.audit import record
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.common.forms import IntegerField
from tracker.common.numbering import add_numbered
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_condition
from tracker.plans.lights import RED, past_due
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.settings import get_setting
from tracker.supervision.delivery.notify import notify_event
from tracker.supervision.models import SupervisionNotice
from tracker.supervision.workflow import rules
from tracker.timeutil import local_date, utcnow
from tracker.units.models import Unit
from tracker.units.rules import final_successor
from tracker.units.services import successor_map

ISSUED, ANSWERED, CLOSED = "issued", "answered", "closed"
STATES = (ISSUED, ANSWERED, CLOSED)
STATE_LABELS = {
    ISSUED: _l("Awaiting answer"),
    ANSWERED: _l("Answered"),
    CLOSED: _l("Closed"),
}
MIN_DAYS, MAX_DAYS = 1, 30
ACTIONS_MAX = 2000
ANSWER_MAX = 2000


# ---------------------------------------------------------------- rules (pure)


def notice_number(year: int, seq: int) -> str:
    """督办〔2026〕3号: the official number of the year's seq-th notice."""
    return f"督办〔{year}〕{seq}号"


def answer_due(calendar, issued_on: date, working_days: int) -> date:
    """The answer is due `working_days` working days after the day of issue (holidays and
    make-up workdays counted by the working calendar)."""
    return calendar.add_workdays(issued_on, working_days)


def notice_overdue(answer_due: date, answered_at, today: date, *, state: str | None = None) -> bool:
    """A notice not answered after its due day (on the day itself is on time). A closed
    notice is never overdue (pass `state` to say so)."""
    if state == CLOSED:
        return False
    return answered_at is None and past_due(answer_due, today)


def check_issue(task_status: str, working_days: int) -> str | None:
    if task_status not in OPEN_STATUSES:
        return "notice_task_not_open"
    if not MIN_DAYS <= working_days <= MAX_DAYS:
        return "notice_bad_days"
    return None


def check_answer(state: str) -> str | None:
    if state == CLOSED:
        return "notice_closed"
    if state != ISSUED:
        return "notice_already_answered"
    return None


def check_close(state: str) -> str | None:
    return "notice_closed" if state == CLOSED else None


# ---------------------------------------------------------------- forms


class NoticeForm(FlaskForm):
    required_actions = TextAreaField(
        _l("Required actions"),
        validators=[
            DataRequired(_l("Say what the unit must do.")),
            Length(max=ACTIONS_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    answer_working_days = IntegerField(
        _l("Answer within (working days)"),
        validators=[
            InputRequired(_l("Enter a number of working days.")),
            NumberRange(MIN_DAYS, MAX_DAYS, _l("Between %(min)d and %(max)d working days.")),
        ],
    )


class NoticeAnswerForm(FlaskForm):
    text = TextAreaField(
        _l("Answer"),
        validators=[
            DataRequired(_l("Write the answer.")),
            Length(max=ANSWER_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


# ---------------------------------------------------------------- loading and permissions


def _notice_options():
    return (joinedload(SupervisionNotice.unit),)


def load_notice(notice_id: int, *, for_update: bool = False) -> SupervisionNotice | None:
    query = select(SupervisionNotice).where(SupervisionNotice.id == notice_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    else:
        query = query.options(*_notice_options())
    return db.session.scalars(query).one_or_none()


def load_task(task_id: int) -> Task | None:
    """The task with its plan and lead unit, for showing a notice."""
    return db.session.scalars(
        select(Task)
        .where(Task.id == task_id)
        .options(joinedload(Task.plan), joinedload(Task.lead_unit))
    ).one_or_none()


def can_read(user, notice: SupervisionNotice, scope: set[int] | None = None) -> bool:
    """Office, leader and admin read every notice; a liaison only those addressed to its
    unit or to a unit it succeeded."""
    if not user.has_role(Role.LIAISON):
        return True
    scope = unit_scope(user) if scope is None else scope
    return notice.unit_id in scope


def can_answer(user, notice: SupervisionNotice, scope: set[int] | None = None) -> bool:
    return user.has_role(Role.LIAISON) and can_read(user, notice, scope) and notice.state == ISSUED


def addressee_unit_id(task: Task) -> int:
    """The task's lead unit, or the unit that answers for it today (its successors' chain)."""
    return final_successor(task.lead_unit_id, successor_map())


# ---------------------------------------------------------------- steps


def _max_seq(year: int) -> int | None:
    return db.session.scalar(
        select(func.max(SupervisionNotice.seq)).where(SupervisionNotice.year == year)
    )


def issue_notice(
    task: Task, user, today: date, required_actions: str, working_days: int | None = None
) -> SupervisionNotice:
    """The office issues a notice on an open task, to its lead unit (or that unit's current
    successor). Numbered max(seq)+1 within the year; if another notice took that number in
    the meantime (the unique (year, seq) constraint), tries once more with the next one."""
    if working_days is None:
        working_days = int(get_setting("notice_answer_working_days"))
    key = check_issue(task.status, working_days)
    if key:
        raise StepRefused(key)
    required_actions = required_actions.strip()
    unit_id = addressee_unit_id(task)
    due = answer_due(load_calendar(), today, working_days)
    year = today.year
    notice = add_numbered(
        lambda seq: SupervisionNotice(
            year=year,
            seq=seq,
            number=notice_number(year, seq),
            task_id=task.id,
            unit_id=unit_id,
            required_actions=required_actions,
            issued_by_id=user.id,
            issued_on=today,
            issued_at=utcnow(),
            answer_due=due,
            state=ISSUED,
        ),
        lambda: _max_seq(year),
    )
    unit_name = db.session.scalar(select(Unit.name).where(Unit.id == unit_id))
    record(
        "task.notice_issued",
        task,
        actor=user,
        detail={
            "notice_id": notice.id,
            "number": notice.number,
            "unit": unit_name,
            "answer_due": due.isoformat(),
            "required_actions": required_actions,
        },
    )
    notify_event(
        "notice_issued",
        task,
        [unit_id],
        link=f"/notices/{notice.id}",
        number=notice.number,
        due=due.isoformat(),
    )
    return notice


def answer_notice(notice: SupervisionNotice, user, today: date, text: str) -> SupervisionNotice:
    """The addressed unit's liaison answers, once; after the due day it is recorded late."""
    key = check_answer(notice.state)
    if key:
        raise StepRefused(key)
    text = text.strip()
    notice.answer = text
    notice.answered_at = utcnow()
    notice.answered_by_id = user.id
    notice.state = ANSWERED
    unit_name = db.session.scalar(select(Unit.name).where(Unit.id == user.unit_id))
    record(
        "task.notice_answered",
        subject_type="task",
        subject_id=notice.task_id,
        actor=user,
        detail={
            "notice_id": notice.id,
            "number": notice.number,
            "unit": unit_name,
            "answer_due": notice.answer_due.isoformat(),
            "late": rules.is_late(today, notice.answer_due),
            "text": text,
        },
    )
    db.session.flush()
    return notice


def close_notice(notice: SupervisionNotice, user) -> SupervisionNotice:
    """The office closes a notice (answered, or no longer needed)."""
    key = check_close(notice.state)
    if key:
        raise StepRefused(key)
    previous = notice.state
    notice.state = CLOSED
    record(
        "task.notice_closed",
        subject_type="task",
        subject_id=notice.task_id,
        actor=user,
        detail={"notice_id": notice.id, "number": notice.number, "from": previous},
    )
    db.session.flush()
    return notice


# ---------------------------------------------------------------- what pages show


def _overdue_ids(notices, today: date) -> set[int]:
    return {
        n.id for n in notices if notice_overdue(n.answer_due, n.answered_at, today, state=n.state)
    }


NOTICES_PER_PAGE = 50


def notice_list(
    user,
    today: date,
    state: str | None = None,
    year: int | None = None,
    page: int = 1,
    per_page: int = NOTICES_PER_PAGE,
) -> dict:
    """One page of the notices the user may read, newest first, with their tasks; filters by
    state ("overdue" is a state for the reader: issued and past its due day) and year; the
    total counted in SQL. Four statements whatever the rows (five for a liaison: its unit
    scope)."""
    conditions = []
    scope = unit_scope(user)
    if scope is not None:
        conditions.append(SupervisionNotice.unit_id.in_(scope))
    years_query = (
        select(SupervisionNotice.year)
        .where(*conditions)
        .distinct()
        .order_by(SupervisionNotice.year.desc())
    )
    if state == "overdue":
        conditions += [SupervisionNotice.state == ISSUED, SupervisionNotice.answer_due < today]
    elif state in STATES:
        conditions.append(SupervisionNotice.state == state)
    if year:
        conditions.append(SupervisionNotice.year == year)
    query = (
        select(SupervisionNotice, Task)
        .join(Task, Task.id == SupervisionNotice.task_id)
        .where(*conditions)
        .options(*_notice_options(), joinedload(Task.plan))
        .order_by(SupervisionNotice.year.desc(), SupervisionNotice.seq.desc())
    )
    total = db.session.scalar(select(func.count(SupervisionNotice.id)).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "years": list(db.session.scalars(years_query).all()),
        "overdue": _overdue_ids((n for n, _t in rows), today),
        "today": today,
    }


def lagging_tasks(today: date, page: int = 1, per_page: int = NOTICES_PER_PAGE) -> dict:
    """One page of the open tasks (assigned, in progress) whose light is red — past their due
    date (a due date on a day off moves to the next working day) or past a milestone not done,
    the one SQL light of plans/light_sql.py — oldest due first, each with whether it already
    has a notice awaiting an answer; the total counted in SQL. Three statements (the count,
    the page, the calendar's overrides)."""
    bounds = bounds_on(today, load_calendar(), int(get_setting("yellow_working_days")))
    conditions = [Task.status.in_(OPEN_STATUSES), light_condition(RED, bounds)]
    total = db.session.scalar(select(func.count(Task.id)).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    open_notice = (
        exists()
        .where(SupervisionNotice.task_id == Task.id, SupervisionNotice.state == ISSUED)
        .correlate(Task)
    )
    order = (Task.due_date.is_(None), Task.due_date, Task.plan_id, Task.number)  # unique
    # the page's ids sorted on narrow rows, then only those tasks loaded whole with their plan
    # and unit (sorting ~15,000 whole joined rows dominated the page at province scale)
    page_ids = (
        select(Task.id)
        .where(*conditions)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = db.session.execute(
        select(Task, open_notice.label("has_open_notice"))
        .where(Task.id.in_(page_ids))
        .options(joinedload(Task.plan), joinedload(Task.lead_unit))
        .order_by(*order)
    ).all()
    return {
        "rows": [(row[0], bool(row[1])) for row in rows],
        "total": total,
        "page": page,
        "pages": pages,
    }


def task_notices(task: Task, user, today: date) -> dict:
    """The notices of one task for its page, with what this user may do. A liaison sees
    only the notices addressed to its unit. One statement (two for a liaison when a notice
    is addressed to another unit than its own: its unit scope)."""
    notices = list(
        db.session.scalars(
            select(SupervisionNotice)
            .where(SupervisionNotice.task_id == task.id)
            .options(*_notice_options())
            .order_by(SupervisionNotice.id.desc())
        ).all()
    )
    scope = None
    if user.has_role(Role.LIAISON):
        # a co-unit reads the task, but only the addressed unit reads its notices; the
        # scope is asked for only when a notice is addressed to another unit than its own
        if all(n.unit_id == user.unit_id for n in notices):
            scope = {user.unit_id}
        else:
            scope = unit_scope(user)
        notices = [n for n in notices if n.unit_id in scope]
    answerable = {n.id for n in notices if scope is not None and can_answer(user, n, scope)}
    return {
        "notices": notices,
        "can_issue": user.has_role(Role.OFFICE) and task.status in OPEN_STATUSES,
        "answerable": answerable,
        "overdue": _overdue_ids(notices, today),
        "late": {
            n.id
            for n in notices
            if n.answered_at and rules.is_late(local_date(n.answered_at), n.answer_due)
        },
        "state_labels": STATE_LABELS,
    }
