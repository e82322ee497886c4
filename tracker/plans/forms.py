"""Forms of intake: plans, sections, tasks, quick entry and the changes to a task."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.common.forms import IntegerField
from tracker.common.http import parse_int
from tracker.plans.models import PLAN_KIND_LABELS
from tracker.units.forms import UnitField, UnitsField

KIND_CHOICES = [(k.value, label) for k, label in PLAN_KIND_LABELS.items()]
REASON = [DataRequired(_l("Give a reason.")), Length(max=2000)]
DATE_MSG = _l("Enter a date (YYYY-MM-DD).")


def _int_or_none(value):
    """A chosen id, or None (nothing chosen, or not an id the database could hold)."""
    return parse_int(value, 1)


class PlanForm(FlaskForm):
    kind = SelectField(_l("Source kind"), choices=KIND_CHOICES, default="policy_document")
    doc_number = StringField(_l("Document number"), validators=[Optional(), Length(max=64)])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)]
    )
    issuer = StringField(
        _l("Issuer"), validators=[DataRequired(_l("Enter the issuer.")), Length(max=200)]
    )
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    period_start = DateField(_l("Period from"), validators=[Optional()])
    period_end = DateField(_l("Period to"), validators=[Optional()])
    minutes_number = StringField(_l("Minutes number"), validators=[Optional(), Length(max=64)])
    meeting_date = DateField(_l("Meeting date"), validators=[Optional()])
    source_text = TextAreaField(_l("Source text"), validators=[Optional(), Length(max=200000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    original = FileField(_l("Original file"))

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The period cannot end before it starts."))

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "kind", "doc_number", "title", "issuer", "issued_on", "period_start",
            "period_end", "minutes_number", "meeting_date", "source_text", "note")}  # fmt: skip
        for name in ("doc_number", "minutes_number", "source_text", "note"):
            data[name] = (data[name] or "").strip() or None
        data["title"], data["issuer"] = data["title"].strip(), data["issuer"].strip()
        return data


class SectionForm(FlaskForm):
    parent_id = SelectField(_l("Inside"), coerce=_int_or_none, validate_choice=False)
    label = StringField(_l("Numbering"), validators=[Optional(), Length(max=32)])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)]
    )


class TaskForm(FlaskForm):
    section_id = SelectField(_l("Section"), coerce=_int_or_none, validate_choice=False)
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)]
    )
    text = TextAreaField(_l("Full text"), validators=[Optional(), Length(max=20000)])
    lead_unit_id = UnitField(_l("Lead unit"), validators=[DataRequired(_l("Choose a lead unit."))])
    co_unit_ids = UnitsField(_l("Co-units (in order)"))
    due_date = DateField(_l("Due date"), validators=[Optional()])
    due_phrase = StringField(_l("Deadline as written"), validators=[Optional(), Length(max=100)])
    source_excerpt = TextAreaField(_l("Source excerpt"), validators=[Optional(), Length(max=20000)])

    def values(self) -> dict:
        return {
            "section_id": self.section_id.data,
            "title": self.title.data.strip(),
            "text": (self.text.data or "").strip() or None,
            "lead_unit_id": self.lead_unit_id.data,
            "co_unit_ids": list(self.co_unit_ids.data or []),
            "due_date": self.due_date.data,
            "due_phrase": (self.due_phrase.data or "").strip() or None,
            "source_excerpt": (self.source_excerpt.data or "").strip() or None,
        }


class QuickEntryForm(TaskForm):
    kind = SelectField(_l("Source kind"), choices=KIND_CHOICES, default="meeting")
    plan_id = SelectField(_l("Into"), coerce=_int_or_none, validate_choice=False)

    def values(self) -> dict:
        data = super().values()
        data.update(kind=self.kind.data, plan_id=self.plan_id.data)
        return data


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=REASON)


class RedateForm(ReasonForm):
    due_date = DateField(_l("New due date"), validators=[InputRequired(DATE_MSG)])
    due_phrase = StringField(_l("Deadline as written"), validators=[Optional(), Length(max=100)])


class ReassignForm(ReasonForm):
    lead_unit_id = UnitField(_l("Lead unit"), validators=[DataRequired(_l("Choose a lead unit."))])
    co_unit_ids = UnitsField(_l("Co-units (in order)"))


class SplitForm(FlaskForm):
    """Up to five sub-tasks: title and lead unit each (empty rows are ignored)."""

    ROWS = 5
    for _i in range(ROWS):
        locals()[f"title_{_i}"] = StringField(
            _l("Sub-task"), validators=[Optional(), Length(max=300)]
        )
        locals()[f"lead_{_i}"] = UnitField(_l("Lead unit"))
    del _i

    def parts(self) -> list[dict]:
        rows = []
        for i in range(self.ROWS):
            title = (getattr(self, f"title_{i}").data or "").strip()
            lead = getattr(self, f"lead_{i}").data
            if title or lead:
                rows.append({"title": title, "lead_unit_id": lead})
        return rows


class MergeForm(ReasonForm):
    target_id = IntegerField(
        _l("Merge into task no."),
        validators=[InputRequired(_l("Enter a task number."))],
        minimum=1,
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
