"""Flask commands: `seed`, `export`, and each feature's own. Each command is one
transaction."""

import json
import sys
from contextlib import nullcontext

import click
from flask import Flask, current_app

from tracker.accounts.cli import register_accounts_cli
from tracker.backup.cli import register_backup_cli
from tracker.database import writing
from tracker.demo import (
    DEMO_PASSWORD,
    demo_seeding,
    ensure_demo_accounts,
    ensure_demo_reports,
    ensure_demo_scoring,
    ensure_demo_task_states,
    ensure_demo_workflow,
)
from tracker.extensions import db
from tracker.plans.document_cli import register_document_import_cli
from tracker.plans.export import export_plans
from tracker.plans.milestones.cli import register_pace_cli
from tracker.plans.seeding import SeedError, seed
from tracker.scheduler import register_scheduler_cli
from tracker.scoring.cli import register_scoring_cli
from tracker.scoring.services import ensure_default_rule_set
from tracker.supervision.cli import register_supervision_cli
from tracker.supervision.delivery.outbox import register_delivery_cli
from tracker.timeutil import today


def register_cli(app: Flask) -> None:
    register_supervision_cli(app)
    register_delivery_cli(app)
    register_scheduler_cli(app)
    register_accounts_cli(app)
    register_backup_cli(app)
    register_document_import_cli(app)
    register_pace_cli(app)

    @app.cli.command("seed")
    @click.option("--demo", is_flag=True, help="Also create demo accounts and demo history.")
    def seed_command(demo: bool) -> None:
        """Load the units and plans in seeds/ (idempotent)."""
        if demo and current_app.config["TRACKER_ENV"] == "production":
            raise click.ClickException(
                "seed --demo refuses to run with TRACKER_ENV=production (演示数据不得写入生产环境)."
            )
        try:
            # with --demo the plans are loaded at the demo history's first morning
            with writing(), demo_seeding(today()) if demo else nullcontext():
                result = seed()
                if ensure_default_rule_set():
                    result.count("created", "score_rule_set")
        except SeedError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"seed: created {result.created or 'nothing'}; updated {result.updated or 'nothing'}"
        )
        if demo:
            with writing():
                accounts = ensure_demo_accounts()
                states = ensure_demo_task_states()
                reports = ensure_demo_reports(today())
                workflow = ensure_demo_workflow(today())
                scoring = ensure_demo_scoring(today())
            click.echo(
                f"demo: {states} task states set, {reports} progress reports added, "
                f"{workflow} requests and instructions added, "
                f"{scoring} scoring events added"
            )
            click.echo(f"demo accounts (password {DEMO_PASSWORD}):")
            for username, role, unit in accounts:
                click.echo(f"  {username:<10} {role:<8} {unit}")
        db.session.commit()

    export = click.Group("export", help="Export data.")
    app.cli.add_command(export)

    register_scoring_cli(app, export)

    @export.command("json")
    def export_json() -> None:
        """Every plan, its sections and tasks, as JSON on stdout."""
        json.dump(export_plans(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
