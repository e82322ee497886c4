"""Forms shared by every feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField as _IntegerField
from wtforms.widgets import HiddenInput

from tracker.common.http import DB_INT_MAX, DB_INT_MIN, parse_int


class ActionForm(FlaskForm):
    """A step without fields (acknowledge, assign a whole plan): only the CSRF token."""


class IntegerField(_IntegerField):
    """wtforms' IntegerField bounded to the database's INTEGER: "99999999999" is "not a whole
    number" like "abc" (wtforms' own would pass it on, and NumberRange would raise on it)."""

    def __init__(self, label=None, validators=None, minimum=DB_INT_MIN, maximum=DB_INT_MAX, **kw):
        super().__init__(label, validators, **kw)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_int(valuelist[0], self.minimum, self.maximum)
        if self.data is None and valuelist[0].strip():
            raise ValueError(_l("Enter a whole number."))


class HiddenIntegerField(IntegerField):
    """A number the page carries back (a report's version): hidden, bounded like IntegerField."""

    widget = HiddenInput()
