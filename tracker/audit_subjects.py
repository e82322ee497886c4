"""The readable subject of each audit event on the admin's audit page: 任务「title」 linked to
the task, 用户 username, the progress report of a unit on a task …, never "task #6".

Subjects are loaded set-based: one select per subject type present on the page, sent as one
statement (UNION ALL), whatever the number of rows. A subject that no longer exists reads by
the name its event recorded (a deleted task's title) or by its kind alone.
Like tracker.audit_labels it sits above the features: only the app factory (a template
helper) and tests import it.
"""

from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, cast, literal, null, select, union_all

from tracker.accounts.models import User
from tracker.api.models import ApiToken
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.scoring.models import Bulletin
from tracker.supervision.models import SupervisionNotice
from tracker.units.models import Unit


@dataclass(frozen=True)
class Subject:
    text: str
    url: str | None = None


# The kind of each subject type as users read it; a type not listed reads as "Record".
KINDS = {
    "task": _l("Task"),
    "plan": _l("Plan"),
    "section": _l("Section"),
    "unit": _l("Responsible unit"),
    "user_account": _l("User"),
    "progress_report": _l("Progress report"),
    "report": _l("Progress report"),
    "supervision_notice": _l("Supervision notice"),
    "instruction": _l("Instruction"),
    "assignment": _l("Assignment"),
    "task_assignment": _l("Assignment"),
    "bulletin": _l("Bulletin"),
    "scorecard": _l("Scorecard"),
    "score_rule_set": _l("Score rules"),
    "attachment": _l("Evidence"),
    "setting": _l("Settings"),
    "api_token": _l("API token"),
}


def kind_of(subject_type: str | None) -> str:
    return str(KINDS.get(subject_type or "", _l("Record")))


def _named(kind: str, name: str) -> str:
    return _("%(kind)s “%(name)s”", kind=kind, name=name)


# type -> (model's id column, name column, endpoint, url argument)
NAMED = {
    "task": (Task.id, Task.title, "pages.task_detail", "task_id"),
    "plan": (Plan.id, Plan.title, "plans.plan_detail", "plan_id"),
    "section": (Section.id, Section.title, None, None),
    "unit": (Unit.id, Unit.name, None, None),
    "user_account": (User.id, User.username, None, None),
    "supervision_notice": (
        SupervisionNotice.id,
        SupervisionNotice.number,
        "notices.detail",
        "notice_id",
    ),
    "bulletin": (Bulletin.id, Bulletin.number, "bulletins.detail", "bulletin_id"),
    "api_token": (ApiToken.id, ApiToken.name, None, None),
}
REPORT_TYPES = ("progress_report", "report")


def _no_int():
    return cast(null(), Integer)


def _named_query(subject_type: str, ids: set[int]):
    id_column, name, _endpoint, _argument = NAMED[subject_type]
    return select(
        literal(subject_type, String).label("type"),
        id_column.label("id"),
        cast(name, String).label("name"),
        cast(null(), String).label("unit"),
        _no_int().label("year"),
        _no_int().label("month"),
    ).where(id_column.in_(ids))


def _report_query(subject_type: str, ids: set[int]):
    return (
        select(
            literal(subject_type, String).label("type"),
            ProgressReport.id.label("id"),
            cast(Task.title, String).label("name"),
            cast(Unit.name, String).label("unit"),
            ReportingPeriod.year.label("year"),
            ReportingPeriod.month.label("month"),
        )
        .join(Task, Task.id == ProgressReport.task_id)
        .join(Unit, Unit.id == ProgressReport.unit_id)
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .where(ProgressReport.id.in_(ids))
    )


def _subject(row) -> Subject:
    if row.type in REPORT_TYPES:
        text = _(
            "Progress report of %(unit)s on task “%(task)s”, %(month)s/%(year)s",
            unit=row.unit,
            task=row.name,
            year=row.year,
            month=row.month,
        )
        return Subject(text, url_for("reports.detail", report_id=row.id))
    _id, _name, endpoint, argument = NAMED[row.type]
    url = url_for(endpoint, **{argument: row.id}) if endpoint else None
    return Subject(_named(kind_of(row.type), row.name), url)


def load_subjects(wanted: dict[str, set[int]]) -> dict[tuple[str, int], Subject]:
    """{(type, id): subject} for the wanted ids of each type, in ONE statement (a UNION ALL
    of one select per subject type), so a page's cost does not depend on its rows."""
    parts = [
        _report_query(t, ids) if t in REPORT_TYPES else _named_query(t, ids)
        for t, ids in sorted(wanted.items())
        if ids and (t in NAMED or t in REPORT_TYPES)
    ]
    if not parts:
        return {}
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(row.type, row.id): _subject(row) for row in db.session.execute(query)}


def _recorded_name(event) -> str | None:
    """The name an event recorded of its subject (a deleted task's title, a unit's name)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    for key in ("title", "name", "username", "number"):
        value = detail.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def audit_subjects(events) -> dict[int, Subject | None]:
    """{event id: its readable subject, or None when it has none} for a page of events."""
    wanted = defaultdict(set)
    for event in events:
        if event.subject_type and event.subject_id is not None:
            wanted[event.subject_type].add(event.subject_id)
    loaded = load_subjects(wanted)
    subjects = {}
    for event in events:
        if not event.subject_type:
            subjects[event.id] = None
            continue
        found = loaded.get((event.subject_type, event.subject_id))
        if found is None:
            kind = kind_of(event.subject_type)
            name = _recorded_name(event)
            found = Subject(_named(kind, name) if name else kind)
        subjects[event.id] = found
    return subjects
