"""`flask --app wsgi backup create|verify|restore FILE` and `backup maintenance on|off|status`."""

import time
from pathlib import Path

import click
from flask import Flask, current_app

from tracker.backup import archive, maintenance
from tracker.backup import database as dbpart
from tracker.backup.database import BackupError
from tracker.extensions import db


def _evidence_dir() -> Path:
    return Path(current_app.instance_path) / "evidence"


def _url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def register_backup_cli(app: Flask) -> None:
    group = click.Group("backup", help="Back up and restore the database and the evidence.")
    app.cli.add_command(group)

    @group.command("create")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def create_command(file: Path) -> None:
        """Write a consistent backup (database + evidence + manifest) to FILE, while the app
        keeps running."""
        try:
            result = archive.create(_url(), _evidence_dir(), file)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        manifest = result.manifest
        rows = sum(t["rows"] for t in manifest["tables"].values())
        click.echo(
            f"backup: {file} ({manifest['dialect']}, {len(manifest['tables'])} tables, "
            f"{rows} rows, {len(manifest['evidence'])} evidence files"
            + (f", {result.attempts} attempts" if result.attempts > 1 else "")
            + ")"
        )

    @group.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def verify_command(file: Path) -> None:
        """Check FILE: every member against the manifest, and the counts against each other."""
        try:
            manifest = archive.verify(file)
        except BackupError as exc:
            raise click.ClickException(f"verify failed: {exc}") from exc
        click.echo(
            f"verify: OK ({manifest['dialect']}, made {manifest['created_at']}, "
            f"{len(manifest['tables'])} tables, {len(manifest['evidence'])} evidence files)"
        )

    @group.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True, help="Overwrite an instance that has data.")
    @click.option("--wait", default=10.0, show_default=True, help="Seconds to wait for writers.")
    def restore_command(file: Path, replace: bool, wait: float) -> None:
        """Restore FILE into this instance. Refused unless maintenance mode is on (the app
        then answers 503 and writes nothing), the scheduler is stopped and no writer is busy."""
        instance = Path(current_app.instance_path)
        if not maintenance.is_on(instance):
            raise click.ClickException(
                "restore refused: the app may be writing. Turn maintenance mode on first "
                "(flask --app wsgi backup maintenance on) and stop the scheduler."
            )
        db.session.remove()
        db.engine.dispose()  # this process holds no connection during the restore
        url = _url()
        try:
            _wait_for_writers(url, instance, wait)
            manifest = archive.restore(file, url, _evidence_dir(), replace=replace)
        except BackupError as exc:
            raise click.ClickException(f"restore failed: {exc}") from exc
        click.echo(
            f"restore: OK, {len(manifest['tables'])} tables and "
            f"{len(manifest['evidence'])} evidence files identical to the backup of "
            f"{manifest['created_at']}. Check the site, then: "
            "flask --app wsgi backup maintenance off"
        )

    @group.command("maintenance")
    @click.argument("state", type=click.Choice(["on", "off", "status"]))
    @click.option("--reason", default="restore", help="Shown in `status`.")
    def maintenance_command(state: str, reason: str) -> None:
        """Maintenance mode: every page answers 503 while it is on."""
        instance = Path(current_app.instance_path)
        if state == "on":
            maintenance.turn_on(instance, reason)
        elif state == "off":
            maintenance.turn_off(instance)
        info = maintenance.status(instance)
        click.echo(
            f"maintenance: on since {info['since']} ({info['reason']})"
            if info
            else "maintenance: off"
        )


def _wait_for_writers(url: str, instance: Path, wait: float) -> None:
    """Requests that began before maintenance mode may still be finishing: wait for them."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if dbpart.dialect_of(url) == "postgresql":
                dbpart.pg_writers_idle(url)
            else:
                dbpart.sqlite_writers_idle(url, instance, max(wait, 0.1))
            return
        except BackupError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
