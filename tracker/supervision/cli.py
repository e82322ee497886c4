"""`flask alerts run-once`: one alert sweep (the scheduler process is tracker/scheduler.py)."""

import json
from datetime import date

import click
from flask import Flask

from tracker.database import refresh_statistics
from tracker.extensions import db
from tracker.supervision.alerts.rules import KINDS
from tracker.supervision.alerts.sweep import run_sweep
from tracker.timeutil import today


def parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD") from exc


def register_supervision_cli(app: Flask) -> None:
    alerts_group = click.Group("alerts", help="Alerts (催办 / 预警).")
    app.cli.add_command(alerts_group)

    @alerts_group.command("run-once")
    @click.option("--date", "day", callback=parse_date, help="Sweep as of YYYY-MM-DD.")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def alerts_run_once(day: date | None, as_json: bool) -> None:
        """Run the alert sweep once (the scheduler's job) and print what it created."""
        result = run_sweep(day or today())
        refresh_statistics(db.session)  # as the scheduler's job does (SQLite's planner)
        data = result.as_json()
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
            return
        if result.already_swept:
            click.echo(f"{data['date']}: already swept up to {result.already_swept}; nothing done.")
            return
        if not result.working_day and not result.caught_up:
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
