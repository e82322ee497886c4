"""Bulletins (通报): the office drafts a circular for a period from the stored scores, edits
its title and text while it is a draft, then publishes it; a published bulletin is read-only.

Rules (the pure ones first):
- number 督查通报〔year〕seq号: seq counts from 1 in the calendar year of drafting; a number
  taken meanwhile by another draft (the unique (year, seq)) is retried once with the next;
- a bulletin is drafted only from the stored ledger: every month of the period up to today
  must have stored scorecards (the scorecards page, or `flask scores compute`);
- `figures` is a snapshot taken when drafting; the page, the Word and the Excel files print
  it, so recomputing scores later never changes a bulletin;
- ranking: the period's scorecards as ranked by tracker.scoring.rules, each with its three
  largest kinds of deduction (the top deduction reasons);
- praised (表扬): every unit that scored at least 100 *and* earned credits, in rank order — a
  unit untouched at 100 earned nothing to praise, a unit below 100 is never praised;
- criticised (批评): the units in the last three places of the ranking (ties with the
  third-last included) that scored below 100, and every unit named by an open escalation to
  level 4 (an unresolved `task_overdue` or `milestone_overdue` alert at level 4: "named in
  the next bulletin"),
  with the tasks it is named for;
- overdue tasks: assigned tasks red on the period's last day (or today while the period
  runs): past due (a due date on a day off moves to the next working day) and not closed by
  then; each with the unit answering for it today (the lead unit's final successor);
- notices: the supervision notices issued in the period, with the addressed unit as issued
  and whether it has been answered (as of drafting);
- only a draft is edited or published; publishing stamps the day, the time and the user.
Services flush, the view commits; every change is recorded in the audit log.
"""

from datetime import date, timedelta

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import Role
from tracker.audit import record
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.common.numbering import add_numbered
from tracker.extensions import db
from tracker.plans.lights import RED, task_light
from tracker.plans.models import Plan, Task, TaskStatus
from tracker.scoring import rules
from tracker.scoring.bulletins.ranking import rank_by_category
from tracker.scoring.bulletins.word import bulletin_title, draft_body
from tracker.scoring.exports import period_label
from tracker.scoring.facts import utc_start
from tracker.scoring.models import Bulletin, BulletinState, Scorecard
from tracker.scoring.standings import number, period_scores
from tracker.supervision.models import Alert, SupervisionNotice
from tracker.timeutil import utcnow
from tracker.units.rules import final_successor
from tracker.units.services import category_map, successor_map_and_names

TOP_REASONS = 3
BOTTOM_PLACES = 3
PRAISE_FROM = 100
NAMED_LEVEL = 4
TITLE_MAX = 300
BODY_MAX = 20000

# ---------------------------------------------------------------- rules (pure)


def bulletin_number(year: int, seq: int) -> str:
    """督查通报〔2026〕3号: the official number of the year's seq-th bulletin."""
    return f"督查通报〔{year}〕{seq}号"


def top_reasons(by_rule, limit: int = TOP_REASONS) -> list[dict]:
    """The largest deductions by rule: [(rule, count, total)] → the `limit` most negative."""
    rows = [(code, n, total) for code, n, total in by_rule if total < 0]
    rows.sort(key=lambda row: row[2])  # stable: equal totals keep the rules' order
    return [{"rule": code, "count": n, "amount": number(total)} for code, n, total in rows[:limit]]


def praised_units(ranking: list[dict]) -> list[dict]:
    """Units that scored at least 100 and earned credits, in rank order."""
    return [
        {k: r[k] for k in ("unit_id", "unit", "rank", "score", "credits")}
        for r in ranking
        if r["score"] >= PRAISE_FROM and r["credits"] > 0
    ]


def criticised_units(ranking: list[dict], named: dict[int, dict]) -> list[dict]:
    """The last three places scoring below 100 (ties with the third-last included), then
    the units named by a level-4 escalation; `named` is {unit id: {"unit", "tasks"}}."""
    bottom: set[int] = set()
    if ranking:
        threshold = ranking[max(len(ranking) - BOTTOM_PLACES, 0)]["rank"]
        bottom = {r["unit_id"] for r in ranking if r["rank"] >= threshold and r["score"] < 100}

    def entry(row: dict, tasks: list) -> dict:
        keep = {k: row[k] for k in ("unit_id", "unit", "rank", "score")}
        return {**keep, "bottom": row["unit_id"] in bottom, "named_tasks": tasks}

    result = [
        entry(r, named.get(r["unit_id"], {}).get("tasks", []))
        for r in ranking
        if r["unit_id"] in bottom or r["unit_id"] in named
    ]
    ranked = {r["unit_id"] for r in ranking}
    for unit_id, unit in named.items():  # named, but without a scorecard in the period
        if unit_id not in ranked:
            row = {"unit_id": unit_id, "unit": unit["unit"], "rank": None, "score": None}
            result.append(entry(row, unit["tasks"]))
    return result


def check_change(state: str) -> str | None:
    """Only a draft is edited or published."""
    return "published" if state != BulletinState.DRAFT.value else None


# ---------------------------------------------------------------- figures


def _task_ref(task: Task, doc_number: str | None, plan_title: str) -> dict:
    """A task as the figures name it: its plan's number (or title), number and title."""
    plan = doc_number or plan_title
    return {"task_id": task.id, "plan": plan, "number": task.number, "title": task.title}


def _overdue_tasks(as_of: date, successor_of, names) -> list[dict]:
    """Assigned tasks red on `as_of`, with the unit answering for each today. Two
    statements (the tasks, the calendar)."""
    opened_after = utc_start(as_of + timedelta(days=1))
    closed_by_then = and_(
        Task.status == TaskStatus.CLOSED.value,
        or_(Task.closed_at.is_(None), Task.closed_at < opened_after),
    )
    rows = db.session.execute(
        select(Task, Plan.doc_number, Plan.title)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Task.status != TaskStatus.PENDING.value, Task.due_date < as_of, not_(closed_by_then))
        .order_by(Task.plan_id, Task.number)
    ).all()
    calendar = load_calendar()
    result = []
    for task, doc_number, plan_title in rows:
        if task_light(TaskStatus.IN_PROGRESS.value, task.due_date, as_of, calendar) != RED:
            continue
        unit_id = final_successor(task.lead_unit_id, successor_of)
        due = task.due_date.isoformat()
        unit = {"unit_id": unit_id, "unit": names.get(unit_id, "")}
        result.append({**_task_ref(task, doc_number, plan_title), "due_date": due, **unit})
    return result


# the escalations that name a unit in the next bulletin (a missed milestone is overdue work)
NAMED_KINDS = ("task_overdue", "milestone_overdue")


def _named_units(successor_of, names) -> dict[int, dict]:
    """{unit id: {"unit", "tasks"}} for the open level-4 escalations of overdue tasks and
    missed milestones (the task named once)."""
    rows = db.session.execute(
        select(Alert.unit_id, Task, Plan.doc_number, Plan.title)
        .join(Task, Task.id == Alert.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Alert.kind.in_(NAMED_KINDS), Alert.level >= NAMED_LEVEL)
        .where(Alert.resolved_at.is_(None))
        .order_by(Task.plan_id, Task.number, Alert.id)
    ).all()
    named: dict[int, dict] = {}
    for alert_unit_id, task, doc_number, plan_title in rows:
        unit_id = final_successor(alert_unit_id or task.lead_unit_id, successor_of)
        entry = named.setdefault(unit_id, {"unit": names.get(unit_id, ""), "tasks": []})
        if all(t["task_id"] != task.id for t in entry["tasks"]):
            entry["tasks"].append(_task_ref(task, doc_number, plan_title))
    return named


def _notices(period: rules.Period) -> list[dict]:
    """The notices issued in the period, with the addressed unit as issued."""
    rows = db.session.execute(
        select(SupervisionNotice, Task, Plan.doc_number, Plan.title)
        .join(Task, Task.id == SupervisionNotice.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(SupervisionNotice.issued_on.between(period.start, period.end))
        .options(joinedload(SupervisionNotice.unit))
        .order_by(SupervisionNotice.year, SupervisionNotice.seq)
    ).all()
    result = []
    for n, task, doc_number, plan_title in rows:
        ref = _task_ref(task, doc_number, plan_title)
        result.append(
            {
                "notice_id": n.id,
                "number": n.number,
                "unit_id": n.unit_id,
                "unit": n.unit.name,
                "task_id": task.id,
                "plan": ref["plan"],
                "task_number": task.number,
                "task_title": task.title,
                "issued_on": n.issued_on.isoformat(),
                "answer_due": n.answer_due.isoformat(),
                "answered": n.answered_at is not None,
                "state": n.state,
            }
        )
    return result


def build_figures(period: rules.Period, today: date) -> dict:
    """The snapshot a bulletin is drafted from (see the module's rules). Raises
    StepRefused when the period's scores are not all stored."""
    scores = period_scores(period, today)
    if not scores.computed:
        raise StepRefused("no_scores")
    if scores.missing:
        raise StepRefused("months_missing", months=", ".join(scores.missing))
    as_of = min(today, period.end)
    successor_of, names = successor_map_and_names()
    ranking, totals = [], {}
    for card in scores.cards:
        by_rule = card.by_rule()
        for code, n, total in by_rule:
            if total < 0:
                row = totals.setdefault(code, [0, 0])
                row[0] += n
                row[1] += total
        ranking.append(
            {
                "unit_id": card.unit.id,
                "unit": card.unit.name,
                "rank": card.rank,
                "score": number(card.score),
                "deductions": number(card.deductions),
                "credits": number(card.credits),
                "reasons": top_reasons(by_rule),
            }
        )
    named = _named_units(successor_of, names)
    overdue = _overdue_tasks(as_of, successor_of, names)
    notices = _notices(period)
    average = sum(card.score for card in scores.cards) / len(scores.cards) if scores.cards else 0
    return {
        "period": period.key,
        "kind": period.kind,
        "period_label": period_label(period),
        "as_of": as_of.isoformat(),
        "drafted_on": today.isoformat(),
        "computed_months": scores.computed,
        "computed_on": scores.computed_on.isoformat() if scores.computed_on else None,
        "rule_versions": scores.rule_versions,
        "summary": {
            "units": len(ranking),
            "average": number(round(average, 2)),
            "at_least_100": sum(1 for r in ranking if r["score"] >= 100),
            "below_100": sum(1 for r in ranking if r["score"] < 100),
            "overdue": len(overdue),
            "notices": len(notices),
            "notices_answered": sum(1 for n in notices if n["answered"]),
        },
        "deduction_totals": [
            {"rule": code, "count": n, "amount": number(total)}
            for code, (n, total) in sorted(totals.items(), key=lambda kv: kv[1][1])
        ],
        "ranking": ranking,
        "by_category": rank_by_category(ranking, category_map()),  # 分类考核 (issue 14)
        "praised": praised_units(ranking),
        "criticised": criticised_units(ranking, named),
        "overdue_tasks": overdue,
        "notices": notices,
    }


# ---------------------------------------------------------------- steps


def _max_seq(year: int) -> int | None:
    return db.session.scalar(select(func.max(Bulletin.seq)).where(Bulletin.year == year))


def draft(user, period_text: str, today: date) -> Bulletin:
    """The office drafts a bulletin for a period from the stored scores (see the rules)."""
    try:
        period = rules.parse_period(period_text)
    except ValueError:
        raise StepRefused("bad_bulletin_period") from None
    if period.start > today:
        raise StepRefused("period_not_begun")
    figures = build_figures(period, today)
    title = bulletin_title(period)
    body = draft_body(figures)
    year = today.year
    bulletin = add_numbered(
        lambda seq: Bulletin(
            period=period.key,
            year=year,
            seq=seq,
            number=bulletin_number(year, seq),
            title=title,
            body=body,
            figures=figures,
            state=BulletinState.DRAFT.value,
            created_by_id=user.id,
            created_at=utcnow(),
            updated_at=utcnow(),
        ),
        lambda: _max_seq(year),
    )
    record(
        "bulletin.drafted",
        bulletin,
        actor=user,
        detail={
            "number": bulletin.number,
            "period": period.key,
            "title": title,
            "units": len(figures["ranking"]),
        },
    )
    db.session.flush()
    return bulletin


def edit(bulletin: Bulletin, user, title: str, body: str) -> Bulletin:
    """The office changes the title and text of a draft."""
    if key := check_change(bulletin.state):
        raise StepRefused(key)
    title, body = title.strip(), body.strip()
    detail = {"number": bulletin.number}
    if title != bulletin.title:
        detail["title"] = {"from": bulletin.title, "to": title}
    if body != bulletin.body:
        detail["body"] = body
    bulletin.title, bulletin.body, bulletin.updated_at = title, body, utcnow()
    record("bulletin.edited", bulletin, actor=user, detail=detail)
    db.session.flush()
    return bulletin


def publish(bulletin: Bulletin, user, today: date) -> Bulletin:
    """The office publishes a draft: from now on it is read-only."""
    if key := check_change(bulletin.state):
        raise StepRefused(key)
    bulletin.state = BulletinState.PUBLISHED.value
    bulletin.published_on, bulletin.published_at = today, utcnow()
    bulletin.published_by_id = user.id
    bulletin.updated_at = bulletin.published_at
    record(
        "bulletin.published",
        bulletin,
        actor=user,
        detail={"number": bulletin.number, "published_on": today.isoformat()},
    )
    db.session.flush()
    return bulletin


# ---------------------------------------------------------------- reading


def can_read(user, bulletin: Bulletin) -> bool:
    """Office, leader and admin read every bulletin; a liaison only published ones."""
    return not user.has_role(Role.LIAISON) or bulletin.state == BulletinState.PUBLISHED.value


def load_bulletin(bulletin_id: int, *, for_update: bool = False) -> Bulletin | None:
    query = select(Bulletin).where(Bulletin.id == bulletin_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).one_or_none()


def bulletin_list(user) -> list[Bulletin]:
    """The bulletins the user may read, newest first: one statement."""
    query = select(Bulletin).order_by(Bulletin.year.desc(), Bulletin.seq.desc())
    if user.has_role(Role.LIAISON):
        query = query.where(Bulletin.state == BulletinState.PUBLISHED.value)
    return list(db.session.scalars(query).all())


def stored_months() -> list[str]:
    """The months with stored scorecards, newest first (a hint on the new-bulletin page).

    A skip scan (issue 13): from the newest month, each step asks the period index for the
    next older one — a few dozen index lookups, where DISTINCT read every scorecard (2,000
    units × 36 months at province scale)."""
    period = Scorecard.__table__.c.period
    months = select(func.max(period).label("period")).cte("stored_months", recursive=True)
    older = select(func.max(period)).where(period < months.c.period).scalar_subquery()
    months = months.union_all(select(older).where(months.c.period.is_not(None)))
    return list(
        db.session.scalars(
            select(months.c.period)
            .where(months.c.period.is_not(None))
            .order_by(months.c.period.desc())
        ).all()
    )
