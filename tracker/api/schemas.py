"""What the API reads and writes (marshmallow schemas; the OpenAPI document is built from
them). Lists are {items, next_cursor}."""

from datetime import UTC

from marshmallow import Schema, fields, validate

from tracker.api.core import ListArgs
from tracker.plans.models import PlanKind, TaskStatus
from tracker.reports.models import Quality, ReportState

LIGHTS = ("green", "yellow", "red")


class UtcDateTime(fields.DateTime):
    """Times are stored as naive UTC: written out with their zone (RFC 3339, "Z")."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat().replace("+00:00", "Z")


DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "a decimal, as text"}
PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")


def page_of(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(required=True, allow_none=True),
        },
        name=name,
    )


def sort_field(*names: str, default: str = "id"):
    choices = [v for n in names for v in (n, f"-{n}")]
    return fields.String(load_default=default, validate=validate.OneOf(choices))


# ---------------------------------------------------------------- output


class UnitOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    full_name = fields.String(required=True, allow_none=True)
    code = fields.String(required=True)
    kind = fields.String(required=True)
    successor_id = fields.Integer(required=True, allow_none=True)


class PlanOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    doc_number = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    issuer = fields.String(required=True)
    kind = fields.String(required=True)
    issued_on = fields.Date(required=True, allow_none=True)
    period_start = fields.Date(required=True, allow_none=True)
    period_end = fields.Date(required=True, allow_none=True)
    archived = fields.Boolean(required=True)


class SectionOut(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    label = fields.String(required=True)
    title = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    path = fields.String(required=True, allow_none=True)


class TaskOut(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    section_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    lead_unit_id = fields.Integer(required=True)
    co_unit_ids = fields.List(fields.Integer(), required=True)
    due_date = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in TaskStatus]))
    light = fields.String(required=True, validate=validate.OneOf(LIGHTS))
    percent = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "100 once closed, else the lead unit's last accepted report"},
    )
    closed_at = UtcDateTime(required=True, allow_none=True)


class ReportOut(Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"description": "YYYY-MM"})
    revision = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in ReportState]))
    version = fields.Integer(required=True, metadata={"description": "the ETag's version"})
    progress = fields.String(required=True)
    percent = fields.Integer(required=True)
    problems = fields.String(required=True)
    next_steps = fields.String(required=True)
    unchanged = fields.Boolean(required=True)
    updated_at = UtcDateTime(required=True)
    submitted_at = UtcDateTime(required=True, allow_none=True)
    reviewed_at = UtcDateTime(required=True, allow_none=True)
    return_reason = fields.String(required=True, allow_none=True)
    quality = fields.String(required=True, allow_none=True)


class NoticeOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    task_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    required_actions = fields.String(required=True)
    issued_on = fields.Date(required=True)
    answer_due = fields.Date(required=True)
    answer = fields.String(required=True, allow_none=True)
    answered_at = UtcDateTime(required=True, allow_none=True)
    state = fields.String(required=True)


class InstructionOut(Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    text = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    answer_due = fields.Date(required=True)
    answer = fields.String(required=True, allow_none=True)
    answered_at = UtcDateTime(required=True, allow_none=True)
    answer_unit_id = fields.Integer(required=True, allow_none=True)


class AlertOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    level = fields.Integer(required=True)
    task_id = fields.Integer(required=True, allow_none=True)
    unit_id = fields.Integer(required=True, allow_none=True)
    due_date = fields.Date(required=True, allow_none=True)
    swept_on = fields.Date(required=True)
    created_at = UtcDateTime(required=True)
    resolved_at = UtcDateTime(required=True, allow_none=True)


class ScorecardOut(Schema):
    id = fields.Integer(required=True)
    period = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    score = fields.Decimal(required=True, as_string=True, metadata=DECIMAL)
    deductions = fields.Decimal(required=True, as_string=True, metadata=DECIMAL)
    credits = fields.Decimal(required=True, as_string=True, metadata=DECIMAL)
    rank = fields.Integer(required=True)
    rule_set_version = fields.Integer(required=True)
    computed_on = fields.Date(required=True)


UnitPage = page_of(UnitOut, "UnitPage")
PlanPage = page_of(PlanOut, "PlanPage")
SectionPage = page_of(SectionOut, "SectionPage")
TaskPage = page_of(TaskOut, "TaskPage")
ReportPage = page_of(ReportOut, "ReportPage")
NoticePage = page_of(NoticeOut, "NoticePage")
InstructionPage = page_of(InstructionOut, "InstructionPage")
AlertPage = page_of(AlertOut, "AlertPage")
ScorecardPage = page_of(ScorecardOut, "ScorecardPage")

# ---------------------------------------------------------------- filters

ID = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class UnitArgs(ListArgs):
    current = fields.Boolean(metadata={"description": "only units not renamed or merged"})
    sort = sort_field("id", "code", "name")


class PlanArgs(ListArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in PlanKind]))
    archived = fields.Boolean()
    sort = sort_field("id", "title", "issued_on")


class SectionArgs(ListArgs):
    plan_id = ID
    sort = sort_field("id", "number")


class TaskArgs(ListArgs):
    plan_id = ID
    section_id = ID
    unit_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1), metadata={"description": "lead unit or co-unit"}
    )
    lead_unit_id = ID
    status = fields.String(validate=validate.OneOf([s.value for s in TaskStatus]))
    due_before = fields.Date()
    due_after = fields.Date()
    sort = sort_field("id", "number", "due_date")


class ReportArgs(ListArgs):
    task_id = ID
    unit_id = ID
    period = fields.String(validate=PERIOD)
    state = fields.String(validate=validate.OneOf([s.value for s in ReportState]))
    sort = sort_field("id", "updated_at")


class NoticeArgs(ListArgs):
    task_id = ID
    unit_id = ID
    state = fields.String(validate=validate.OneOf(["issued", "answered", "closed"]))
    sort = sort_field("id", "answer_due")


class InstructionArgs(ListArgs):
    task_id = ID
    answered = fields.Boolean()
    sort = sort_field("id", "answer_due")


class AlertArgs(ListArgs):
    task_id = ID
    unit_id = ID
    kind = fields.String(validate=validate.Length(max=32))
    level = fields.Integer(validate=validate.Range(1, 4))
    open = fields.Boolean(metadata={"description": "not yet resolved"})
    sort = sort_field("id", "swept_on")


class ScorecardArgs(ListArgs):
    period = fields.String(validate=PERIOD)
    unit_id = ID
    sort = sort_field("id", "rank")


# ---------------------------------------------------------------- input

TEXT = validate.Length(max=20000)


class ReportCreate(Schema):
    task_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    progress = fields.String(required=True, validate=TEXT)
    percent = fields.Integer(required=True, validate=validate.Range(0, 100))
    problems = fields.String(load_default="", validate=TEXT)
    next_steps = fields.String(load_default="", validate=TEXT)


class ReportUpdate(Schema):
    progress = fields.String(required=True, validate=TEXT)
    percent = fields.Integer(required=True, validate=validate.Range(0, 100))
    problems = fields.String(load_default="", validate=TEXT)
    next_steps = fields.String(load_default="", validate=TEXT)


class ReviewIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "return"]))
    reason = fields.String(load_default="", validate=validate.Length(max=5000))
    quality = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([q.value for q in Quality])
    )
