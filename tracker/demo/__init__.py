"""Demo accounts and a plausible state for a newcomer (`flask --app wsgi seed --demo`).

Everything made here is marked as demo (User.is_demo; the UI shows a banner to demo users).
"""

from datetime import date

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.audit import record
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskStatus
from tracker.units.models import Unit

DEMO_PASSWORD = "demo12345"


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """admin, office (市科技局), leader, and a liaison per current unit named by its code.

    Returns (username, role, unit name) for every demo account; existing ones are kept.
    """
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    by_code = {u.code: u for u in units}
    wanted = [
        ("admin", "系统管理员(演示)", Role.ADMIN, None),
        ("office", "专班办公室(演示)", Role.OFFICE, by_code.get("kjj")),
        ("leader", "市领导(演示)", Role.LEADER, None),
    ]
    # Units replaced in a reorganisation have no liaison: their open work moved on.
    for unit in units:
        if unit.successor_id is None:
            wanted.append((unit.code, f"{unit.name}联络员(演示)", Role.LIAISON, unit))
    existing = {u.username: u for u in db.session.scalars(select(User)).all()}
    accounts = []
    for username, display, role, unit in wanted:
        user = existing.get(username)
        if user is None:
            user = User(
                username=username,
                display_name=display,
                role=role.value,
                unit_id=unit.id if unit else None,
                is_demo=True,
                password_hash="",
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            record("user.created", user, detail={"demo": True})
        accounts.append((username, role.value, unit.name if unit else ""))
    return accounts


def ensure_demo_task_states() -> int:
    """Give seeded, never-touched tasks a plausible state: assigned, in progress, closed.

    Only tasks still `pending` change, so a second run changes nothing.
    """
    office = db.session.scalar(select(User).where(User.username == "office"))
    plans = {p.key: p.id for p in db.session.scalars(select(Plan)).all()}
    tasks = db.session.scalars(
        select(Task).where(Task.status == TaskStatus.PENDING.value).order_by(Task.id)
    ).all()
    changed = 0
    for task in tasks:
        if task.plan_id == plans.get("changfa-2017-29"):
            new = TaskStatus.CLOSED if task.number % 4 == 0 else TaskStatus.IN_PROGRESS
        else:
            # two zone measures were assigned recently and await acknowledgement
            new = TaskStatus.ASSIGNED if task.number in (3, 6) else TaskStatus.IN_PROGRESS
        record(
            "task.status_changed",
            task,
            actor=office,
            detail={"from": task.status, "to": new.value, "demo": True},
        )
        task.status = new.value
        changed += 1
    db.session.flush()
    return changed


# --- demo reporting history ---------------------------------------------------------------

DEMO_PROGRESS = [
    "召开专题推进会，细化责任分工，形成任务清单。",
    "完成年度目标分解，已向省级主管部门报送申报材料。",
    "组织实地调研3次，协调解决企业用地、融资问题2项。",
    "相关政策文件已起草完毕，正在征求部门意见。",
    "项目进入实施阶段，完成阶段性投资约40%。",
]
DEMO_PROBLEMS = ["", "资金到位较慢。", "部门协调难度较大。", "", "审批流程较长。"]
DEMO_NEXT = ["按计划推进，下月报送阶段成果。", "加强与配合单位对接。", "跟踪督促项目落地。"]


def _pick(seq, *keys):
    return seq[sum(keys) % len(seq)]


def _at(day, hour=10):
    """A Beijing working-hours moment on `day`, stored as naive UTC like the rest."""
    from datetime import UTC, datetime, time

    from tracker.timeutil import LOCAL_TZ

    local = datetime.combine(day, time(hour, 0), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def ensure_demo_reports(today) -> int:
    """Three past months and the current one of reports in every state: accepted (rated),
    returned, late, missing, and this month's drafts, submissions and not-started tasks.
    A period that already has reports is left alone, so a second run adds nothing."""
    from datetime import timedelta

    from tracker.calendar.services import load_calendar
    from tracker.plans.models import TaskCoUnit
    from tracker.reports.models import ProgressReport
    from tracker.reports.periods import ensure_period, previous_month
    from tracker.supervision.models import TaskAssignment
    from tracker.units.rules import final_successor

    calendar = load_calendar()
    office = db.session.scalar(select(User).where(User.username == "office"))
    units = db.session.scalars(select(Unit)).all()
    successor_of = {u.id: u.successor_id for u in units}

    def current(unit_id):
        return final_successor(unit_id, successor_of)

    liaisons = {
        u.unit_id: u
        for u in db.session.scalars(select(User).where(User.role == Role.LIAISON.value)).all()
    }
    tasks = db.session.scalars(
        select(Task).where(Task.status.in_(("assigned", "in_progress"))).order_by(Task.id)
    ).all()
    co_links = db.session.execute(select(TaskCoUnit.task_id, TaskCoUnit.unit_id)).all()
    parts: dict[int, list[int]] = {t.id: [current(t.lead_unit_id)] for t in tasks}
    for task_id, unit_id in co_links:
        if task_id in parts and current(unit_id) not in parts[task_id]:
            parts[task_id].append(current(unit_id))

    # assignments: the office assigned these tasks before the history starts
    assigned = {(a.task_id, a.unit_id) for a in db.session.scalars(select(TaskAssignment)).all()}
    start_year, start_month = today.year, today.month
    for _ in range(3):
        start_year, start_month = previous_month(start_year, start_month)
    assigned_on = date(start_year, start_month, 3)
    for task in tasks:
        for position, unit_id in enumerate(parts[task.id]):
            if (task.id, unit_id) in assigned:
                continue
            acknowledged = task.status == "in_progress" or position > 0
            db.session.add(
                TaskAssignment(
                    task_id=task.id,
                    unit_id=unit_id,
                    is_lead=position == 0,
                    assigned_at=_at(assigned_on, 9),
                    assigned_by_id=office.id if office else None,
                    ack_due=calendar.add_workdays(assigned_on, 3),
                    acknowledged_at=_at(assigned_on + timedelta(days=1)) if acknowledged else None,
                    acknowledged_by_id=liaisons[unit_id].id
                    if acknowledged and unit_id in liaisons
                    else None,
                )
            )

    months = [(today.year, today.month)]
    for _ in range(3):
        months.insert(0, previous_month(*months[0]))
    created = 0
    for index, (year, month) in enumerate(months):
        period = ensure_period(year, month, calendar)
        has_any = db.session.scalar(
            select(ProgressReport.id).where(ProgressReport.period_id == period.id).limit(1)
        )
        if has_any:
            continue
        is_current = index == len(months) - 1
        for task in tasks:
            for unit_id in parts[task.id]:
                liaison = liaisons.get(unit_id)
                if liaison is None:
                    continue
                roll = (task.id * 7 + unit_id * 3 + month) % 20
                percent = min(100, 15 * (index + 1) + (task.id % 5) * 5)
                report = ProgressReport(
                    task_id=task.id,
                    unit_id=unit_id,
                    period_id=period.id,
                    progress=_pick(DEMO_PROGRESS, task.id, month),
                    percent=percent,
                    problems=_pick(DEMO_PROBLEMS, task.id, unit_id),
                    next_steps=_pick(DEMO_NEXT, task.id, month),
                    updated_by_id=liaison.id,
                )
                if is_current:
                    if today <= period.due_date:
                        # before the due day: a mix of not started, drafts and submissions
                        if roll < 6:
                            continue
                        state = "draft" if roll < 11 else "submitted"
                    else:
                        if roll < 3:
                            continue  # missing
                        state = "submitted"
                else:
                    if roll == 0:
                        continue  # missing that month
                    state = (
                        "returned" if roll in (1, 2) and index == len(months) - 2 else ("accepted")
                    )
                report.state = state
                if state != "draft":
                    late = roll in (3, 4)
                    day = (
                        period.due_date + timedelta(days=2)
                        if late
                        else (period.due_date - timedelta(days=1 + roll % 4))
                    )
                    day = min(day, today)
                    report.submitted_at = report.first_submitted_at = _at(day)
                    report.submitted_by_id = liaison.id
                if state in ("accepted", "returned"):
                    report.reviewed_at = _at(min(period.due_date + timedelta(days=3), today), 15)
                    report.reviewed_by_id = office.id if office else None
                if state == "accepted":
                    report.quality = ("good", "fair", "fair", "poor")[roll % 4]
                if state == "returned":
                    report.return_reason = "进展描述过于笼统，请补充量化指标和佐证材料。"
                report.created_at = report.updated_at = report.submitted_at or _at(
                    min(today, period.due_date)
                )
                db.session.add(report)
                created += 1
    db.session.flush()
    return created


def ensure_demo_workflow(today) -> int:
    """Something for every list: a pending extension request, a pending close-out, an
    instruction awaiting its answer and one answered, and an assignment not yet
    acknowledged past its deadline. Added once (skipped when any request exists)."""
    from datetime import timedelta

    from tracker.calendar.services import load_calendar
    from tracker.supervision.models import (
        CloseOutRequest,
        ExtensionRequest,
        Instruction,
        TaskAssignment,
    )

    if db.session.scalar(select(ExtensionRequest.id).limit(1)) is not None:
        return 0
    calendar = load_calendar()
    users = {u.username: u for u in db.session.scalars(select(User)).all()}
    fgw, leader = users.get("fgw"), users.get("leader")
    if fgw is None or leader is None:
        return 0
    tasks = db.session.scalars(
        select(Task)
        .where(Task.lead_unit_id == fgw.unit_id, Task.status == TaskStatus.IN_PROGRESS.value)
        .order_by(Task.number)
    ).all()
    if len(tasks) < 4:
        return 0
    created = 0
    ext_task, close_task, instr_task, answered_task = tasks[:4]
    db.session.add(
        ExtensionRequest(
            task_id=ext_task.id,
            unit_id=fgw.unit_id,
            reason="项目用地审批未完成，申请延期半年。",
            current_due=ext_task.due_date,
            requested_due=date(today.year + 1, 6, 30),
            requested_by_id=fgw.id,
            requested_at=_at(today - timedelta(days=2)),
        )
    )
    close_out = CloseOutRequest(
        task_id=close_task.id,
        unit_id=fgw.unit_id,
        summary="已建成综合服务平台并上线运行，达到方案目标，申请办结。",
        requested_by_id=fgw.id,
        requested_at=_at(today - timedelta(days=1)),
    )
    db.session.add(close_out)
    db.session.add(
        Instruction(
            task_id=instr_task.id,
            author_id=leader.id,
            text="请加快推进，月底前报送阶段成果。",
            created_at=_at(today - timedelta(days=6)),
            answer_due=calendar.add_workdays(today - timedelta(days=6), 3),
        )
    )
    written = today - timedelta(days=20)
    db.session.add(
        Instruction(
            task_id=answered_task.id,
            author_id=leader.id,
            text="要与配合单位加强对接。",
            created_at=_at(written),
            answer_due=calendar.add_workdays(written, 5),
            answer="已召开协调会，明确分工。",
            answered_at=_at(written + timedelta(days=2)),
            answered_by_id=fgw.id,
            answer_unit_id=fgw.unit_id,
        )
    )
    created += 4
    # a supervision notice on a lagging task, awaiting the unit's answer
    from tracker.supervision.models import SupervisionNotice

    notice_task = tasks[4] if len(tasks) > 4 else instr_task
    issued_on = calendar.add_workdays(today - timedelta(days=10), 0)
    seq = (
        db.session.scalar(
            select(db.func.max(SupervisionNotice.seq)).where(SupervisionNotice.year == today.year)
        )
        or 0
    ) + 1
    db.session.add(
        SupervisionNotice(
            year=today.year,
            seq=seq,
            number=f"督办〔{today.year}〕{seq}号",
            task_id=notice_task.id,
            unit_id=fgw.unit_id,
            required_actions="一、说明任务滞后原因；二、提出整改措施和时间表；三、每周报送推进情况。",
            issued_by_id=office.id if (office := users.get("office")) else None,
            issued_on=issued_on,
            issued_at=_at(issued_on, 9),
            answer_due=calendar.add_workdays(issued_on, 5),
        )
    )
    created += 1
    # the zone plan: assigned a week ago to its centre, not yet acknowledged
    centre = db.session.scalar(select(Unit).where(Unit.code == "gxqcxzx"))
    zone_task = db.session.scalar(
        select(Task)
        .join(Plan)
        .where(Plan.key == "czgxq-shuangchuang-2021", Task.status == TaskStatus.ASSIGNED.value)
        .order_by(Task.number)
        .limit(1)
    )
    if centre and zone_task:
        assignment = db.session.scalar(
            select(TaskAssignment).where(
                TaskAssignment.task_id == zone_task.id, TaskAssignment.unit_id == centre.id
            )
        )
        if assignment is not None:
            assignment.acknowledged_at = None
            assignment.acknowledged_by_id = None
            assignment.ack_due = calendar.add_workdays(today - timedelta(days=7), 3)
            assignment.assigned_by_id = office.id if office else None
            created += 1
    db.session.flush()
    return created


def ensure_demo_scoring(today) -> int:
    """Last month in full for the scorecards: the zone plan's open measures extended by the
    management committee (most to the end of this year or mid next year, a few left
    overdue), two measures closed on time last month, the office's returns recorded in the
    audit log, a notice and an instruction answered late, two manual adjustments; then the
    scorecards of the history's months and this month computed. Added once (skipped when any
    adjustment exists)."""
    from datetime import timedelta

    from tracker.calendar.services import load_calendar
    from tracker.reports.models import ProgressReport, ReportingPeriod
    from tracker.reports.periods import previous_month
    from tracker.scoring.models import ScoreAdjustment
    from tracker.scoring.rules import month_key
    from tracker.scoring.services import store_month
    from tracker.supervision.models import (
        CloseOutRequest,
        ExtensionRequest,
        Instruction,
        SupervisionNotice,
    )

    if db.session.scalar(select(ScoreAdjustment.id).limit(1)) is not None:
        return 0
    users = {u.username: u for u in db.session.scalars(select(User)).all()}
    office, leader = users.get("office"), users.get("leader")
    if office is None or leader is None:
        return 0
    calendar = load_calendar()
    year, month = previous_month(today.year, today.month)
    last = month_key(year, month)
    changed = 0

    # the zone plan's open measures: extended by the management committee
    zone_tasks = db.session.scalars(
        select(Task)
        .join(Plan)
        .where(
            Plan.key == "czgxq-shuangchuang-2021",
            Task.status.in_((TaskStatus.ASSIGNED.value, TaskStatus.IN_PROGRESS.value)),
            Task.due_date < today,
        )
        .order_by(Task.number)
    ).all()
    decided = date(today.year - 2, 12, 20)
    for task in zone_tasks:
        if task.number % 6 == 5:
            continue  # left overdue
        new_due = date(today.year, 12, 31) if task.number % 2 else date(today.year + 1, 6, 30)
        db.session.add(
            ExtensionRequest(
                task_id=task.id,
                unit_id=task.lead_unit_id,
                current_due=task.due_date,
                requested_due=new_due,
                reason="三年行动计划延续实施，经管委会研究同意延期。",
                state="approved",
                requested_at=_at(decided - timedelta(days=10)),
                decided_at=_at(decided),
                decided_by_id=office.id,
                decision_note="同意延期，按新时限推进。",
            )
        )
        record(
            "task.extension_approved",
            task,
            actor=office,
            detail={"from": task.due_date.isoformat(), "to": new_due.isoformat(), "demo": True},
        )
        task.due_date = new_due
        changed += 1
    # two measures closed on time last month
    for task, day in zip(
        [t for t in zone_tasks if t.status == TaskStatus.IN_PROGRESS.value and t.number % 6 != 5][
            :2
        ],
        (8, 20),
        strict=False,
    ):
        closed = calendar.next_workday(date(year, month, day))
        db.session.add(
            CloseOutRequest(
                task_id=task.id,
                unit_id=task.lead_unit_id,
                summary="目标任务已全部完成，佐证材料齐全，申请销号。",
                state="approved",
                requested_at=_at(closed - timedelta(days=3)),
                decided_at=_at(closed, 16),
                decided_by_id=office.id,
                decision_note="经核查，同意办结销号。",
            )
        )
        record(
            "task.status_changed",
            task,
            actor=office,
            detail={"from": task.status, "to": "closed", "demo": True},
        )
        task.status = TaskStatus.CLOSED.value
        task.closed_at = _at(closed, 16)
        changed += 1

    # the office's returns of last month's reports, in the audit log
    returned = db.session.scalars(
        select(ProgressReport)
        .join(ReportingPeriod)
        .where(
            ReportingPeriod.year == year,
            ReportingPeriod.month == month,
            ProgressReport.state == "returned",
        )
        .order_by(ProgressReport.id)
    ).all()
    for report in returned:
        event = record(
            "report.returned",
            subject_type="task",
            subject_id=report.task_id,
            actor=office,
            detail={
                "report_id": report.id,
                "unit_id": report.unit_id,
                "reason": report.return_reason,
                "to": "returned",
                "demo": True,
            },
        )
        event.occurred_at = report.reviewed_at or _at(date(year, month, 28))
        changed += 1

    # a notice and an instruction answered late last month
    fgw = users.get("fgw")
    task = db.session.scalar(
        select(Task)
        .where(
            Task.lead_unit_id == (fgw.unit_id if fgw else 0),
            Task.status == TaskStatus.IN_PROGRESS.value,
        )
        .order_by(Task.number.desc())
        .limit(1)
    )
    if fgw is not None and task is not None:
        issued = calendar.next_workday(date(year, month, 9))
        due = calendar.add_workdays(issued, 5)
        seq = (
            db.session.scalar(
                select(db.func.max(SupervisionNotice.seq)).where(SupervisionNotice.year == year)
            )
            or 0
        ) + 1
        db.session.add(
            SupervisionNotice(
                year=year,
                seq=seq,
                number=f"督办〔{year}〕{seq}号",
                task_id=task.id,
                unit_id=fgw.unit_id,
                required_actions="限期说明滞后原因并提出整改措施。",
                issued_by_id=office.id,
                issued_on=issued,
                issued_at=_at(issued, 9),
                answer_due=due,
                answer="已制定整改方案，明确时间节点。",
                answered_at=_at(calendar.add_workdays(due, 2)),
                answered_by_id=fgw.id,
                state="answered",
            )
        )
        written = calendar.next_workday(date(year, month, 12))
        db.session.add(
            Instruction(
                task_id=task.id,
                author_id=leader.id,
                text="请抓紧研究，拿出具体推进方案。",
                created_at=_at(written),
                answer_due=calendar.add_workdays(written, 3),
                answer="已形成推进方案，报请审定。",
                answered_at=_at(calendar.add_workdays(written, 6)),
                answered_by_id=fgw.id,
                answer_unit_id=fgw.unit_id,
            )
        )
        changed += 2

    # the office's manual adjustments, with their reasons
    by_code = {u.code: u for u in db.session.scalars(select(Unit)).all()}
    for code, amount, reason in (
        ("tjj", 2, "在全省重点任务推进现场会上作典型发言，经专班研究予以加分。"),
        ("rsj", -1, "未按要求参加专班月度调度会，且未请假。"),
    ):
        unit = by_code.get(code)
        if unit is not None:
            db.session.add(
                ScoreAdjustment(
                    period=last,
                    unit_id=unit.id,
                    amount=amount,
                    reason=reason,
                    created_by_id=office.id,
                    created_at=_at(date(year, month, 27), 17),
                )
            )
            changed += 1
    db.session.flush()
    # the scorecards of the demo history (three months back) and of this month
    month = (today.year, today.month)
    for _ in range(4):
        store_month(month_key(*month), today)
        month = previous_month(*month)
    return changed
