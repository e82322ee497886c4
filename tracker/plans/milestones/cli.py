"""`flask pace refresh`: fill `task_pace` at once (the daily alert sweep keeps it after)."""

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.database import writing
from tracker.extensions import db
from tracker.plans.milestones.pace import refresh_pace
from tracker.timeutil import today


def register_pace_cli(app: Flask) -> None:
    group = AppGroup("pace", help="Pace (序时进度) of open tasks.")
    app.cli.add_command(group)

    @group.command("refresh")
    @click.option("--day", help="The day to judge the pace on (YYYY-MM-DD); today by default.")
    def refresh_command(day: str | None) -> None:
        """Compute and store every open task's expected and reported percent (task_pace):
        after the upgrade that adds the table, before the first sweep."""
        on = date.fromisoformat(day) if day else today()
        with writing():
            written = refresh_pace(on)
            db.session.commit()
        click.echo(f"pace of {written} open tasks stored ({on.isoformat()})")
