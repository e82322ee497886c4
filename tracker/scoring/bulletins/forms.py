"""Forms of the bulletin pages (CSRF via Flask-WTF). Whether a period has stored scores, or
a bulletin may still change, is decided in bulletins.py, not here."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.scoring import rules
from tracker.scoring.bulletins.services import BODY_MAX, TITLE_MAX


class BulletinNewForm(FlaskForm):
    period = StringField(
        _l("Scoring period"),
        validators=[
            DataRequired(_l("Give the period.")),
            Length(max=16, message=_l("At most %(max)d characters.")),
        ],
    )


class BulletinEditForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the title.")),
            Length(max=TITLE_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Write the text of the bulletin.")),
            Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


def period_suggestions(today: date) -> list[str]:
    """This and the five previous months, this and the previous quarter and year: the
    suggestions of the period field."""
    periods = [rules.period_for("month", today)]
    for _ in range(5):
        periods.append(rules.previous_period(periods[-1]))
    for kind in ("quarter", "year"):
        current = rules.period_for(kind, today)
        periods += [current, rules.previous_period(current)]
    return [p.key for p in periods]
