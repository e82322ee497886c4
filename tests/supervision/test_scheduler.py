"""The scheduler process (`flask scheduler run`): killed with SIGKILL in the middle of a
sweep and restarted, it leaves no duplicate and no missing alert; a second scheduler
started by mistake exits with a clear message while the first holds the lock."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.supervision.alerts.sweep import run_sweep
from tracker.supervision.models import Alert, Notification, OutboxMessage

MONDAY = date(2026, 11, 23)


def alert_set():
    db.session.expire_all()
    rows = db.session.scalars(select(Alert)).all()
    result = sorted((a.key, a.kind, a.level, a.resolved_at is None) for a in rows)
    db.session.commit()  # end the read: no open snapshot while the scheduler writes
    return result


def clear_alerts():
    db.session.execute(delete(Notification))
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(Alert))
    db.session.commit()


def set_task(task_id, status, due):
    db.session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(status=status, due_date=date.fromisoformat(due))
    )
    db.session.commit()


ROOT = Path(__file__).resolve().parents[2]


class Scheduler:
    """`python -m flask --app wsgi scheduler run` in a subprocess, its output in a queue."""

    def __init__(self, database_url, instance, *args, pause=None):
        env = dict(
            os.environ,
            TRACKER_DATABASE_URL=database_url,
            TRACKER_INSTANCE_PATH=str(instance),
            TRACKER_SECRET_KEY="scheduler-test",
            PYTHONUNBUFFERED="1",
        )
        env.pop("TRACKER_SWEEP_PAUSE_SECONDS", None)
        if pause:
            env["TRACKER_SWEEP_PAUSE_SECONDS"] = str(pause)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "scheduler",
                "run",
                "--today",
                MONDAY.isoformat(),
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not seen; output: {''.join(self.output)}")

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(60)  # a loaded CI machine: finishing a job takes time
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)


@pytest.fixture
def scheduled(app, world):
    ids = world["ids"]
    set_task(ids["own_task"], "in_progress", "2026-11-27")
    set_task(ids["other_task"], "assigned", "2020-12-31")
    set_task(ids["co_task"], "in_progress", "2026-11-24")
    db.session.remove()
    return ids


@pytest.fixture
def started():
    processes = []

    def start(*args, **kwargs):
        scheduler = Scheduler(*args, **kwargs)
        processes.append(scheduler)
        return scheduler

    yield start
    for scheduler in processes:
        scheduler.stop(signal.SIGKILL)


def test_sigkill_mid_sweep_then_restart_leaves_exactly_one_sweeps_alerts(
    scheduled, database_url, tmp_path, started
):
    instance = tmp_path / "scheduler-instance"
    first = started(database_url, instance, pause=60)
    first.wait_for("pausing")  # inside the sweep's transaction, before the commit
    first.stop(signal.SIGKILL)
    assert alert_set() == []  # nothing half-written

    for _attempt in range(5):  # PostgreSQL may take a moment to end the killed session
        second = started(database_url, instance)
        try:
            second.wait_for("start-up sweep")
            break
        except AssertionError:
            assert second.process.poll() == 3, "".join(second.output)
            time.sleep(1)
    else:
        pytest.fail("the restarted scheduler never got the lock")
    after_restart = alert_set()
    assert after_restart
    assert second.stop() == 0

    # a third start (the same day) adds nothing
    third = started(database_url, instance)
    line = third.wait_for("start-up sweep")
    assert '"total": 0' in line
    third.stop()
    assert alert_set() == after_restart

    clear_alerts()
    run_sweep(MONDAY)
    assert alert_set() == after_restart


def test_a_second_scheduler_exits_while_the_first_holds_the_lock(
    scheduled, database_url, tmp_path, started
):
    instance = tmp_path / "scheduler-instance"
    first = started(database_url, instance)
    first.wait_for("lock held")
    second = started(database_url, instance)
    assert second.process.wait(60) != 0
    second.wait_for("another scheduler is already running", timeout=5)
    assert first.process.poll() is None  # the first keeps running
    assert first.stop() == 0
    # once the first has stopped, a scheduler starts again
    third = started(database_url, instance)
    third.wait_for("lock held")


def test_scheduler_jobs_coalesce_and_never_expire(app):
    from tracker.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"alert_sweep", "email_digests", "outbox", "scorecards", "leader_digests"} <= set(jobs)
    assert str(jobs["scorecards"].trigger) == "cron[hour='8', minute='45']"
    defaults = scheduler._job_defaults  # applied to each job when the scheduler starts
    assert defaults["coalesce"] is True
    assert defaults["misfire_grace_time"] is None
    assert defaults["max_instances"] == 1
    assert str(jobs["alert_sweep"].trigger) == "cron[hour='8', minute='30']"
