"""`flask scheduler run` (the scheduler process) and `flask alerts run-once` (one sweep)."""

import json
import logging
import signal
import sys
from datetime import date

import click
from flask import Flask


def _parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD") from exc


def register_supervision_cli(app: Flask) -> None:
    scheduler_group = click.Group("scheduler", help="The scheduler process (alert sweeps).")
    alerts_group = click.Group("alerts", help="Alerts (催办 / 预警).")
    app.cli.add_command(scheduler_group)
    app.cli.add_command(alerts_group)

    @scheduler_group.command("run")
    @click.option(
        "--today",
        callback=_parse_date,
        help="Date of the start-up sweep, YYYY-MM-DD (for tests and operators; the "
        "scheduled sweeps use the real date).",
    )
    @click.option("--hour", default=8, show_default=True, help="Daily sweep time, hour.")
    @click.option("--minute", default=30, show_default=True, help="Daily sweep time, minute.")
    def scheduler_run(today: date | None, hour: int, minute: int) -> None:
        """Run the scheduler in this process (one per deployment; never in web workers):
        a sweep now, then every day at HOUR:MINUTE Beijing time."""
        from flask import current_app

        from tracker.extensions import db
        from tracker.supervision.alerts.sweep import (
            SchedulerLocked,
            acquire_scheduler_lock,
            build_scheduler,
            sweep_job,
        )

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

    @alerts_group.command("run-once")
    @click.option("--date", "day", callback=_parse_date, help="Sweep as of YYYY-MM-DD.")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def alerts_run_once(day: date | None, as_json: bool) -> None:
        """Run the alert sweep once (the scheduler's job) and print what it created."""
        from tracker.supervision.alerts.rules import KINDS
        from tracker.supervision.alerts.sweep import run_sweep
        from tracker.timeutil import today

        result = run_sweep(day or today())
        data = result.as_json()
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
            return
        if not result.working_day:
            click.echo(f"{data['date']}: not a working day; no alerts created.")
            return
        click.echo(f"{data['date']}: {data['total']} alerts created")
        for kind in KINDS:
            if data["created"][kind]:
                click.echo(f"  {kind}: {data['created'][kind]}")
        click.echo(
            f"  escalated: {len(result.escalated_ids)}, resolved: {result.resolved}, "
            f"reopened: {result.reopened}"
        )
