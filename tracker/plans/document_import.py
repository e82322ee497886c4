"""Importing a policy document (issue 11): keep the upload and the office's working copy
between the steps, and write it — the preview's confirm and `flask import document` call the
same `confirm`.

- The working copy (a draft, tracker.plans.importing.draft) and the original file wait in
  `<instance>/imports/` beside the small JSON file the Excel import writes (user, file name,
  time): only the user who uploaded may open it, it expires after two hours, and the Excel
  import's sweep removes it. Nothing is kept in the session cookie.
- Confirm writes, in the caller's transaction, every plan of the document through the intake
  services (create_plan, add_section, create_task: the same checks and audit events as the
  office's own entry), the new units the office chose to create, and keeps the original file
  with each plan. A plan already imported (same document number + title) is updated: tasks
  added, changed (units of an assigned task change only by reassignment) and archived.
  Any refusal raises before the view commits: nothing is written.
"""

import io
import json
import secrets
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from tracker.audit import record
from tracker.extensions import db
from tracker.plans import changes, excel_import, intake
from tracker.plans.excel_import import CREATE, imports_dir, known_units
from tracker.plans.importing import draft as drafts
from tracker.plans.importing import propose
from tracker.plans.importing.units import UnitMatcher
from tracker.plans.intake import PLAN_FIELDS
from tracker.plans.milestones.services import add_proposed_milestones
from tracker.plans.models import Plan, PlanKind, Section, Task, TaskCoUnit, TaskStatus
from tracker.units.models import Unit

REMOVED_REASON = "重新导入文件时,该任务已不在文件中"


class DocumentImportRefused(Exception):
    """A confirm or an upload the importer refuses; `key` names the message (views)."""

    def __init__(self, key: str, where: str = ""):
        super().__init__(key)
        self.key, self.where = key, where


@dataclass
class Kept:
    token: str
    user_id: int
    filename: str
    draft: dict

    @property
    def has_original(self) -> bool:
        return (imports_dir() / f"{self.token}.original").exists()


def new_draft(text: str) -> dict:
    """The parser's proposal for a text, as a draft matched against the app's units."""
    proposal = propose(text, known_units())
    draft = drafts.from_proposal({**proposal.as_json(), "text": proposal.text})
    learn_units(draft)
    return draft


def keep(user_id: int, filename: str, original: bytes | None, draft: dict) -> Kept:
    """Keep a draft (and the original file) for its user; returns its token."""
    excel_import.sweep_expired()
    token = secrets.token_hex(16)
    folder = imports_dir()
    if original is not None:
        (folder / f"{token}.original").write_bytes(original)
    kept = Kept(token, user_id, filename[-200:], draft)
    save(kept)
    meta = {"user_id": user_id, "filename": kept.filename, "target": {"document": True},
            "created": excel_import._now().isoformat()}  # fmt: skip
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return kept


def load(token: str, user_id: int) -> Kept | None:
    """The user's own draft, unless it expired or never existed."""
    upload = excel_import.load_upload(token, user_id, data_suffix=".draft")
    if upload is None or not upload.target.get("document"):
        return None
    try:
        draft = json.loads((imports_dir() / f"{token}.draft").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Kept(token, user_id, upload.filename, draft)


def save(kept: Kept) -> None:
    path = imports_dir() / f"{kept.token}.draft"
    path.write_text(json.dumps(kept.draft, ensure_ascii=False), encoding="utf-8")


def discard(token: str) -> None:
    excel_import.discard(token)


def original_of(kept: Kept) -> FileStorage | None:
    if not kept.has_original:
        return None
    data = (imports_dir() / f"{kept.token}.original").read_bytes()
    return FileStorage(io.BytesIO(data), filename=kept.filename)


# ------------------------------------------------------------------ units


def learn_units(draft: dict) -> None:
    """Match every unit the tasks name (also names the office typed) against the app's
    units: name, alias, close spelling, and the final successor of a reorganised unit."""
    matcher = UnitMatcher(known_units())
    old = draft.get("units", {})
    units = {}
    for name in drafts.unit_names(draft):
        found = matcher.match(name)
        was_issuer = old.get(name, {}).get("via") == "issuer"
        via = "issuer" if was_issuer and not found.known else found.via
        units[name] = {"known": found.known, "via": via,
                       "name": found.name, "successor": found.successor}  # fmt: skip
    draft["units"] = units
    draft["choices"] = {k: v for k, v in draft.get("choices", {}).items() if k in units}


def current_name(info: dict, written: str) -> str:
    """The unit a written name goes to: the known unit's final successor, else itself."""
    if not info.get("known"):
        return written
    return info.get("successor") or info.get("name") or written


def new_unit_names(draft: dict) -> list[str]:
    return [name for name, info in draft["units"].items() if not info["known"]]


def _resolve(draft: dict) -> dict[str, Unit]:
    """{written name: Unit}; unknown names as the office chose (an existing unit, which
    learns the name as an alias, or a new unit) — the Excel import's rule, reused."""
    learn_units(draft)
    check = SimpleNamespace(units={
        name: SimpleNamespace(name=current_name(info, name) if info["known"] else None)
        for name, info in draft["units"].items()
    })  # fmt: skip
    try:
        return excel_import._resolve_units(check, draft.get("choices", {}))
    except excel_import.ImportRefused:
        raise DocumentImportRefused("units_unresolved") from None
    except KeyError:  # a known unit vanished between preview and confirm
        raise DocumentImportRefused("units_unresolved") from None


# ------------------------------------------------------------------ existing plans, diff


def existing_plan(doc_number: str | None, title: str | None) -> Plan | None:
    if not title:
        return None
    where = [Plan.title == title]
    where.append(Plan.doc_number == doc_number if doc_number else Plan.doc_number.is_(None))
    return db.session.scalar(select(Plan).where(*where))


def _existing_tasks(plan: Plan) -> list[Task]:
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.plan_id == plan.id, Task.status != TaskStatus.ARCHIVED.value)
            .options(
                joinedload(Task.lead_unit),
                joinedload(Task.section),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
            .order_by(Task.number)
        )
    )


def _proposed(draft: dict, plan: dict) -> list[dict]:
    titles = {s["key"]: s["title"] for s in plan["sections"]}
    units = draft["units"]

    def name(n):
        return current_name(units.get(n, {}), n)

    # compared under the names of the units they go to; "draft" keeps the task as written
    return [{**t, "lead": name(t["lead"]) if t["lead"] else None, "draft": t,
             "co": [name(n) for n in t["co"]], "section_title": titles.get(t["section"])}
            for t in plan["tasks"]]  # fmt: skip


def plan_diff(draft: dict, plan: dict, existing: Plan) -> tuple[drafts.Diff, dict[int, Task]]:
    """The proposed plan against the plan already imported (added / changed / removed)."""
    tasks = _existing_tasks(existing)
    old = [{"id": t.id, "number": t.number, "title": t.title, "lead": t.lead_unit.name,
            "co": [link.unit.name for link in t.co_unit_links], "status": t.status,
            "due": t.due_date.isoformat() if t.due_date else None,
            "section_title": t.section.title, "path": t.source_ref}
           for t in tasks]  # fmt: skip
    return drafts.diff(old, _proposed(draft, plan)), {t.id: t for t in tasks}


# ------------------------------------------------------------------ confirm


def confirm(draft: dict, user, *, today: date, original: FileStorage | None = None,
            filename: str | None = None) -> list[tuple[Plan, str]]:  # fmt: skip
    """Write the draft: [(plan, "created" | "updated")]. Raises DocumentImportRefused (or
    StepRefused from a service) before the caller commits; the caller rolls back."""
    blocking = drafts.problems(draft)
    if blocking:
        raise DocumentImportRefused(*blocking[0])
    units = _resolve(draft)
    data = original.stream.read() if original is not None else None
    done = []
    for plan_draft in draft["plans"]:
        copy = FileStorage(io.BytesIO(data), filename=original.filename) if data else None
        existing = existing_plan(plan_draft.get("doc_number"), plan_draft["title"])
        if existing is None:
            plan = _create(draft, plan_draft, units, user, copy, today)
            done.append((plan, "created"))
        else:
            _update(draft, plan_draft, existing, units, user, copy, today)
            done.append((existing, "updated"))
        record("plan.imported", done[-1][0],
               detail={"file": filename, "tasks": len(plan_draft["tasks"]), "via": "document",
                       "result": done[-1][1]})  # fmt: skip
    return done


def _plan_values(draft: dict, p: dict) -> dict:
    return {
        "doc_number": p.get("doc_number") or None,
        "title": p["title"],
        "issuer": (p.get("issuer") or "")[:200],
        "issued_on": drafts.parse_date(p.get("issued_on") or ""),
        "period_end": drafts.parse_date(p.get("horizon") or ""),
        "source_text": draft["text"],
    }


def _create(draft, p, units, user, original, today) -> Plan:
    values = {"kind": PlanKind.POLICY_DOCUMENT.value, **_plan_values(draft, p)}
    plan = intake.create_plan(values, user, original)
    plan.phases = list(p.get("phases") or [])
    sections = {}
    for s in p["sections"]:
        if any(t["section"] == s["key"] for t in p["tasks"]):
            sections[s["key"]] = intake.add_section(plan, None, s["label"], s["title"] or "", user)
    for t in p["tasks"]:
        _new_task(draft, plan, sections[t["section"]].id, t, units, user, today)
    return plan


def _task_values(draft: dict, t: dict, units: dict[str, Unit]) -> dict:
    lead = units[t["lead"]]
    co_ids: list[int] = []
    for name in t["co"]:
        unit = units[name]
        if unit.id != lead.id and unit.id not in co_ids:
            co_ids.append(unit.id)
    a, b = t["span"]
    return {
        "title": t["title"][:300],
        "text": t["text"],
        "due_date": drafts.parse_date(t.get("due") or ""),
        "due_phrase": (t.get("phrase") or None) and t["phrase"][:100],
        "source_excerpt": draft["text"][a:b] if 0 <= a < b else None,
        "lead_unit_id": lead.id,
        "co_unit_ids": co_ids,
    }


def _new_task(draft, plan, section_id, t, units, user, today) -> Task:
    task = intake.create_task(plan, section_id, _task_values(draft, t, units), user, today=today)
    task.source_ref = (t.get("path") or "")[:100] or None
    task.lead_unit_basis = t.get("basis") if t.get("provisional") else None
    add_proposed_milestones(task, t.get("milestones"), plan_phases=plan.phases, user=user)
    return task


def _update(draft, p, plan: Plan, units, user, original, today) -> None:
    current = {name: getattr(plan, name) for name in PLAN_FIELDS}
    intake.update_plan(plan, {**current, **_plan_values(draft, p), "kind": plan.kind}, user,
                       original)  # fmt: skip
    found, by_id = plan_diff(draft, p, plan)
    sections = {(s.label, s.title): s for s in
                db.session.scalars(select(Section).where(Section.plan_id == plan.id))}  # fmt: skip
    by_key = {s["key"]: s for s in p["sections"]}

    def section_id(t) -> int:
        s = by_key[t["section"]]
        if (s["label"], s["title"]) not in sections:
            sections[(s["label"], s["title"])] = intake.add_section(
                plan, None, s["label"], s["title"] or "", user)  # fmt: skip
        return sections[(s["label"], s["title"])].id

    for old, new, _fields in found.changed:
        task, new = by_id[old["id"]], new["draft"]
        values = {**_task_values(draft, new, units), "section_id": section_id(new)}
        if task.status != TaskStatus.PENDING.value:  # assigned: units change by reassignment
            values.pop("lead_unit_id"), values.pop("co_unit_ids")
        intake.update_task(task, values, user)
        task.source_ref = (new.get("path") or "")[:100] or task.source_ref
    for old in found.removed:
        changes.archive_task(by_id[old["id"]], REMOVED_REASON, user)
    for new in found.added:
        _new_task(draft, plan, section_id(new), new["draft"], units, user, today)


def choose_unit(draft: dict, name: str, choice: str) -> None:
    """The office's choice for an unknown name: CREATE, a unit id, or "" (not yet)."""
    if name in draft["units"] and not draft["units"][name]["known"]:
        draft["choices"][name] = choice if choice == CREATE or choice.isdecimal() else ""


__all__ = ["CREATE", "DocumentImportRefused", "confirm", "keep", "load"]
