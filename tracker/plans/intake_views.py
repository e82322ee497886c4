"""Intake pages (blueprint "intake"): the office creates and shapes plans and tasks, enters
single items, and changes assigned work. Leaders and liaisons never write here (403); the
admin sets the default deadlines. Each POST validates, calls one service, commits once."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.audit import record
from tracker.common.errors import StepRefused, message
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.plans import changes, forms, intake, originals, rules
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.settings import set_setting
from tracker.timeutil import today
from tracker.units.forms import unit_datalist

bp = Blueprint("intake", __name__, url_prefix="/intake")
office_only = role_required(Role.OFFICE)
TASKS_PER_PAGE = 100  # the plan edit page's task list, in number order (issue 13)


def _sections(plan_id: int) -> list[Section]:
    return list(
        db.session.scalars(
            select(Section).where(Section.plan_id == plan_id).order_by(Section.number)
        )
    )


def _section_choices(sections) -> list[tuple[int, str]]:
    return [(s.id, f"{s.path or s.label} {s.title}".strip()) for s in sections]


def _refused(form, exc: StepRefused) -> None:
    """Put a refused step's message beside its field (or at the top)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*list(field.errors or []), exc.message]
    else:
        flash(exc.message, "error")
    db.session.rollback()


def _plan_or_404(plan_id: int) -> Plan:
    return db.session.get(Plan, plan_id) or abort(404)


def _task_or_404(task_id: int) -> Task:
    return intake.load_task(task_id) or abort(404)


# ------------------------------------------------------------------ plans


@bp.route("/plans/new", methods=["GET", "POST"])
@office_only
def plan_new():
    form = forms.PlanForm()
    if form.validate_on_submit():
        try:
            plan = intake.create_plan(form.values(), current_user, form.original.data)
        except StepRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Plan created."), "success")
            return redirect(url_for("intake.plan_edit", plan_id=plan.id))
    return render_template("intake/plan_form.html", form=form, plan=None)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@office_only
def plan_edit(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = forms.PlanForm(obj=plan)
    if form.validate_on_submit():
        try:
            intake.update_plan(plan, form.values(), current_user, form.original.data)
        except StepRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Plan saved."), "success")
            return redirect(url_for("intake.plan_edit", plan_id=plan.id))
    sections = _sections(plan.id)
    section_form = forms.SectionForm()
    section_form.parent_id.choices = [(None, _("(top level)")), *_section_choices(sections)]
    counts = dict(
        db.session.execute(
            select(Task.section_id, func.count())
            .where(Task.plan_id == plan.id)
            .group_by(Task.section_id)
        ).all()
    )
    pages = max(1, -(-sum(counts.values()) // TASKS_PER_PAGE))
    page = min(int_arg("page", 1, maximum=100000), pages)
    tasks = db.session.scalars(
        select(Task)
        .where(Task.plan_id == plan.id)
        .options(
            joinedload(Task.lead_unit), selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit)
        )
        .order_by(Task.number, Task.id)
        .limit(TASKS_PER_PAGE)
        .offset((page - 1) * TASKS_PER_PAGE)
    ).all()
    by_section: dict[int, list[Task]] = {}
    for task in tasks:
        by_section.setdefault(task.section_id, []).append(task)
    statuses = db.session.scalars(
        select(Task.status).where(Task.plan_id == plan.id).distinct()
    ).all()
    return render_template(
        "intake/plan_form.html",
        form=form,
        plan=plan,
        sections=sections,
        by_section=by_section,
        section_form=section_form,
        reason_form=forms.ReasonForm(),
        may_delete=rules.may_delete_plan(statuses),
        section_counts=counts,
        page=page,
        pages=pages,
    )


@bp.route("/plans/<int:plan_id>/sections", methods=["POST"])
@office_only
def section_add(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = forms.SectionForm()
    form.parent_id.choices = [(None, "")]
    if form.validate_on_submit():
        try:
            intake.add_section(
                plan, form.parent_id.data, form.label.data or "", form.title.data, current_user
            )
        except StepRefused as exc:
            _refused(None, exc)
        else:
            db.session.commit()
            flash(_("Section added."), "success")
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("intake.plan_edit", plan_id=plan.id))


@bp.route("/sections/<int:section_id>", methods=["POST"])
@office_only
def section_edit(section_id: int):
    section = db.session.get(Section, section_id) or abort(404)
    form = forms.SectionForm()
    form.parent_id.choices = [(None, "")]
    if form.validate_on_submit():
        intake.update_section(section, form.label.data or "", form.title.data, current_user)
        db.session.commit()
        flash(_("Section saved."), "success")
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("intake.plan_edit", plan_id=section.plan_id))


@bp.route("/plans/<int:plan_id>/archive", methods=["POST"])
@office_only
def plan_archive(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("intake.plan_edit", plan_id=plan.id))
    try:
        intake.archive_plan(plan, form.reason.data, current_user)
    except StepRefused as exc:
        _refused(None, exc)
    else:
        db.session.commit()
        flash(_("Plan archived."), "success")
    return redirect(url_for("intake.plan_edit", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/delete", methods=["POST"])
@office_only
def plan_delete(plan_id: int):
    plan = _plan_or_404(plan_id)  # the CSRF token is checked by CSRFProtect on every POST
    try:
        intake.delete_plan(plan, current_user)
    except StepRefused as exc:
        _refused(None, exc)
        return redirect(url_for("intake.plan_edit", plan_id=plan_id))
    db.session.commit()
    flash(_("Plan deleted."), "success")
    return redirect(url_for("plans.plan_list"))


@bp.route("/plans/<int:plan_id>/original")
@role_required(Role.OFFICE, Role.LEADER, Role.ADMIN)
def plan_original(plan_id: int):
    plan = _plan_or_404(plan_id)
    if not plan.original_file:
        abort(404)
    return originals.send(plan)


# ------------------------------------------------------------------ tasks


def _task_form(form_class, plan: Plan, obj=None):
    form = form_class(obj=obj)
    if hasattr(form, "section_id"):
        form.section_id.choices = _section_choices(_sections(plan.id)) if plan else []
    if obj is not None and request.method == "GET":
        form.co_unit_ids.data = [link.unit_id for link in obj.co_unit_links]
    return form


@bp.route("/plans/<int:plan_id>/tasks/new", methods=["GET", "POST"])
@office_only
def task_new(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = _task_form(forms.TaskForm, plan)
    default_due, phrase = intake.kind_default_due(plan.kind, today())
    if form.validate_on_submit():
        try:
            task = intake.create_task(
                plan, form.section_id.data, form.values(), current_user, today=today()
            )
        except StepRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Task created."), "success")
            return redirect(url_for("pages.task_detail", task_id=task.id))
    return render_template("intake/task_form.html", form=form, plan=plan, task=None,
                           default_due=default_due, default_phrase=phrase,
                           unit_options=unit_datalist())  # fmt: skip


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@office_only
def task_edit(task_id: int):
    task = _task_or_404(task_id)
    plan = db.session.get(Plan, task.plan_id)
    form = _task_form(forms.TaskForm, plan, obj=task)
    if form.validate_on_submit():
        data = form.values()
        if task.status != TaskStatus.PENDING.value:
            data.pop("lead_unit_id")  # units change by reassignment once assigned
        try:
            intake.update_task(task, data, current_user)
        except StepRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Task saved."), "success")
            return redirect(url_for("intake.task_edit", task_id=task.id))
    return render_template("intake/task_form.html", form=form, plan=plan, task=task,
                           unit_options=unit_datalist(), **_change_forms(task))  # fmt: skip


def _change_forms(task: Task) -> dict:
    reassign = forms.ReassignForm(
        formdata=None,
        lead_unit_id=task.lead_unit_id,
        co_unit_ids=[link.unit_id for link in task.co_unit_links],
    )
    split = forms.SplitForm(formdata=None)
    subs, roll_up = changes.sub_tasks(task)
    return {
        "redate_form": forms.RedateForm(
            formdata=None, due_date=task.due_date, due_phrase=task.due_phrase
        ),
        "reassign_form": reassign,
        "split_form": split,
        "merge_form": forms.MergeForm(formdata=None),
        "reason_form": forms.ReasonForm(formdata=None),
        "sub_tasks": subs,
        "roll_up": roll_up,
        "unit_changes": intake.unit_changes_of(task.id),
    }


def _change(task_id: int, form_class, step, done_message: str):
    """Run one change step from its own form; refusals come back to the task's edit page."""
    task = _task_or_404(task_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            step(task, form)
        except StepRefused as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(done_message, "success")
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("intake.task_edit", task_id=task_id))


@bp.route("/tasks/<int:task_id>/redate", methods=["POST"])
@office_only
def task_redate(task_id: int):
    def step(task, form):
        changes.redate(
            task, form.due_date.data, form.due_phrase.data, form.reason.data, current_user
        )

    return _change(task_id, forms.RedateForm, step, _("Due date changed."))


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
@office_only
def task_reassign(task_id: int):
    return _change(task_id, forms.ReassignForm, lambda t, f: changes.reassign(
        t, f.lead_unit_id.data, list(f.co_unit_ids.data or []), f.reason.data, current_user,
        today=today()), _("Task reassigned."))  # fmt: skip


@bp.route("/tasks/<int:task_id>/split", methods=["POST"])
@office_only
def task_split(task_id: int):
    return _change(task_id, forms.SplitForm, lambda t, f: changes.split(
        t, f.parts(), current_user, today=today()), _("Sub-tasks created."))  # fmt: skip


@bp.route("/tasks/<int:task_id>/merge", methods=["POST"])
@office_only
def task_merge(task_id: int):
    def step(task, form):
        target = db.session.get(Task, form.target_id.data) if form.target_id.data else None
        changes.merge(task, target, form.reason.data, current_user)

    return _change(task_id, forms.MergeForm, step, _("Task merged."))


@bp.route("/tasks/<int:task_id>/archive", methods=["POST"])
@office_only
def task_archive(task_id: int):
    return _change(task_id, forms.ReasonForm, lambda t, f: changes.archive_task(
        t, f.reason.data, current_user), _("Task archived."))  # fmt: skip


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
@office_only
def task_delete(task_id: int):
    task = _task_or_404(task_id)  # the CSRF token is checked by CSRFProtect on every POST
    plan_id = task.plan_id
    try:
        changes.delete_task(task, current_user)
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("intake.task_edit", task_id=task_id))
    db.session.commit()
    flash(_("Task deleted."), "success")
    return redirect(url_for("intake.plan_edit", plan_id=plan_id))


# ------------------------------------------------------------------ quick entry


@bp.route("/quick", methods=["GET", "POST"])
@office_only
def quick_entry():
    form = forms.QuickEntryForm()
    plans = db.session.execute(
        select(Plan.id, Plan.doc_number, Plan.title).where(Plan.archived_at.is_(None))
        .order_by(Plan.id.desc()).limit(200)
    ).all()  # fmt: skip
    form.plan_id.choices = [(None, _("This year's inbox for the source kind"))] + [
        (p.id, f"{p.doc_number or ''} {p.title}".strip()) for p in plans
    ]
    defaults = {kind: intake.kind_default_due(kind, today()) for kind in rules.KINDS}
    if form.validate_on_submit():
        try:
            task = intake.quick_entry(form.values(), current_user, today=today())
        except StepRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Item entered: %(title)s", title=task.title), "success")
            return redirect(url_for("intake.quick_entry", kind=form.kind.data, last=task.id))
    elif request.method == "GET" and request.args.get("kind") in rules.KINDS:
        form.kind.data = request.args["kind"]
    last = db.session.get(Task, int_arg("last", 0))
    return render_template("intake/quick.html", form=form, defaults=defaults, last=last,
                           unit_options=unit_datalist())  # fmt: skip


# ------------------------------------------------------------------ default deadlines (admin)


@bp.route("/deadlines", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.OFFICE)
def deadlines():
    current = intake.default_deadlines()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not current_user.has_role(Role.ADMIN):
            abort(403)
        new: dict = {}
        for kind in rules.KINDS:
            raw, unit = (
                request.form.get(f"{kind}_amount", "").strip(),
                request.form.get(f"{kind}_unit", ""),
            )
            if not raw:
                new[kind] = None
                continue
            amount = int(raw) if raw.isdecimal() else -1
            problem = rules.deadline_problem(amount, unit)
            if problem:
                errors[kind] = message(problem)
            new[kind] = [amount, unit]
        if not errors:
            set_setting("intake_default_deadlines", new, current_user)
            record("settings.updated", actor=current_user, subject_type="setting",
                   detail={"before": current, "after": new})  # fmt: skip
            db.session.commit()
            flash(_("Default deadlines saved."), "success")
            return redirect(url_for("intake.deadlines"))
        current = new
    return render_template("intake/deadlines.html", current=current, errors=errors,
                           kinds=forms.KIND_CHOICES,
                           may_edit=current_user.has_role(Role.ADMIN))  # fmt: skip
