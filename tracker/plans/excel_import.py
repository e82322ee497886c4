"""Importing a responsibility list or a task ledger from Excel: keep the upload, preview it,
write it.

- The uploaded file waits between preview and confirm in `<instance>/imports/` under a
  generated name (32 hex digits), beside a small JSON file naming the user who uploaded it,
  the target plan and the time; only that user may preview or confirm it, and it expires
  after two hours (expired files are swept at the next upload). Nothing is kept in the
  session cookie.
- The preview and the confirm read the same file with the same rules
  (tracker.plans.excel_rules); the confirm writes the plan, its sections, the units the
  office chose to create and every task in one transaction, or nothing.
"""

import json
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from tracker.audit import record
from tracker.extensions import db
from tracker.plans.excel_rules import (
    MAX_ROWS,
    TEMPLATE_COLUMNS,
    SheetCheck,
    check_rows,
    find_header,
    task_numbers,
)
from tracker.plans.importing.dates import plan_year
from tracker.plans.importing.units import KnownUnit, normalise_unit_name
from tracker.plans.milestones.models import EXCEL
from tracker.plans.milestones.services import add_proposed_milestones
from tracker.plans.models import Plan, PlanKind, Section, Task, TaskCoUnit, TaskStatus
from tracker.units.models import Unit, UnitKind

TOKEN = re.compile(r"^[0-9a-f]{32}$")
LIFETIME = timedelta(hours=2)
MAX_BYTES = 10 << 20
MAX_COLUMNS = 40
DEFAULT_SECTION = "任务清单"  # rows without a 部分 column: one section, named as documents do
CREATE = "new"  # the unit choice "create this unit"


class ImportRefused(Exception):
    """A file or a request the import cannot take; `key` names the message (views)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass
class Upload:
    token: str
    user_id: int
    filename: str
    created: datetime
    target: dict  # {"plan_id": id} or {"new": {title, doc_number, issuer, kind}}

    @property
    def plan_id(self) -> int | None:
        return self.target.get("plan_id")


def imports_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _now() -> datetime:
    return datetime.now(UTC)


def sweep_expired(now: datetime | None = None) -> int:
    """Delete uploads older than LIFETIME; returns how many were removed."""
    now = now or _now()
    removed = 0
    for meta in imports_dir().glob("*.json"):
        try:
            created = datetime.fromisoformat(json.loads(meta.read_text())["created"])
        except (OSError, ValueError, KeyError, TypeError):
            created = now - LIFETIME - timedelta(seconds=1)
        if now - created > LIFETIME:
            discard(meta.stem)
            removed += 1
    return removed


def save_upload(file_storage, user_id: int, target: dict) -> Upload:
    """Check the upload is an .xlsx workbook of reasonable size and keep it. Raises
    ImportRefused("not_xlsx" | "too_large" | "empty")."""
    sweep_expired()
    filename = (file_storage.filename or "").strip()
    if not filename.lower().endswith(".xlsx"):
        raise ImportRefused("not_xlsx")
    data = file_storage.stream.read(MAX_BYTES + 1)
    if not data:
        raise ImportRefused("empty")
    if len(data) > MAX_BYTES:
        raise ImportRefused("too_large")
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused("not_xlsx")
    token = secrets.token_hex(16)
    path = imports_dir() / f"{token}.xlsx"
    path.write_bytes(data)
    upload = Upload(token, user_id, filename[-200:], _now(), target)
    try:
        read_sheet(path)
    except ImportRefused:
        path.unlink(missing_ok=True)
        raise
    (imports_dir() / f"{token}.json").write_text(
        json.dumps(
            {
                "user_id": user_id,
                "filename": upload.filename,
                "created": upload.created.isoformat(),
                "target": target,
            },
            ensure_ascii=False,
        )
    )
    return upload


def load_upload(token: str, user_id: int, data_suffix: str = ".xlsx") -> Upload | None:
    """The user's own upload, unless it expired (then it is deleted) or never existed.
    `data_suffix` names the kept file (the document importer keeps a `.draft`)."""
    if not TOKEN.match(token or ""):
        return None
    meta = imports_dir() / f"{token}.json"
    try:
        data = json.loads(meta.read_text())
        created = datetime.fromisoformat(data["created"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("user_id") != user_id:
        return None
    if _now() - created > LIFETIME or not (imports_dir() / f"{token}{data_suffix}").exists():
        discard(token)
        return None
    return Upload(token, user_id, data.get("filename", ""), created, data.get("target") or {})


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        for path in imports_dir().glob(f"{token}.*"):  # the file(s) kept and their .json
            path.unlink(missing_ok=True)


def read_sheet(path: Path) -> list[tuple]:
    """The values of the first sheet that has a header row (else the first sheet), as
    tuples; at most MAX_ROWS rows past the header and MAX_COLUMNS columns. openpyxl loads
    lxml, so it is imported only here: a web worker serving ordinary pages never loads it."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportRefused("not_xlsx") from None
    except Exception:  # openpyxl raises many kinds on a damaged file; none may become a 500
        raise ImportRefused("not_xlsx") from None
    try:
        first = None
        for ws in wb.worksheets:
            rows = [
                tuple(row)
                for row in ws.iter_rows(
                    max_row=MAX_ROWS + 12, max_col=MAX_COLUMNS, values_only=True
                )
            ]
            if first is None:
                first = rows
            if find_header(rows):
                return rows
        return first or []
    except Exception:
        raise ImportRefused("not_xlsx") from None
    finally:
        wb.close()


def known_units() -> list[KnownUnit]:
    """Every unit as the importer's matcher knows them: name, aliases, successor's name."""
    units = db.session.scalars(select(Unit)).all()
    names = {u.id: u.name for u in units}
    return [KnownUnit(u.name, tuple(u.aliases or ()), names.get(u.successor_id)) for u in units]


def preview(upload: Upload) -> tuple[SheetCheck, Plan | None]:
    """The checked rows of an upload and the existing plan it goes into (if any)."""
    plan = db.session.get(Plan, upload.plan_id) if upload.plan_id else None
    if upload.plan_id and plan is None:
        raise ImportRefused("plan_gone")
    if plan is not None:
        year = plan_year(plan.title, plan.issued_on)
        titles = frozenset(db.session.scalars(select(Task.title).where(Task.plan_id == plan.id)))
    else:
        year = plan_year(upload.target["new"]["title"], None)
        titles = frozenset()
    rows = read_sheet(imports_dir() / f"{upload.token}.xlsx")
    return check_rows(rows, known_units(), plan_year=year, existing_titles=titles), plan


def plan_exists(doc_number: str | None, title: str) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Plan)
            .where(Plan.title == title, Plan.doc_number == (doc_number or None))
        )
    )


def _unit_code(taken: set[str]) -> str:
    """A free code of the unit form's shape (lowercase letters): impa, impb … impaa."""
    n = 0
    while True:
        letters, k = "", n
        while True:
            letters = chr(97 + k % 26) + letters
            k = k // 26 - 1
            if k < 0:
                break
        code = f"imp{letters}"
        if code not in taken:
            taken.add(code)
            return code
        n += 1


def _resolve_units(check: SheetCheck, choices: dict[str, str]) -> dict[str, Unit]:
    """{written name: Unit} for every name of the sheet: known units as matched; unknown
    ones as the office chose (an existing unit, which learns the name as an alias, or a new
    unit). Raises ImportRefused("units_unresolved") if a name has no choice."""
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    by_id = {u.id: u for u in units.values()}
    taken = {u.code for u in units.values()}
    resolved: dict[str, Unit] = {}
    for written, choice in check.units.items():
        if choice.name is not None:
            resolved[written] = units[choice.name]
            continue
        picked = choices.get(written, "")
        if picked == CREATE:
            name = normalise_unit_name(written)[:100]
            unit = units.get(name)
            if unit is None:
                unit = Unit(
                    name=name, code=_unit_code(taken), kind=UnitKind.GOV_DEPT.value, aliases=[]
                )
                db.session.add(unit)
                units[name] = unit
                record("unit.created", subject_type="unit", detail={"name": name, "via": "import"})
            resolved[written] = unit
        elif picked.isdecimal() and int(picked) in by_id:
            unit = by_id[int(picked)]
            if written not in (unit.aliases or []) and written != unit.name:
                unit.aliases = [*(unit.aliases or []), written]
            resolved[written] = unit
        else:
            raise ImportRefused("units_unresolved")
    db.session.flush()
    return resolved


def _sections(plan: Plan, check: SheetCheck) -> dict[tuple[str, str] | None, Section]:
    """The section of every row: an existing one with the same label and title, else a new
    one after the plan's last; rows without 部分 go to one section "任务清单"."""
    existing = list(db.session.scalars(select(Section).where(Section.plan_id == plan.id)))
    by_key = {(s.label, s.title): s for s in existing}
    number = max((s.number for s in existing), default=0)
    found: dict[tuple[str, str] | None, Section] = {}
    for row in check.rows:
        key = row.section or ("", DEFAULT_SECTION)
        if key not in by_key:
            number += 1
            label, title = key
            section = Section(
                plan_id=plan.id,
                number=number,
                label=label[:32],
                title=title[:300] or DEFAULT_SECTION,
                path=label[:100] or None,
            )
            db.session.add(section)
            by_key[key] = section
        found[row.section] = by_key[key]
    db.session.flush()
    return found


def confirm(upload: Upload, choices: dict[str, str]) -> Plan:
    """Write the upload: the plan (new, or the existing one), sections, chosen units and
    every task, all flushed; the view commits once, then discards the upload. Raises
    ImportRefused when the file still has problems, a unit has no choice, or the new plan
    already exists."""
    check, plan = preview(upload)
    if check.blocking:
        raise ImportRefused("file_has_problems")
    if plan is None:
        new = upload.target["new"]
        if plan_exists(new.get("doc_number"), new["title"]):
            raise ImportRefused("plan_exists")
        plan = Plan(
            key=f"import-{upload.token[:16]}",
            doc_number=new.get("doc_number") or None,
            title=new["title"],
            issuer=new.get("issuer") or "",
            kind=new.get("kind") or PlanKind.POLICY_DOCUMENT.value,
            phases=[],
        )
        db.session.add(plan)
        db.session.flush()
        record("plan.imported", plan, detail={"file": upload.filename, "tasks": len(check.rows)})
    else:
        record(
            "plan.tasks_imported",
            plan,
            detail={"file": upload.filename, "tasks": len(check.rows)},
        )
    units = _resolve_units(check, choices)
    sections = _sections(plan, check)
    last = db.session.scalar(select(func.max(Task.number)).where(Task.plan_id == plan.id)) or 0
    for row, number in zip(check.rows, task_numbers(check.rows, last), strict=True):
        lead = units[row.lead]
        co_units: list[Unit] = []
        for name in row.co_units:
            unit = units[name]
            if unit is not lead and unit not in co_units:
                co_units.append(unit)
        text = row.text if not row.note else f"{row.text}\n备注:{row.note}"
        task = Task(
            plan_id=plan.id,
            section_id=sections[row.section].id,
            number=number,
            title=row.title,
            text=text,
            lead_unit_id=lead.id,
            due_date=row.due,
            due_phrase=row.due_phrase,
            status=TaskStatus.PENDING.value,
            source_ref=f"{upload.filename[:80]} 第{row.row}行",
        )
        task.co_unit_links = [
            TaskCoUnit(unit_id=u.id, position=i) for i, u in enumerate(co_units, start=1)
        ]
        db.session.add(task)
        db.session.flush()
        record("task.imported", task, detail={"row": row.row})
        add_proposed_milestones(task, row.milestones, source=EXCEL)
    return plan


def unit_menu() -> list[Unit]:
    """Units offered for an unknown name: current ones (no successor), by code."""
    return list(
        db.session.scalars(select(Unit).where(Unit.successor_id.is_(None)).order_by(Unit.code))
    )


__all__ = ["TEMPLATE_COLUMNS", "ImportRefused", "Upload", "confirm", "preview", "save_upload"]
