"""`flask --app wsgi import document FILE [--dry-run] [--json]` (issue 11).

Reads the document as the office's upload does and proposes its plans. `--json` prints the
proposal in the shape of `flask export json`, plus each task's source span (offsets into the
normalised text, also printed). Without `--dry-run` it writes the plans exactly as confirming
the preview would (tracker.plans.document_import.confirm), creating every unit the document
names that the app does not know yet; tasks without a lead unit stop the import (the office
assigns them in the preview). `--dry-run` only reads: nothing is written.
"""

import json
import sys
from io import BytesIO
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from werkzeug.datastructures import FileStorage

from tracker.common.errors import StepRefused
from tracker.database import writing
from tracker.extensions import db
from tracker.plans import document_import
from tracker.plans.excel_import import CREATE, known_units
from tracker.plans.importing import ImportRefused, propose, read_document
from tracker.plans.importing import draft as drafts
from tracker.timeutil import today


def register_document_import_cli(app: Flask) -> None:
    group = AppGroup("import", help="Import data.")
    app.cli.add_command(group)

    @group.command("document")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
    def import_document(file: Path, dry_run: bool, as_json: bool) -> None:
        """Propose the plans, sections and tasks of a policy document and import them."""
        data = file.read_bytes()
        try:
            text = read_document(file.name, data)
        except ImportRefused as refused:
            raise click.ClickException(refused.message) from None
        proposal = propose(text, known_units())
        if as_json:
            json.dump(
                {**proposal.as_json(), "text": proposal.text},
                sys.stdout,
                ensure_ascii=False,
                indent=2,
            )
            sys.stdout.write("\n")
        draft = drafts.from_proposal({**proposal.as_json(), "text": proposal.text})
        document_import.learn_units(draft)
        if not as_json:
            _summary(draft)
        if dry_run:
            db.session.rollback()
            if not as_json:
                click.echo("dry run: nothing written")
            return
        missing = [p for p in drafts.problems(draft) if p[0] == "no_lead"]
        if missing:
            numbers = ", ".join(where for _key, where in missing[:10])
            raise click.ClickException(
                f"{len(missing)} tasks have no lead unit (tasks {numbers}…): "
                "import the document in the preview and assign them"
            )
        draft["choices"] = {name: CREATE for name in document_import.new_unit_names(draft)}
        try:
            with writing():
                original = _original(file, data, text)
                done = document_import.confirm(
                    draft, None, today=today(), original=original, filename=file.name
                )
                db.session.commit()
        except (document_import.DocumentImportRefused, StepRefused) as refused:
            db.session.rollback()
            raise click.ClickException(f"nothing imported: {refused.key}") from None
        for plan, result in done:
            click.echo(
                f"{result}: {plan.doc_number or ''} {plan.title} (plan {plan.id})", err=as_json
            )


def _original(file: Path, data: bytes, text: str):
    """The file to keep with the plan; a .txt that is not UTF-8 is kept as UTF-8 text."""
    if file.suffix.lower() == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = text.encode("utf-8")
    return FileStorage(BytesIO(data), filename=file.name)


def _summary(draft: dict) -> None:
    for plan in draft["plans"]:
        existing = document_import.existing_plan(plan.get("doc_number"), plan.get("title"))
        click.echo(
            f"plan: {plan.get('doc_number') or '—'} {plan.get('title')}"
            f" ({len(plan['sections'])} sections, {len(plan['tasks'])} tasks)"
            + (f" — updates plan {existing.id}" if existing else "")
        )
        no_lead = sum(1 for t in plan["tasks"] if not t["lead"])
        if no_lead:
            click.echo(f"  {no_lead} tasks without a lead unit")
    new = document_import.new_unit_names(draft)
    if new:
        click.echo(f"new units ({len(new)}): {'、'.join(new)}")
