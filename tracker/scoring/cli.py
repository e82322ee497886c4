"""`flask scores compute`, `flask export scorecard` and `flask export ledger`."""

import json
import sys
from datetime import date

import click
from flask import Flask

from tracker.database import writing
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.scoring.exports import ledger_workbook, scorecard_workbook
from tracker.scoring.rules import parse_period
from tracker.scoring.services import compute_period
from tracker.scoring.standings import period_scores, period_state, scorecard_json
from tracker.timeutil import today


def _period_option(value: str):

    try:
        return parse_period(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: use YYYY-MM, YYYY-Qn or YYYY (e.g. 2026-10, 2026-Q4, 2026)"
        ) from None


def _today(value: str | None) -> date:

    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: use YYYY-MM-DD") from None


def register_scoring_cli(app: Flask, export: click.Group) -> None:
    scores = click.Group("scores", help="Scorecards: compute and store the ledger.")
    app.cli.add_command(scores)

    @scores.command("compute")
    @click.option("--period", "period_text", required=True, help="YYYY-MM, YYYY-Qn or YYYY")
    @click.option("--date", "on", default=None, help="Compute as on this day (YYYY-MM-DD).")
    def compute(period_text: str, on: str | None) -> None:
        """Compute and store the scorecards of every month of the period (one transaction),
        then print the ranking."""

        period = _period_option(period_text)
        today = _today(on)
        with writing():
            try:
                months = compute_period(period.key, today)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
        if not months:
            raise click.ClickException(f"{period.key} has not begun on {today}: nothing to score")
        scores = period_scores(period, today)
        click.echo(f"scores {period.key}: months {', '.join(months)} computed on {today}")
        for card in scores.cards:
            click.echo(
                f"  {card.rank:>3}  {card.score:>7}  {card.unit.name}  "
                f"({len(card.entries)} entries)"
            )

    @export.command("scorecard")
    @click.option("--period", "period_text", required=True, help="YYYY-MM, YYYY-Qn or YYYY")
    @click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json")
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False),
        default=None,
        help="File to write (xlsx needs one; json goes to stdout without).",
    )
    def export_scorecard(period_text: str, fmt: str, output: str | None) -> None:
        """The stored scorecard of a period as JSON (stdout) or Excel."""

        period = _period_option(period_text)
        # the JSON holds every entry; the workbook streams them itself (period_state only)
        scores = (period_scores if fmt == "json" else period_state)(period, today())
        if not scores.computed:
            raise click.ClickException(
                f"no scorecard stored for {period.key}: run `flask --app wsgi scores compute "
                f"--period {period.key}` first"
            )
        if fmt == "json":
            text = json.dumps(scorecard_json(scores), ensure_ascii=False, indent=2) + "\n"
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                sys.stdout.write(text)
            return
        if not output:
            raise click.BadParameter("--output is required for xlsx", param_hint="--output")

        with open(output, "wb") as fh:
            fh.write(scorecard_workbook(period))
        click.echo(f"wrote {output}")

    @export.command("ledger")
    @click.option("--plan", "plan_key", required=True, help="The plan's key, e.g. changfa-2017-29")
    @click.option("--output", "-o", type=click.Path(dir_okay=False), required=True)
    def export_ledger(plan_key: str, output: str) -> None:
        """A plan's task ledger (台账) as Excel, with today's lights and latest progress."""
        from sqlalchemy import select

        plan_id = db.session.scalar(select(Plan.id).where(Plan.key == plan_key))
        if plan_id is None:
            raise click.ClickException(f"no plan with the key {plan_key!r}")
        with open(output, "wb") as fh:
            fh.write(ledger_workbook(plan_id, today()))
        click.echo(f"wrote {output}")
