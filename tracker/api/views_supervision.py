"""Supervision and scoring, read-only: supervision notices (督办单), leaders' instructions
(领导批示), alerts (预警 / 催办 …) and scorecards (考核)."""

from datetime import date

from sqlalchemy import select

from tracker.api import schemas
from tracker.api.auth import caller, token
from tracker.api.blueprints import api_blueprint
from tracker.api.core import keyset, page
from tracker.api.problems import Problem
from tracker.api.scope import scorecard_clause, task_clause, unit_bound_clause
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.scoring.models import Scorecard
from tracker.supervision.models import Alert, Instruction, SupervisionNotice

bp = api_blueprint("api_supervision", "Supervision notices, instructions, alerts and scorecards")


def _list(model, query, args, columns, convert=None):
    rows = db.session.scalars(keyset(query, args["sort"], columns, model.id, args, convert)).all()
    name = args["sort"].lstrip("-")

    def key(row):
        value = getattr(row, name)
        return value.isoformat() if isinstance(value, date) else value

    return page(rows, args["sort"], key, args["limit"])


def _one(model, row_id, clause):
    row = db.session.scalar(select(model).where(model.id == row_id, clause))
    if row is None:
        raise Problem(404, "not_found")
    return row


def _filters(query, model, args, names):
    for name in names:
        if args.get(name) is not None:
            query = query.where(getattr(model, name) == args[name])
    return query


# ---------------------------------------------------------------- notices


def _notice_clause():
    return unit_bound_clause(
        caller(), token(), SupervisionNotice.unit_id, SupervisionNotice.task_id
    )


@bp.route("/notices")
@bp.arguments(schemas.NoticeArgs, location="query")
@bp.response(200, schemas.NoticePage)
def notices(args):
    """Supervision notices: a liaison reads those addressed to its unit."""
    query = _filters(
        select(SupervisionNotice).where(_notice_clause()),
        SupervisionNotice,
        args,
        ("task_id", "unit_id", "state"),
    )
    columns = {"id": SupervisionNotice.id, "answer_due": SupervisionNotice.answer_due}
    convert = date.fromisoformat if args["sort"].lstrip("-") == "answer_due" else None
    return _list(SupervisionNotice, query, args, columns, convert)


@bp.route("/notices/<int:notice_id>")
@bp.response(200, schemas.NoticeOut)
def notice(notice_id):
    return _one(SupervisionNotice, notice_id, _notice_clause())


# ---------------------------------------------------------------- instructions


def _instruction_clause():
    return Instruction.task_id.in_(select(Task.id).where(task_clause(caller(), token())))


@bp.route("/instructions")
@bp.arguments(schemas.InstructionArgs, location="query")
@bp.response(200, schemas.InstructionPage)
def instructions(args):
    """Leaders' instructions on the tasks the caller sees (the author is not named)."""
    query = _filters(
        select(Instruction).where(_instruction_clause()), Instruction, args, ("task_id",)
    )
    if "answered" in args:
        query = query.where(
            Instruction.answered_at.is_not(None)
            if args["answered"]
            else Instruction.answered_at.is_(None)
        )
    columns = {"id": Instruction.id, "answer_due": Instruction.answer_due}
    convert = date.fromisoformat if args["sort"].lstrip("-") == "answer_due" else None
    return _list(Instruction, query, args, columns, convert)


@bp.route("/instructions/<int:instruction_id>")
@bp.response(200, schemas.InstructionOut)
def instruction(instruction_id):
    return _one(Instruction, instruction_id, _instruction_clause())


# ---------------------------------------------------------------- alerts


def _alert_clause():
    return unit_bound_clause(caller(), token(), Alert.unit_id, Alert.task_id)


@bp.route("/alerts")
@bp.arguments(schemas.AlertArgs, location="query")
@bp.response(200, schemas.AlertPage)
def alerts(args):
    """Alerts of the escalation ladder: a liaison reads its unit's."""
    query = _filters(
        select(Alert).where(_alert_clause()), Alert, args, ("task_id", "unit_id", "kind", "level")
    )
    if "open" in args:
        query = query.where(
            Alert.resolved_at.is_(None) if args["open"] else Alert.resolved_at.is_not(None)
        )
    columns = {"id": Alert.id, "swept_on": Alert.swept_on}
    convert = date.fromisoformat if args["sort"].lstrip("-") == "swept_on" else None
    return _list(Alert, query, args, columns, convert)


@bp.route("/alerts/<int:alert_id>")
@bp.response(200, schemas.AlertOut)
def alert(alert_id):
    return _one(Alert, alert_id, _alert_clause())


# ---------------------------------------------------------------- scorecards


def _scorecard_clause():
    return scorecard_clause(caller(), token(), Scorecard.unit_id)


@bp.route("/scorecards")
@bp.arguments(schemas.ScorecardArgs, location="query")
@bp.response(200, schemas.ScorecardPage)
def scorecards(args):
    """Scorecards: office, leader and admin read all; a liaison its own unit's."""
    query = _filters(
        select(Scorecard).where(_scorecard_clause()), Scorecard, args, ("period", "unit_id")
    )
    columns = {"id": Scorecard.id, "rank": Scorecard.rank}
    return _list(Scorecard, query, args, columns)


@bp.route("/scorecards/<int:scorecard_id>")
@bp.response(200, schemas.ScorecardOut)
def scorecard(scorecard_id):
    return _one(Scorecard, scorecard_id, _scorecard_clause())
