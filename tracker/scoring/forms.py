"""Forms of the scorecard pages: compute, manual adjustment, a new version of the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.scoring import rules
from tracker.units.forms import UnitField


class ComputeForm(FlaskForm):
    period = HiddenField(validators=[DataRequired()])


class AdjustmentForm(FlaskForm):
    period = HiddenField(validators=[DataRequired()])
    # typed, from the page's one <datalist id="units"> (current units; issue 13: the menu of
    # 2,000 units was ≈ 96 KB of the page)
    unit_id = UnitField(_l("Unit"), validators=[DataRequired()])
    amount = StringField(
        _l("Points"),
        validators=[DataRequired(message=_l("Give the points, e.g. -1 or 2."))],
        description=_l("Negative for a deduction, positive for a credit."),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for the adjustment.")),
            Length(max=2000),
        ],
    )


class RuleSetForm(FlaskForm):
    """One field per rule (named after its code) plus the first month and the reason."""

    effective_from = StringField(
        _l("In force from (YYYY-MM)"),
        validators=[DataRequired(message=_l("Give the first month as YYYY-MM."))],
    )
    note = TextAreaField(
        _l("Why the rules change"),
        validators=[DataRequired(message=_l("Say why the rules change.")), Length(max=2000)],
    )


for _code in rules.RULES:
    setattr(
        RuleSetForm,
        _code,
        StringField(
            rules.RULE_LABELS[_code], validators=[DataRequired(message=_l("Give every amount."))]
        ),
    )
