"""Run-time settings: the office sets the reports' due day and the working-day counts; the
admin corrects the working-day calendar (overrides of official holidays and make-up days).

Rules:
- the due day is 1–28, so every month has it; a due day on a day off moves to the next
  working day (tracker.calendar.report_due_date);
- a change of the due day or of the calendar moves the due date of every period not yet
  due (tracker.reports.periods.recompute_open_periods); past periods keep theirs;
- an override needs a note naming its source (the State Council's notice); one per date;
- a year chinese-calendar does not know and no override covers falls back to Monday–Friday,
  and the office and admin see a warning until the admin enters that year's holidays.
"""

from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import DateField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from tracker import timeutil as clock
from tracker.accounts.models import Role, User
from tracker.accounts.permissions import role_required
from tracker.audit import record
from tracker.calendar.models import CalendarOverride
from tracker.calendar.rules import library_knows, report_due_date
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.common.forms import IntegerField
from tracker.extensions import db
from tracker.reports.periods import calendar_warning_years, recompute_open_periods
from tracker.settings import get_setting, set_setting

bp = Blueprint("settings", __name__)


REPORTING_KEYS = (
    "report_due_day",
    "ack_working_days",
    "instruction_answer_working_days",
    "contest_working_days",
    "pace_margin_points",
)
PREVIEW_MONTHS = 3


# --- forms ---------------------------------------------------------------------------------


class ReportingSettingsForm(FlaskForm):
    report_due_day = IntegerField(
        _l("Reports are due on day"),
        validators=[
            InputRequired(_l("Enter a day of the month.")),
            NumberRange(1, 28, _l("Enter a day from 1 to 28.")),
        ],
    )
    ack_working_days = IntegerField(
        _l("Working days to acknowledge an assignment"),
        validators=[
            InputRequired(_l("Enter a number of working days.")),
            NumberRange(1, 15, _l("Enter a number from 1 to 15.")),
        ],
    )
    instruction_answer_working_days = IntegerField(
        _l("Working days to answer a leader's instruction"),
        validators=[
            InputRequired(_l("Enter a number of working days.")),
            NumberRange(1, 30, _l("Enter a number from 1 to 30.")),
        ],
    )
    contest_working_days = IntegerField(
        _l("Working days to contest an assignment"),
        validators=[
            InputRequired(_l("Enter a number of working days.")),
            NumberRange(1, 15, _l("Enter a number from 1 to 15.")),
        ],
    )
    # 序时进度 (issue 14): behind pace when the reported percent trails the expected one by
    # more than this many points; 0 flags any shortfall, 50 only the worst
    pace_margin_points = IntegerField(
        _l("Points behind the expected progress before a task is behind pace"),
        validators=[
            InputRequired(_l("Enter a number of percentage points.")),
            NumberRange(0, 50, _l("Enter a number from 0 to 50.")),
        ],
    )


class OverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date (YYYY-MM-DD)."))])
    is_workday = RadioField(
        _l("This day is"),
        choices=[
            ("0", _l("a day off (official holiday)")),
            ("1", _l("a working day (make-up workday)")),
        ],
        validators=[InputRequired(_l("Choose working day or day off."))],
    )
    note = TextAreaField(
        _l("Source"),
        validators=[DataRequired(_l("Name the source of this change.")), Length(max=500)],
    )


# --- services (flush, never commit) --------------------------------------------------------


def reporting_settings() -> dict[str, int]:
    return {key: int(get_setting(key)) for key in REPORTING_KEYS}


def save_reporting_settings(values: dict[str, int], *, user, today: date) -> int:
    """Store the settings, move the open periods' due dates; returns how many moved."""
    before = reporting_settings()
    for key in REPORTING_KEYS:
        set_setting(key, int(values[key]), user)
    db.session.flush()
    moved = recompute_open_periods(today)
    record(
        "settings.updated",
        actor=user,
        subject_type="setting",
        detail={"before": before, "after": reporting_settings(), "periods_moved": moved},
    )
    return moved


def due_date_preview(today: date, months: int = PREVIEW_MONTHS) -> list[dict]:
    """This month's and the next months' due dates under the current settings."""
    calendar, due_day = load_calendar(), int(get_setting("report_due_day"))
    rows, year, month = [], today.year, today.month
    for _i in range(months):
        nominal = date(year, month, due_day)
        due = report_due_date(calendar, year, month, due_day)
        rows.append(
            {
                "month": f"{year:04d}-{month:02d}",
                "due": due,
                "moved_from": nominal if due != nominal else None,
                "known": calendar.knows(year),
            }
        )
        year, month = clock.next_month(year, month)
    return rows


def add_override(day: date, is_workday: bool, note: str, *, user, today: date) -> CalendarOverride:
    """Add an override of the official calendar and move the open periods' due dates."""
    if db.session.scalar(select(CalendarOverride.id).where(CalendarOverride.day == day)):
        raise StepRefused("duplicate_override")
    override = CalendarOverride(
        day=day,
        is_workday=is_workday,
        note=note,
        created_by_id=getattr(user, "id", None),
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    db.session.add(override)
    try:
        db.session.flush()
    except IntegrityError:  # the same date added at the same moment (the caller rolls back)
        raise StepRefused("duplicate_override") from None
    moved = recompute_open_periods(today)
    record(
        "calendar.override_added",
        override,
        actor=user,
        detail={
            "day": day.isoformat(),
            "is_workday": is_workday,
            "note": note,
            "periods_moved": moved,
        },
    )
    return override


def delete_override(override: CalendarOverride, *, user, today: date) -> None:
    """Delete an override and move the open periods' due dates back."""
    override_id, detail = (
        override.id,
        {
            "day": override.day.isoformat(),
            "is_workday": override.is_workday,
            "note": override.note,
        },
    )
    db.session.delete(override)
    db.session.flush()
    detail["periods_moved"] = recompute_open_periods(today)
    record(
        "calendar.override_deleted",
        actor=user,
        subject_type="calendar_override",
        subject_id=override_id,
        detail=detail,
    )


def calendar_rows() -> list[tuple[CalendarOverride, str | None]]:
    """Every override with the name of who entered it: one statement."""
    return db.session.execute(
        select(CalendarOverride, User.display_name)
        .outerjoin(User, User.id == CalendarOverride.created_by_id)
        .order_by(CalendarOverride.day)
    ).all()


def official_is_workday(day: date) -> bool | None:
    """What chinese-calendar says of a day; None for a year it does not know."""
    import chinese_calendar

    if not library_knows(day.year):
        return None
    return chinese_calendar.is_workday(day)


def library_version() -> str:
    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


# --- views ---------------------------------------------------------------------------------


def _weekday(day: date) -> str:
    return format_date(day, "EEE")


@bp.app_template_filter("weekday")
def _weekday_filter(day: date) -> str:
    return _weekday(day)


def _saved(step):
    """Run the saving `step()` and commit; on any error (a refusal included) roll back and
    raise it again. Returns what the step returned."""
    try:
        result = step()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.OFFICE, Role.ADMIN)
def reporting():
    today = clock.today()
    form = ReportingSettingsForm(data=reporting_settings())
    if form.validate_on_submit():
        moved = _saved(
            lambda: save_reporting_settings(
                {key: getattr(form, key).data for key in REPORTING_KEYS},
                user=current_user,
                today=today,
            )
        )
        flash(_("Settings saved."), "success")
        if moved:
            flash(
                _("Due dates of open reporting periods moved: %(count)d.", count=moved),
                "info",
            )
        return redirect(url_for("settings.reporting"))
    db.session.rollback()
    return render_template(
        "reports/settings.html",
        form=form,
        preview=due_date_preview(today),
        warning_years=calendar_warning_years(today),
        can_edit_calendar=current_user.has_role(Role.ADMIN),
    )


@bp.route("/admin/calendar", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.OFFICE)
def calendar():
    if request.method == "POST" and not current_user.has_role(Role.ADMIN):
        abort(403)
    today = clock.today()
    form = OverrideForm()
    if current_user.has_role(Role.ADMIN) and form.validate_on_submit():
        try:
            _saved(
                lambda: add_override(
                    form.day.data,
                    form.is_workday.data == "1",
                    form.note.data.strip(),
                    user=current_user,
                    today=today,
                )
            )
        except StepRefused as refused:  # rolled back: nothing saved
            getattr(form, refused.field).errors.append(refused.message)
        else:
            flash(_("Calendar override added."), "success")
            return redirect(url_for("settings.calendar"))
    db.session.rollback()
    years = list(range(today.year - 1, today.year + 3))
    return render_template(
        "reports/calendar.html",
        form=form,
        rows=calendar_rows(),
        official=official_is_workday,
        known_years=[y for y in years if library_knows(y)],
        unknown_years=[y for y in years if not library_knows(y)],
        warning_years=calendar_warning_years(today),
        library_version=library_version(),
        can_edit=current_user.has_role(Role.ADMIN),
    )


@bp.route("/admin/calendar/<int:override_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def calendar_delete(override_id: int):
    override = db.session.get(CalendarOverride, override_id) or abort(404)
    day = override.day
    _saved(lambda: delete_override(override, user=current_user, today=clock.today()))
    flash(_("Calendar override of %(day)s deleted.", day=day.isoformat()), "success")
    return redirect(url_for("settings.calendar"))
