"""People pages (blueprint "people"): 我分管的, the 挂图作战 charts, and the office's and units'
forms naming leaders in charge and responsible persons. Each POST validates, calls one
service, commits once and redirects (docs/people.md: who may do what)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import current_scope, role_required
from tracker.common.errors import StepRefused
from tracker.common.forms import datalist_options
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.plans import services as plan_services
from tracker.plans.models import Plan, Section
from tracker.plans.people import forms, queries, services, wall_chart
from tracker.plans.permissions import can_view_task
from tracker.timeutil import today

bp = Blueprint("people", __name__)
office_only = role_required(Role.OFFICE)
PER_PAGE = 50


@bp.route("/leading")
@role_required(Role.LEADER)
def leading():
    """我分管的: the signed-in leader's tasks, red and behind pace first."""
    page = int_arg("page", 1, maximum=100000)
    return render_template(
        "people/leading.html", result=queries.leader_page(current_user.id, page, PER_PAGE)
    )


@bp.route("/leaders/<int:user_id>/wall-chart")
@role_required(Role.OFFICE, Role.LEADER, Role.ADMIN)
def leader_chart(user_id: int):
    """A leader's 挂图作战 (office, leaders and the admin read every leader's); a large one
    one section at a time (?section=<id>&page=<n>; wall_chart's rule)."""
    leader = db.session.get(User, user_id)
    if leader is None or leader.role != Role.LEADER.value:
        abort(404)
    chart = wall_chart.leader_wall_chart(
        user_id, today(), int_arg("section"), int_arg("page", 1, maximum=100000)
    )
    return render_template(
        "people/wall_chart.html",
        chart=chart,
        title=leader.display_name,
        plan=None,
        today_text=today().isoformat(),
    )


@bp.route("/plans/<int:plan_id>/wall-chart")
@login_required
def plan_chart(plan_id: int):
    """A plan's 挂图作战; a liaison sees its unit's tasks only (404 when it has none). A large
    plan one section at a time (?section=<id>&page=<n>; wall_chart's rule)."""
    plan = db.session.get(Plan, plan_id) or abort(404)
    scope = current_scope()
    chart = wall_chart.plan_wall_chart(
        plan, scope, today(), int_arg("section"), int_arg("page", 1, maximum=100000)
    )
    if scope is not None and not chart.task_count:
        abort(404)
    return render_template(
        "people/wall_chart.html",
        chart=chart,
        title=plan.doc_number or plan.title,
        plan=plan,
        scoped=scope is not None,
        today_text=today().isoformat(),
    )


@bp.route("/plans/<int:plan_id>/people")
@office_only
def plan_people(plan_id: int):
    """The office names the leaders in charge of a plan and of its sections."""
    plan = db.session.get(Plan, plan_id) or abort(404)
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    leaders = queries.load_leaders()
    rows = queries.leader_rows()
    labels = {r.id: forms.leader_label(r.display_name, r.username) for r in rows}

    def form_for(current):
        form = forms.LeaderNameForm(leader_id=current)
        form.set_labels(labels)
        return form

    return render_template(
        "people/plan_people.html",
        plan=plan,
        plan_form=form_for(leaders.of_plan.get(plan.id)),
        section_forms=[(s, form_for(leaders.of_section.get(s.id))) for s in sections],
        leader_options=datalist_options(labels.values()),
    )


def _set_leader(subject, back: str):
    """Set (or clear) a subject's leader in charge, typed (LeaderNameForm: the people page,
    the task page); a refused name is flashed with its message (nothing saved)."""
    form = forms.LeaderNameForm()
    if not form.validate_on_submit():
        flash(form.leader_id.errors[0] if form.leader_id.errors
              else _("Choose an active leader account."), "error")  # fmt: skip
        return redirect(back)
    try:
        changed = services.set_leader(subject, form.leader_id.data, current_user)
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    if changed:
        flash(_("Leader in charge saved."), "success")
    return redirect(back)


@bp.route("/plans/<int:plan_id>/leader", methods=["POST"])
@office_only
def plan_leader(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    return _set_leader(plan, url_for("people.plan_people", plan_id=plan.id))


@bp.route("/sections/<int:section_id>/leader", methods=["POST"])
@office_only
def section_leader(section_id: int):
    section = db.session.get(Section, section_id) or abort(404)
    return _set_leader(section, url_for("people.plan_people", plan_id=section.plan_id))


@bp.route("/tasks/<int:task_id>/leader", methods=["POST"])
@office_only
def task_leader(task_id: int):
    task = plan_services.load_task(task_id) or abort(404)
    return _set_leader(task, url_for("pages.task_detail", task_id=task.id))


@bp.route("/tasks/<int:task_id>/responsible-person", methods=["POST"])
@role_required(Role.OFFICE, Role.LIAISON)
def responsible_person(task_id: int):
    """The office names any unit's person; a liaison only its own unit's (lead or co-unit)."""
    task = plan_services.load_task(task_id)
    if task is None or not can_view_task(current_user, task):
        abort(404)
    back = url_for("pages.task_detail", task_id=task.id)
    form = forms.ResponsiblePersonForm()
    if not form.validate_on_submit() or form.unit_id.data is None:
        for errors in form.errors.values():
            flash(errors[0], "error")
        if not form.errors:
            flash(_("Choose the lead unit or one of the task's co-units."), "error")
        return redirect(back)
    scope = current_scope()
    if scope is not None and form.unit_id.data not in scope:
        abort(403)
    try:
        changed = services.set_responsible_person(
            task, form.unit_id.data, form.name.data or "", form.phone.data or "", current_user
        )
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    if changed:
        flash(_("Responsible person saved."), "success")
    return redirect(back)


def task_page_people(task, user) -> dict:
    """The task page's people and the forms the user may use (pages.views.task_detail), in
    one statement (two for the office: the active leaders of its typed leader box and its
    datalist): the office names the task's leader and any unit's person, a liaison its own
    unit's (the unit, or a unit it succeeded; the POST checks the whole unit scope)."""
    office = user.has_role(Role.OFFICE)
    people = queries.task_people(task)
    leader_form = leader_options = None
    if office:  # the leader typed, offered by the page's <datalist id="leaders"> (issue 13)
        labels = forms.short_leader_labels(queries.leader_rows())
        leader_form = forms.LeaderNameForm(leader_id=people.own_leader_id, formdata=None)
        leader_form.set_labels(labels)
        leader_options = datalist_options(labels.values())
    persons = []
    for unit in [task.lead_unit, *task.co_units]:
        mine = user.has_role(Role.LIAISON) and user.unit_id in (unit.id, unit.successor_id)
        if office or mine:
            person = people.persons.get(unit.id)
            form = forms.ResponsiblePersonForm(
                unit_id=unit.id,
                name=person.name if person else "",
                phone=(person.phone or "") if person else "",
                formdata=None,
            )
            persons.append((unit, form))
    return {
        "people": people,
        "people_forms": {"leader": leader_form, "persons": persons},
        "leader_options": leader_options,
    }
