"""Scorecards (考核): the ranking of a period, a unit's ledger, the rules page, the office's
compute and adjustment, and the scorecard exports (JSON, Excel).

Who: office, leader and admin read every scorecard; a liaison reads its own unit's ledger
only (another unit's is "not found", 404) and the rules; only the office computes, adjusts
and changes the rules. Each POST is one transaction; a refused step saves nothing.
"""

import json
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.http import int_arg
from tracker.database import writing
from tracker.extensions import db
from tracker.scoring import ledger, rules, services, standings
from tracker.scoring.bulletins.forms import period_suggestions
from tracker.scoring.exports import scorecard_workbook
from tracker.scoring.forms import AdjustmentForm, ComputeForm, RuleSetForm
from tracker.timeutil import today
from tracker.units import services as unit_services
from tracker.units.forms import unit_datalist
from tracker.units.models import Unit

bp = Blueprint("scoring", __name__)
READERS = (Role.OFFICE, Role.LEADER, Role.ADMIN)
RANKING_PAGE = 50  # units per page of the ranking (2,000 units at province scale)
ENTRIES_PAGE = 100  # score entries per page of a unit's ledger


def _period_arg(source=None) -> rules.Period:
    """The period asked for (default: last month); 400 for a malformed one."""
    text = source if source is not None else request.args.get("period")
    text = text or rules.last_month(today())
    try:
        return rules.parse_period(text)
    except ValueError:
        abort(400, description=_("Give the period as YYYY-MM, YYYY-Qn or YYYY."))


def _period_choices(day: date) -> list[tuple[str, str]]:
    """The period menu: the same recent months, quarters and years as the bulletin form."""
    return [(key, key) for key in period_suggestions(day)]


@bp.route("/scores")
@role_required(*READERS)
def index():
    return _index_page(_period_arg())


def _index_page(period: rules.Period, adjust_form=None, status=200):
    """The ranking of the period, with the office's compute and adjustment forms: ranked,
    counted and paged in SQL (standings.ranking_page), 50 units a page; with a category, its
    units ranked among themselves."""
    when = today()
    scores = standings.period_state(period, when)
    trend_months = standings.recent_months(when, 6)
    can_edit = current_user.has_role(Role.OFFICE) and period.kind == "month"
    form = adjust_form or AdjustmentForm(period=period.key)
    # the typed unit's names (one statement) only where the form is shown
    unit_options = unit_datalist() if can_edit else None
    category_id = int_arg("category")
    cards, page, count = standings.ranking_page(
        period,
        int_arg("page") or 1,
        RANKING_PAGE,
        category_id,
        # every unit with a card is ranked: period_state counted them already
        known_count=None if category_id else scores.unit_count,
    )
    return render_template(
        "scoring/index.html",
        period=period,
        scores=scores,
        categories=unit_services.categories(),  # 分类考核: filter by category (issue 14)
        category_id=category_id,
        page_rows=[(card, card.rank) for card in cards],
        ranked_count=count,
        page=page,
        page_size=RANKING_PAGE,
        trends=standings.trends(trend_months, [card.unit.id for card in cards]),
        trend_months=trend_months,
        period_choices=_period_choices(when),
        compute_form=ComputeForm(period=period.key),
        adjust_form=form,
        unit_options=unit_options,
        can_edit=can_edit,
        can_compute=current_user.has_role(Role.OFFICE),
        rule_label=rules.rule_label,
    ), status


@bp.route("/scores/units/<int:unit_id>")
@login_required
def unit_card(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    if current_user.has_role(Role.LIAISON):
        if current_user.unit_id != unit.id:
            abort(404)
    elif not current_user.has_role(*READERS):
        abort(403)
    period = _period_arg()
    # the unit's rank from the SQL ranking, one page of its entries and their totals by
    # rule: a year's ledger of a busy unit runs to hundreds of entries (issue 13)
    scores = standings.period_state(period, today())
    card, page, count = standings.unit_card(period, unit.id, int_arg("page") or 1, ENTRIES_PAGE)
    pages = max(1, -(-count // ENTRIES_PAGE))
    shown = card.entries if card else []
    return render_template(
        "scoring/unit.html",
        unit=unit,
        period=period,
        scores=scores,
        card=card,
        entries=shown,
        entry_count=count,
        page=page,
        pages=pages,
        tasks=ledger.tasks_named(shown),
        event_labels=ledger.EVENT_LABELS,
        period_choices=_period_choices(today()),
        rule_label=rules.rule_label,
        event_url=ledger.event_url,
    )


@bp.route("/scores/compute", methods=["POST"])
@role_required(Role.OFFICE)
def compute():
    form = ComputeForm()
    if not form.validate_on_submit():
        abort(400)
    period = _period_arg(form.period.data)
    with writing():
        months = services.compute_period(period.key, today(), user=current_user)
        db.session.commit()
    if months:
        flash(_("Scores computed for %(months)s.", months="、".join(months)), "success")
    else:
        flash(_("This period has not begun: nothing to compute."), "error")
    return redirect(url_for("scoring.index", period=period.key))


@bp.route("/scores/adjustments", methods=["POST"])
@role_required(Role.OFFICE)
def adjust():
    form = AdjustmentForm()
    period = _period_arg(form.period.data)
    if period.kind != "month":
        abort(400, description=_("Adjustments are made for a month."))
    if form.validate_on_submit():
        try:
            amount = rules.parse_amount(form.amount.data)
        except ValueError:
            form.amount.errors.append(
                _("Give a number of points between -100 and 100, e.g. -1 or 2.5.")
            )
        else:
            try:
                with writing():
                    services.add_adjustment(
                        current_user, period.key, form.unit_id.data, amount, form.reason.data
                    )
                    services.store_month(period.key, today())
                    db.session.commit()
            except StepRefused as exc:
                db.session.rollback()
                flash(str(exc.message), "error")
            else:
                flash(_("Adjustment recorded and the month recomputed."), "success")
                return redirect(url_for("scoring.index", period=period.key))
    return _index_page(period, adjust_form=form, status=400)


@bp.route("/scores/rules", methods=["GET", "POST"])
@login_required
def rule_page():
    versions = services.rule_sets()
    when = today()
    current_version, current = services.rule_set_for(rules.month_key(when.year, when.month))
    form = RuleSetForm(formdata=None) if request.method == "GET" else RuleSetForm()
    if request.method == "GET":
        for code in rules.RULES:
            getattr(form, code).data = str(current.get(code, 0))
        form.effective_from.data = rules.month_key(when.year, when.month)
    status = 200
    if request.method == "POST":
        if not current_user.has_role(Role.OFFICE):
            abort(403)
        status = 400
        if form.validate_on_submit():
            amounts, bad = {}, []
            for code in rules.RULES:
                try:
                    amounts[code] = rules.parse_amount(getattr(form, code).data)
                except ValueError:
                    bad.append(code)
                    getattr(form, code).errors.append(_("Give a number, e.g. -2 or 0.5."))
            if not bad:
                try:
                    with writing():
                        rule_set = services.create_rule_set(
                            current_user, form.effective_from.data, amounts, form.note.data
                        )
                        db.session.commit()
                except StepRefused as exc:
                    db.session.rollback()
                    flash(str(exc.message), "error")
                else:
                    flash(
                        _(
                            "Version %(version)s of the rules is in force from %(month)s. "
                            "Recompute the months it covers to apply it.",
                            version=rule_set.version,
                            month=rule_set.effective_from,
                        ),
                        "success",
                    )
                    return redirect(url_for("scoring.rule_page"))
    return render_template(
        "scoring/rules.html",
        versions=versions,
        current_version=current_version,
        current=current,
        form=form,
        can_edit=current_user.has_role(Role.OFFICE),
        rule_codes=rules.RULES,
        rule_label=rules.rule_label,
        deduction_rules=rules.DEDUCTION_RULES,
    ), status


@bp.route("/scores/export.json")
@role_required(*READERS)
def export_json():
    period = _period_arg()
    scores = standings.period_scores(period, today())
    # no indent: json's C encoder only runs without one (5× faster on a province's ledger)
    body = json.dumps(standings.scorecard_json(scores), ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=scorecard-{period.key}.json"},
    )


@bp.route("/scores/export.xlsx")
@role_required(*READERS)
def export_xlsx():
    # streamed from the stored ledger, ranked in SQL (exports.scorecard_workbook)
    period = _period_arg()
    return Response(
        scorecard_workbook(period),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=scorecard-{period.key}.xlsx"},
    )
