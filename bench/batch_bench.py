"""Batch-job timings at province scale (issue 13): the alert sweep, the monthly scorecard and
the unread-notification badge.

    .venv/bin/python bench/province.py --scale full --reset          # once: /tmp/province-full.db
    .venv/bin/python bench/batch_bench.py --url sqlite:////tmp/province-full.db
    .venv/bin/python bench/batch_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench

The jobs write (alerts, notifications, scorecards): a SQLite file is first copied to
/tmp/batch-bench.db and the copy is used (--in-place to skip the copy); a PostgreSQL
database is used as it is (build a fresh province first). Steps, each one transaction,
timed with its SQL statement count:

1. sweep, first run: the sweep the generated province has not had yet (it records alerts
   the generator did not know about and the day of the last sweep);
2. sweep, no change: the same day again — nothing to insert, nothing to resolve; then, on
   SQLite, the planner statistics' refresh the scheduler's job runs after it (ANALYZE of
   the tables that grew by 10 %: tracker.database.refresh_statistics);
3. sweep, next working day: one day passes (escalations, due-soon reminders, catch-up
   none);
4. scorecard: store_month of this month and of last month (the nightly job's work);
5. badge: the unread count of an office user and of a liaison (median of 50 runs).

With --generate SCALE the province is built first (bench/province.py). Figures go to
docs/performance.md ("Batch jobs") by hand; CI does not run this.
"""

import argparse
import json
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.accounts.models import Role, User  # noqa: E402
from tracker.calendar.services import load_calendar  # noqa: E402
from tracker.database import refresh_statistics  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.scoring import rules as scoring_rules  # noqa: E402
from tracker.scoring.services import store_month  # noqa: E402
from tracker.supervision.alerts.sweep import run_sweep  # noqa: E402
from tracker.supervision.models import Alert, Notification  # noqa: E402
from tracker.timeutil import today as beijing_today  # noqa: E402

COPY = "/tmp/batch-bench.db"


@contextmanager
def measured(name: str, out: dict):
    """Time the block and count its SQL statements into out[name]: wall seconds and this
    process's CPU seconds (SQLite runs in the process; on a loaded machine the CPU time is
    the steadier figure — PostgreSQL's own work is not in it)."""
    count = [0]

    def before(*_args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        event.remove(db.engine, "before_cursor_execute", before)
        out[name] = {"seconds": round(elapsed, 3), "cpu": round(cpu, 3), "statements": count[0]}
        print(
            f"  {name:32} {elapsed:8.3f} s  cpu {cpu:8.3f} s  {count[0]:6} statements", flush=True
        )


def sweep_steps(out: dict) -> None:
    calendar = load_calendar()
    day = calendar.next_workday(beijing_today())
    with measured("sweep: first run", out):
        first = run_sweep(day)
    out["sweep: first run"]["created"] = sum(first.created.values())
    with measured("sweep: no change", out):
        again = run_sweep(day)
    out["sweep: no change"]["created"] = sum(again.created.values())
    if db.engine.dialect.name == "sqlite":  # what the scheduler's job runs after the sweep
        with measured("statistics (SQLite)", out):
            analysed = refresh_statistics(db.session)
        out["statistics (SQLite)"]["analysed"] = analysed
    following = calendar.add_workdays(day, 1)
    with measured("sweep: next working day", out):
        nxt = run_sweep(following)
    out["sweep: next working day"].update(
        created=sum(nxt.created.values()), resolved=nxt.resolved, escalated=len(nxt.escalated_ids)
    )
    db.session.remove()


def scorecard_steps(out: dict) -> None:
    today = beijing_today()
    for label, month in (
        ("scorecard: this month", scoring_rules.month_key(today.year, today.month)),
        ("scorecard: last month", scoring_rules.last_month(today)),
    ):
        with measured(label, out):
            cards = store_month(month, today)
            db.session.commit()
        out[label]["units"] = len(cards)
    db.session.remove()


def badge_steps(out: dict) -> None:
    def busiest(role):
        return db.session.scalar(
            select(User.id)
            .join(Notification, Notification.user_id == User.id)
            .where(User.role == role)
            .group_by(User.id)
            .order_by(func.count().desc())
            .limit(1)
        )

    for role in (Role.OFFICE.value, Role.LIAISON.value):
        user_id = busiest(role)
        if user_id is None:
            continue
        query = (
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        times = []
        for _ in range(50):
            started = time.perf_counter()
            unread = db.session.scalar(query)
            times.append(time.perf_counter() - started)
        total = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        )
        label = f"badge: {role}"
        out[label] = {
            "seconds": round(statistics.median(times), 5),
            "unread": unread,
            "notifications": total,
        }
        print(
            f"  {label:32} {statistics.median(times) * 1000:8.2f} ms  ({unread} unread of {total})"
        )
    db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="sqlite:////tmp/province-full.db")
    parser.add_argument("--in-place", action="store_true", help="do not copy a SQLite file")
    parser.add_argument("--generate", choices=["tiny", "small", "full"])
    parser.add_argument("--only", choices=["sweep", "scorecard", "badge"], action="append")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-upgrade", action="store_true", help="do not migrate the database to the head first"
    )
    args = parser.parse_args()
    url = args.url
    if args.generate:
        from province import build  # bench/province.py, beside this file

        build(url, args.generate, do_reset=True)
    if url.startswith("sqlite:///") and not args.in_place:
        source = url.removeprefix("sqlite:///")
        for suffix in ("-wal", "-shm"):
            Path(COPY + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, COPY)
        if Path(source + "-wal").exists():
            shutil.copyfile(source + "-wal", COPY + "-wal")
        url = f"sqlite:///{COPY}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    out: dict = {"url": url}
    steps = {"sweep": sweep_steps, "scorecard": scorecard_steps, "badge": badge_steps}
    with app.app_context():
        if not args.no_upgrade:
            upgrade()  # indexes added since the province was generated
        print(f"{url}: {db.session.scalar(select(func.count()).select_from(Alert)):,} alerts")
        for name, step in steps.items():
            if not args.only or name in args.only:
                step(out)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
