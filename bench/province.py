"""A generated province (issue 13): units, users, plans of tasks, years of monthly reports.

    .venv/bin/python bench/province.py --scale tiny           # seconds: /tmp/province-tiny.db
    .venv/bin/python bench/province.py --scale full --reset   # the issue's figures
    .venv/bin/python bench/province.py --scale full --reset \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench

`full` is the issue's province: 2,000 units, 5,000 users, 20 plans of 1,000 tasks in
sections with co-units, 36 monthly periods of progress reports in every state (draft,
submitted, returned, accepted, late, missing), alerts at levels 1-4, notifications,
supervision notices, instructions, stored scorecards and a long audit history on some tasks.

The schema is built with the real migrations (flask_migrate.upgrade, as tests/conftest.py
does) on an EMPTY database: --reset deletes the SQLite file, or drops PostgreSQL's public
schema (never point it at a database you need). Rows go in through Core bulk inserts
(executemany; COPY on PostgreSQL) with explicit ids, filling only the columns named here, so
columns that other features add later (nullable or with a server default) do not matter.
Every user's password is PASSWORD (printed). Usernames: admin, office1…, leader1…, and
liaison<unit>-<n> for each unit's liaisons (see `usernames()`).

Longer than 450 lines on purpose: one generator, read top to bottom table by table, whose
rows depend on each other (reports make the alerts, alerts the notifications and notices,
missing and late reports the scorecards); split, it would pass a dozen lists around.
"""

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.calendar.rules import WorkingCalendar, report_due_date  # noqa: E402
from tracker.database import refresh_statistics  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.plans.milestones.pace import refresh_pace  # noqa: E402
from tracker.reports import rules as report_rules  # noqa: E402
from tracker.timeutil import local_date  # noqa: E402
from tracker.timeutil import today as beijing_today  # noqa: E402

PASSWORD = "province-pass-1"
DUE_DAY = 25  # settings.DEFAULTS["report_due_day"]
SCALES = {
    # units, liaisons per unit, office, leaders, plans, tasks per plan, sections per plan,
    # months, notifications per office user, per liaison, tasks with a long history, events each
    "tiny": dict(
        units=24,
        liaisons=2,
        office=3,
        leaders=3,
        plans=2,
        tasks=24,
        sections=3,
        months=6,
        office_notes=40,
        liaison_notes=3,
        long_tasks=2,
        long_events=120,
    ),
    "small": dict(
        units=200,
        liaisons=2,
        office=5,
        leaders=20,
        plans=5,
        tasks=200,
        sections=8,
        months=12,
        office_notes=2000,
        liaison_notes=10,
        long_tasks=10,
        long_events=1000,
    ),
    "full": dict(
        units=2000,
        liaisons=2,
        office=10,
        leaders=989,
        plans=20,
        tasks=1000,
        sections=10,
        months=36,
        office_notes=20000,
        liaison_notes=20,
        long_tasks=50,
        long_events=4000,
    ),
}
CHUNK = 20000


def clauses() -> list[str]:
    """Chinese clauses of the seed plans and documents (as bench/search_bench.py uses)."""
    sources = [*sorted((ROOT / "seeds" / "sources").glob("*.txt"))]
    texts = [path.read_text("utf-8") for path in sources]
    for path in sorted((ROOT / "seeds" / "plans").glob("*.json")):
        plan = json.loads(path.read_text("utf-8"))
        texts += [f"{t['title']}。{t['text']}" for s in plan["sections"] for t in s["tasks"]]
    found = {p.strip(" \t\u3000") for t in texts for p in re.split(r"[。；;！？\n，,：:]", t)}
    return sorted(c for c in found if 4 <= len(c) <= 40 and re.search(r"[\u4e00-\u9fff]{4}", c))


def usernames(scale: str) -> dict[str, str]:
    """One user of each role, for the load script (liaison of the first unit)."""
    return {"admin": "admin", "office": "office1", "leader": "leader1", "liaison": "liaison1-1"}


class Writer:
    """Buffered bulk inserts into db.metadata's tables, parents before children."""

    def __init__(self, conn):
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.order = [t.name for t in db.metadata.sorted_tables]
        self.counts: dict[str, int] = defaultdict(int)
        self.progress, self.reported = False, 0

    def add(self, name: str, row: dict) -> None:
        self.buffers[name].append(row)
        if len(self.buffers[name]) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for name in self.order:
            rows = self.buffers.pop(name, None)
            if rows:
                self._insert(name, rows)
                self.counts[name] += len(rows)
        total = sum(self.counts.values())
        if self.progress and total >= self.reported + 500_000:
            self.reported = total
            print(f"  … {total:,} rows", file=sys.stderr, flush=True)

    def _insert(self, name: str, rows: list[dict]) -> None:
        table = db.metadata.tables[name]
        if not self.pg:
            self.conn.execute(table.insert(), rows)
            return
        columns = list(rows[0])
        # COPY applies server defaults only: fill the Python-side ones SQLAlchemy would
        extra = {}
        for col in table.c:
            if col.name not in columns and col.default is not None:
                d = col.default
                extra[col.name] = d.arg(None) if d.is_callable else d.arg if d.is_scalar else None
        extra = {k: v for k, v in extra.items() if v is not None}
        if extra:
            rows = [{**row, **extra} for row in rows]
            columns = list(rows[0])
        json_cols = {c for c in columns if table.c[c].type.__class__.__name__ == "JSON"}
        cursor = self.conn.connection.driver_connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in json_cols else row[c] for c in columns])


def at(day: date, hour: int = 10) -> datetime:
    """A naive UTC moment on a Beijing day (UTC+8): 10:00 Beijing is 02:00 UTC."""
    return datetime.combine(day, dtime(hour)) - timedelta(hours=8)


def months_back(today: date, n: int) -> list[tuple[int, int]]:
    y, m, out = today.year, today.month, []
    for _ in range(n):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def level_for(days_open: int) -> int:
    """An escalation level by calendar days open (the sweep counts working days)."""
    return 1 if days_open < 3 else 2 if days_open < 10 else 3 if days_open < 20 else 4


def fill(conn, scale: str, today: date, seed: int = 13, progress: bool = False) -> dict[str, int]:
    s = SCALES[scale]
    rng = random.Random(seed)
    parts = clauses()
    cal = WorkingCalendar({})
    w = Writer(conn)
    w.progress = progress
    now = at(today, 9)

    # units and users
    n_units = s["units"]
    kinds = ["gov_dept", "party_dept", "institution", "zone_agency", "vertical"]
    for i in range(1, n_units + 1):
        w.add(
            "unit",
            {
                "id": i,
                "name": f"省测试单位{i}",
                "full_name": f"测试省测试单位第{i}局",
                "code": f"u{i:05d}",
                "kind": kinds[i % len(kinds)],
                "aliases": [],
            },
        )
    pw = generate_password_hash(PASSWORD)
    users, uid = [], 0

    def user(name, display, role, unit=None):
        nonlocal uid
        uid += 1
        users.append(uid)
        w.add(
            "user_account",
            {
                "id": uid,
                "username": name,
                "display_name": display,
                "role": role,
                "unit_id": unit,
                "password_hash": pw,
                "active": True,
                "is_demo": False,
                "session_nonce": f"n{uid}",
                "created_at": at(today - timedelta(days=1200)),
                "must_change_password": False,
            },
        )
        return uid

    admin = user("admin", "系统管理员", "admin")
    office = [user(f"office{i}", f"督查室{i}", "office") for i in range(1, s["office"] + 1)]
    leaders = [user(f"leader{i}", f"领导{i}", "leader") for i in range(1, s["leaders"] + 1)]
    liaison_of: dict[int, list[int]] = {}
    for u in range(1, n_units + 1):
        liaison_of[u] = [
            user(f"liaison{u}-{k}", f"联络员{u}-{k}", "liaison", u)
            for k in range(1, s["liaisons"] + 1)
        ]

    # reporting periods
    periods = []  # (id, year, month, due_date)
    for pid, (y, m) in enumerate(months_back(today, s["months"]), start=1):
        due = report_due_date(cal, y, m, DUE_DAY)
        periods.append((pid, y, m, due))
        w.add(
            "reporting_period",
            {
                "id": pid,
                "year": y,
                "month": m,
                "due_day": DUE_DAY,
                "due_date": due,
                "created_at": at(date(y, m, 1)),
            },
        )
    first_day = date(periods[0][1], periods[0][2], 1)

    # plans, sections, tasks, co-units, assignments
    task_rows, tid, sid = [], 0, 0
    for p in range(1, s["plans"] + 1):
        # plans start staggered over the first half of the window
        start = first_day + timedelta(days=(p - 1) * 15 * s["months"] // max(1, s["plans"]))
        w.add(
            "plan",
            {
                "id": p,
                "key": f"province-{p}",
                "doc_number": f"省发〔{start.year}〕{p}号",
                "title": f"省测试规划{p}：{rng.choice(parts)}",
                "issuer": "省人民政府",
                "issued_on": start,
                "phases": [],
                "kind": "policy_document",
            },
        )
        sections = []
        for n in range(1, s["sections"] + 1):
            sid += 1
            sections.append(sid)
            w.add(
                "section",
                {
                    "id": sid,
                    "plan_id": p,
                    "number": n,
                    "label": f"（{n}）",
                    "title": f"第{n}部分：{rng.choice(parts)}",
                },
            )
        for n in range(1, s["tasks"] + 1):
            tid += 1
            lead = rng.randint(1, n_units)
            co = rng.sample(
                [u for u in rng.sample(range(1, n_units + 1), 3) if u != lead],
                rng.choice([0, 1, 1, 2]),
            )
            roll = rng.random()
            status = (
                "pending"
                if roll < 0.04
                else "archived"
                if roll < 0.06
                else "closed"
                if roll < 0.22
                else "assigned"
                if roll < 0.42
                else "in_progress"
            )
            due = start + timedelta(days=rng.randint(180, 40 * 31))
            closed = None
            if status == "closed":
                closed = min(
                    today - timedelta(days=1), start + timedelta(days=rng.randint(60, 900))
                )
            w.add(
                "task",
                {
                    "id": tid,
                    "plan_id": p,
                    "section_id": sections[(n - 1) * len(sections) // s["tasks"]],
                    "number": n,
                    "title": rng.choice(parts),
                    "text": "，".join(rng.sample(parts, rng.randint(3, 7))) + "。",
                    "lead_unit_id": lead,
                    "due_date": due,
                    "status": status,
                    "closed_at": at(closed) if closed else None,
                },
            )
            for pos, unit in enumerate(co, start=1):
                w.add("task_co_unit", {"task_id": tid, "unit_id": unit, "position": pos})
            if status != "pending":
                for unit in [lead, *co]:
                    acked = rng.random() < 0.97
                    w.add(
                        "task_assignment",
                        {
                            "task_id": tid,
                            "unit_id": unit,
                            "is_lead": unit == lead,
                            "assigned_at": at(start),
                            "assigned_by_id": office[0],
                            "ack_due": start + timedelta(days=7),
                            "acknowledged_at": at(start + timedelta(days=2)) if acked else None,
                            "acknowledged_by_id": liaison_of[unit][0] if acked else None,
                        },
                    )
            task_rows.append((tid, status, start, due, closed, [lead, *co]))
    w.flush()

    # reports, their audit events, evidence, alerts
    rid = aid = eid = 0
    missing = defaultdict(int)  # (unit, period id) -> reports missing
    late = defaultdict(int)
    alerts_high = []  # (alert id, task id, unit id, kind) at levels 2-4, open
    current = periods[-1][0]

    def alert(kind, key, task, unit, period, due, opened, resolved=None):
        nonlocal aid
        aid += 1
        level = 1 if kind.endswith("due_soon") else level_for((today - opened).days)
        w.add(
            "alert",
            {
                "id": aid,
                "key": key,
                "kind": kind,
                "level": level,
                "task_id": task,
                "unit_id": unit,
                "period_id": period,
                "due_date": due,
                "subject_type": "report" if period else "task",
                "subject_id": None if period else task,
                "swept_on": today,
                "created_at": at(opened, 8),
                "resolved_at": resolved,
                "detail": {},
            },
        )
        if level >= 2 and resolved is None:
            alerts_high.append((aid, task, unit, kind))

    def event(action, task, actor, moment, detail):
        nonlocal eid
        eid += 1
        w.add(
            "audit_event",
            {
                "id": eid,
                "occurred_at": moment,
                "actor_id": actor,
                "actor_name": None,
                "action": action,
                "subject_type": "task",
                "subject_id": task,
                "detail": detail,
            },
        )

    for tid, status, start, tdue, closed, units in task_rows:
        if status in ("pending", "archived"):
            continue
        is_open = closed is None
        for pid, y, m, due in periods:
            if due < start or (closed and closed <= due):
                continue
            key = f"{y:04d}-{m:02d}"
            for unit in units:
                actor = liaison_of[unit][0]
                r = rng.random()
                if pid == current:
                    state = None if r < 0.5 else "draft" if r < 0.8 else "submitted"
                elif pid == current - 1:
                    state = (
                        None
                        if r < 0.1
                        else "draft"
                        if r < 0.15
                        else "returned"
                        if r < 0.2
                        else "submitted"
                        if r < 0.6
                        else "accepted"
                    )
                else:
                    state = (
                        None
                        if r < 0.08
                        else "draft"
                        if r < 0.11
                        else "returned"
                        if r < 0.13
                        else "submitted"
                        if r < 0.15
                        else "accepted"
                    )
                submitted = first = reviewed = None
                if state in ("submitted", "returned", "accepted"):
                    is_late = rng.random() < 0.12 and pid != current
                    first = at(
                        due
                        + timedelta(days=rng.randint(1, 20) if is_late else -rng.randint(0, 12)),
                        rng.randint(9, 17),
                    )
                    first = min(first, now - timedelta(hours=1))
                    submitted = first
                    if is_late:
                        late[(unit, pid)] += 1
                        alert(
                            "report_missing",
                            f"report_missing:task={tid}:unit={unit}:period={key}",
                            tid,
                            unit,
                            pid,
                            due,
                            due + timedelta(days=1),
                            first,
                        )
                    if state != "submitted":
                        reviewed = min(first + timedelta(days=rng.randint(1, 5)), now)
                if state is None or state == "draft":
                    if pid != current:
                        missing[(unit, pid)] += 1
                        if is_open:
                            alert(
                                "report_missing",
                                f"report_missing:task={tid}:unit={unit}:period={key}",
                                tid,
                                unit,
                                pid,
                                due,
                                due + timedelta(days=1),
                            )
                    elif is_open and (due - today).days <= 5:
                        alert(
                            "report_due_soon",
                            f"report_due_soon:task={tid}:unit={unit}:period={key}",
                            tid,
                            unit,
                            pid,
                            due,
                            today,
                        )
                if state is None:
                    continue
                rid += 1
                first_late = first is not None and report_rules.is_late(local_date(first), due)
                created = at(date(y, m, 1) + timedelta(days=rng.randint(0, 20)), 11)
                created = min(created, now - timedelta(hours=2))
                w.add(
                    "progress_report",
                    {
                        "id": rid,
                        "task_id": tid,
                        "unit_id": unit,
                        "period_id": pid,
                        "revision": 1,
                        "state": state,
                        "version": 2 if reviewed else 1,
                        "progress": "，".join(rng.sample(parts, 3)) + "。",
                        "percent": min(100, (pid * 3 + tid) % 100),
                        "problems": rng.choice(parts),
                        "next_steps": rng.choice(parts),
                        "unchanged": False,
                        "created_at": created,
                        "updated_at": reviewed or submitted or created,
                        "updated_by_id": actor,
                        "submitted_at": submitted,
                        "submitted_by_id": actor if submitted else None,
                        "first_submitted_at": first,
                        # what reports.services.mark_submitted stores for the review queue
                        "first_filed_at": first,
                        "first_late": first_late,
                        "reviewed_at": reviewed,
                        "reviewed_by_id": office[rid % len(office)] if reviewed else None,
                        "return_reason": "请补充具体数据。" if state == "returned" else None,
                        "quality": rng.choice(["good", "fair", "poor", None])
                        if state == "accepted"
                        else None,
                    },
                )
                detail = {"report_id": rid, "period": key}
                event("report.saved", tid, actor, created, detail)
                if submitted:
                    event("report.submitted", tid, actor, submitted, detail)
                    if rng.random() < 0.05:
                        w.add(
                            "attachment",
                            {
                                "report_id": rid,
                                "original_name": f"佐证{rid}.pdf",
                                "stored_name": f"{rid:032x}",
                                "content_type": "application/pdf",
                                "size": 20000 + rid % 5000,
                                "sha256": f"{rid:064x}",
                                "uploaded_by_id": actor,
                                "uploaded_at": submitted,
                            },
                        )
                if reviewed:
                    action = "report.accepted" if state == "accepted" else "report.returned"
                    event(action, tid, office[0], reviewed, detail)
        # the task's own alerts
        if is_open and tdue:
            days = (tdue - today).days
            if days < 0:
                alert(
                    "task_overdue",
                    f"task_overdue:task={tid}:due={tdue.isoformat()}",
                    tid,
                    units[0],
                    None,
                    tdue,
                    tdue + timedelta(days=1),
                )
            elif days <= 7:
                alert(
                    "task_due_soon",
                    f"task_due_soon:task={tid}:due={tdue.isoformat()}",
                    tid,
                    units[0],
                    None,
                    tdue,
                    today,
                )
    # long histories: a few tasks saved over and over
    for tid, _status, start, *_ in task_rows[: s["long_tasks"]]:
        for k in range(s["long_events"]):
            moment = at(start) + timedelta(minutes=k * 37)
            event("report.saved", tid, admin, min(moment, now), {"period": "draft", "n": k})
    w.flush()

    # notifications: the office hears of every open alert at levels 2-4, units of their own
    nid = 0
    for user_id in office:
        for k in range(s["office_notes"]):
            if not alerts_high:
                break
            a_id, tid, unit, kind = alerts_high[(k * 7 + user_id) % len(alerts_high)]
            nid += 1
            w.add(
                "notification",
                {
                    "id": nid,
                    "user_id": user_id,
                    "alert_id": a_id,
                    "kind": kind,
                    "title": f"催办：任务{tid}",
                    "body": "",
                    "link": f"/tasks/{tid}",
                    "created_at": now - timedelta(minutes=k),
                    "read_at": None if k < 30 else now - timedelta(minutes=k - 1),
                },
            )
    by_unit = defaultdict(list)
    for a in alerts_high:
        by_unit[a[2]].append(a)
    for unit, people in liaison_of.items():
        for user_id in people:
            for k, (a_id, tid, _u, kind) in enumerate(by_unit[unit][: s["liaison_notes"]]):
                nid += 1
                w.add(
                    "notification",
                    {
                        "id": nid,
                        "user_id": user_id,
                        "alert_id": a_id,
                        "kind": kind,
                        "title": f"催办：任务{tid}",
                        "body": "",
                        "link": f"/tasks/{tid}",
                        "created_at": now - timedelta(hours=k),
                        "read_at": None if k < 3 else now,
                    },
                )

    # supervision notices (one in 20 high alerts) and leaders' instructions
    seq = defaultdict(int)
    for n, (_a, tid, unit, _kind) in enumerate(alerts_high[::20], start=1):
        issued = today - timedelta(days=n % 300)
        seq[issued.year] += 1
        answered = n % 2 == 0
        w.add(
            "supervision_notice",
            {
                "year": issued.year,
                "seq": seq[issued.year],
                "number": f"督办〔{issued.year}〕{seq[issued.year]}号",
                "task_id": tid,
                "unit_id": unit,
                "required_actions": "请于五个工作日内书面报告整改情况。",
                "issued_by_id": office[0],
                "issued_on": issued,
                "issued_at": at(issued),
                "answer_due": issued + timedelta(days=7),
                "answer": "已整改。" if answered else None,
                "answered_at": at(issued + timedelta(days=3)) if answered else None,
                "answered_by_id": liaison_of[unit][0] if answered else None,
                "state": "answered" if answered else "issued",
            },
        )
    open_tasks = [t for t in task_rows if t[4] is None and t[1] != "pending"]
    for n in range(len(task_rows) // 10):
        tid, *_rest, units = open_tasks[(n * 7919) % len(open_tasks)]
        written = today - timedelta(days=n % 400)
        answered = n % 3 != 0
        w.add(
            "instruction",
            {
                "task_id": tid,
                "author_id": leaders[n % len(leaders)],
                "text": f"请抓紧推进：{rng.choice(parts)}",
                "created_at": at(written),
                "answer_due": written + timedelta(days=10),
                "answer": "已落实。" if answered else None,
                "answered_at": at(written + timedelta(days=4)) if answered else None,
                "answered_by_id": liaison_of[units[0]][0] if answered else None,
                "answer_unit_id": units[0] if answered else None,
            },
        )

    # stored scorecards of every finished month (rule set version 1, from the migration)
    card = 0
    for pid, y, m, due in periods[:-1]:
        scores = []
        for unit in range(1, n_units + 1):
            ded = Decimal(2 * missing[(unit, pid)] + late[(unit, pid)])
            scores.append((Decimal(100) - ded, ded, unit))
        scores.sort(key=lambda x: (-x[0], x[2]))
        for rank, (score, ded, unit) in enumerate(scores, start=1):
            card += 1
            w.add(
                "scorecard",
                {
                    "id": card,
                    "period": f"{y:04d}-{m:02d}",
                    "unit_id": unit,
                    "score": score,
                    "deductions": ded,
                    "credits": Decimal(0),
                    "rank": rank,
                    "rule_set_version": 1,
                    "computed_on": due + timedelta(days=6),
                    "computed_at": at(due + timedelta(days=6), 2),
                },
            )
            entries = [("report_missing", 2)] * min(3, missing[(unit, pid)])
            entries += [("report_late", 1)] * min(2, late[(unit, pid)])
            for pos, (rule, amount) in enumerate(entries):
                w.add(
                    "score_entry",
                    {
                        "scorecard_id": card,
                        "position": pos,
                        "rule": rule,
                        "amount": Decimal(-amount),
                        "event_type": "report",
                        "event_id": card,
                        "event_date": due,
                        "note": "",
                    },
                )
    w.flush()
    return dict(w.counts)


def reset(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(url: str, scale: str, do_reset: bool = False, quiet: bool = False) -> dict:
    """Migrate an empty database at `url` and fill it; returns row counts and timings."""
    if do_reset:
        reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "province", "TESTING": True})
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        migrated = time.perf_counter()
        with db.engine.begin() as conn:
            counts = fill(conn, scale, beijing_today(), progress=not quiet)
            if conn.dialect.name == "postgresql":
                for table in db.metadata.sorted_tables:
                    if "id" in table.c and table.c.id.autoincrement:
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                            )
                        )
        refresh_pace(beijing_today())  # each open task's pace (task_pace), as the sweep keeps it
        db.session.commit()
        filled = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:  # the statistics the daily job keeps (tracker.database.refresh_statistics)
            refresh_statistics(db.session)
        db.engine.dispose()
    out = {
        "url": url,
        "scale": scale,
        "counts": counts,
        "migrate_s": round(migrated - started, 1),
        "fill_s": round(filled - migrated, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
    if not quiet:
        for name, n in sorted(counts.items()):
            print(f"  {name:22} {n:>10,}")
        print(
            f"migrated in {out['migrate_s']} s, filled in {out['fill_s']} s, "
            f"total {out['total_s']} s: {url}"
        )
        print(f"every user's password: {PASSWORD}  (admin, office1, leader1, liaison1-1, …)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
    parser.add_argument("--url", help="database URL (default: /tmp/province-SCALE.db)")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete the SQLite file / drop PostgreSQL's public schema first",
    )
    args = parser.parse_args()
    url = args.url or f"sqlite:////tmp/province-{args.scale}.db"
    if url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists():
        if not args.reset:
            sys.exit(f"{url} exists: pass --reset to replace it")
    build(url, args.scale, args.reset)


if __name__ == "__main__":
    main()
