"""The scheduler process (`flask --app wsgi scheduler run`) and its jobs.

It runs in its own process, never in web workers. Only one runs at a time: a PostgreSQL
advisory lock held on a dedicated connection, or a file lock on <instance>/scheduler.lock on
SQLite. Each job opens its own app context and commits once; errors are logged and the next
run catches up (every job is safe to run twice)."""

import json
import logging
import os
import signal
import sys
from datetime import date

import click
from flask import current_app

from tracker.database import refresh_statistics, writing
from tracker.extensions import db
from tracker.scoring.jobs import scores_job
from tracker.supervision.alerts.sweep import SweepResult, run_sweep
from tracker.supervision.cli import parse_date
from tracker.supervision.delivery.digests import build_leader_digests
from tracker.supervision.delivery.outbox import build_email_digests, process_outbox
from tracker.timeutil import LOCAL_TZ
from tracker.timeutil import today as clock_today

log = logging.getLogger(__name__)

ADVISORY_LOCK_ID = 0x7472_6163_6B65_72  # "tracker", the scheduler's PostgreSQL advisory lock


class SchedulerLocked(RuntimeError):
    """Another scheduler holds the lock."""


def acquire_scheduler_lock(app):
    """Hold the one-scheduler lock for the life of the process; return what holds it
    (keep a reference). Raise SchedulerLocked if another scheduler has it."""
    if db.engine.dialect.name == "postgresql":
        conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({ADVISORY_LOCK_ID})").scalar()
        if not got:
            conn.close()
            raise SchedulerLocked("PostgreSQL advisory lock")
        return conn
    import fcntl

    path = os.path.join(app.instance_path, "scheduler.lock")
    os.makedirs(app.instance_path, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - kept open for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise SchedulerLocked(path) from exc
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def sweep_job(app, today: date | None = None) -> SweepResult | None:
    """One scheduled run: its own app context and session; errors are logged, not raised,
    so the scheduler keeps going (the next run catches up)."""

    with app.app_context():
        try:
            result = run_sweep(today or clock_today())
            refresh_statistics(db.session)
        except Exception:
            log.exception("alert sweep failed")
            return None
        finally:
            db.session.remove()
    log.info("alert sweep %s: %s", result.today, result.as_json())
    return result


def outbox_job(app) -> None:
    """Send due e-mails and webhook messages (delivery.process_outbox)."""
    with app.app_context():
        try:
            process_outbox()
        except Exception:
            log.exception("outbox run failed")
        finally:
            db.session.remove()


def digest_job(app) -> None:
    """Queue today's e-mail digests (delivery.build_email_digests)."""
    with app.app_context():
        try:
            with writing():
                build_email_digests(clock_today())
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("e-mail digests failed")
        finally:
            db.session.remove()


def leader_digest_job(app, today: date | None = None) -> None:
    """Queue this week's leader digests (我分管的); runs daily, the digest goes out once a
    week on the first working day it runs (delivery.digests.build_leader_digests)."""
    with app.app_context():
        try:
            with writing():
                build_leader_digests(today or clock_today())
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("leader digests failed")
        finally:
            db.session.remove()


def build_scheduler(app, hour: int = 8, minute: int = 30):
    """The BlockingScheduler: the alert sweep every day at hour:minute Beijing time (it does
    nothing on days off), then the e-mail digests half an hour later, and the outbox every
    minute, and the scorecards of last month and this
    month a quarter of an hour after the sweep; missed runs are coalesced into one and never
    dropped as too late."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BlockingScheduler(
        timezone=LOCAL_TZ,
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    )
    scheduler.add_job(
        sweep_job,
        CronTrigger(hour=hour, minute=minute, timezone=LOCAL_TZ),
        args=[app],
        id="alert_sweep",
        replace_existing=True,
    )
    digest_minute = (hour * 60 + minute + 30) % (24 * 60)
    scheduler.add_job(
        digest_job,
        CronTrigger(hour=digest_minute // 60, minute=digest_minute % 60, timezone=LOCAL_TZ),
        args=[app],
        id="email_digests",
        replace_existing=True,
    )
    scheduler.add_job(
        outbox_job, IntervalTrigger(minutes=1), args=[app], id="outbox", replace_existing=True
    )
    scheduler.add_job(  # weekly in effect: once per week, on its first working day
        leader_digest_job,
        CronTrigger(hour=digest_minute // 60, minute=digest_minute % 60, timezone=LOCAL_TZ),
        args=[app],
        id="leader_digests",
        replace_existing=True,
    )

    scheduler.add_job(
        scores_job,
        CronTrigger(
            hour=(hour * 60 + minute + 15) // 60 % 24,
            minute=(hour * 60 + minute + 15) % 60,
            timezone=LOCAL_TZ,
        ),
        args=[app],
        id="scorecards",
        replace_existing=True,
    )
    return scheduler


def register_scheduler_cli(app) -> None:
    """`flask scheduler run`: the scheduler process."""
    scheduler_group = click.Group("scheduler", help="The scheduler process (alert sweeps).")
    app.cli.add_command(scheduler_group)

    @scheduler_group.command("run")
    @click.option(
        "--today",
        callback=parse_date,
        help="Date of the start-up sweep, YYYY-MM-DD (for tests and operators; the "
        "scheduled sweeps use the real date).",
    )
    @click.option("--hour", default=8, show_default=True, help="Daily sweep time, hour.")
    @click.option("--minute", default=30, show_default=True, help="Daily sweep time, minute.")
    def scheduler_run(today: date | None, hour: int, minute: int) -> None:
        """Run the scheduler in this process (one per deployment; never in web workers):
        a sweep now, then every day at HOUR:MINUTE Beijing time."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        application = current_app._get_current_object()
        try:
            lock = acquire_scheduler_lock(application)
        except SchedulerLocked as exc:
            click.echo(
                f"scheduler: another scheduler is already running ({exc}); exiting. "
                "Run exactly one `flask scheduler run` per deployment.",
                err=True,
            )
            sys.exit(3)
        db.session.remove()

        def stop(signum, _frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        click.echo(f"scheduler: lock held, daily sweep at {hour:02d}:{minute:02d} (Asia/Shanghai)")
        result = sweep_job(application, today)  # start-up sweep: catches up after downtime
        if result is not None:
            click.echo("scheduler: start-up sweep " + json.dumps(result.as_json()), err=False)
        sys.stdout.flush()
        scheduler = build_scheduler(application, hour, minute)
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            lock.close()
