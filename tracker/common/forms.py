"""Forms shared by every feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import IntegerField as _IntegerField
from wtforms.widgets import HiddenInput, Select

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


class FastSelect(Select):
    """wtforms' Select with the same HTML, but a plain option (no render_kw, no extra
    attributes) is written directly instead of through html_params and Markup.format: the
    task page's menu of ~1,000 leaders took most of the page's template time (issue 13)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = choice.value
        if isinstance(value, bool):
            value = str(value)
        # as html_params: escaped (a Markup value's own quotes too), "selected" sorted first
        value = str(escape(value)).replace('"', "&quot;")
        label = escape(choice.label or choice.value)
        if choice.selected:
            return Markup(f'<option selected value="{value}">{label}</option>')
        return Markup(f'<option value="{value}">{label}</option>')
