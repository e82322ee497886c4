"""Forms shared by every feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import IntegerField as _IntegerField
from wtforms import StringField
from wtforms.validators import StopValidation
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


def datalist_options(values) -> Markup:
    """The `<option>`s of a page's one `<datalist>` (the unit or leader names the browser
    offers while typing), written in one join: 2,000 options in ≈ 1 ms (issue 13)."""
    return Markup("".join(f'<option value="{_attr(v)}">' for v in values))


def _attr(value) -> str:
    return str(escape(value)).replace('"', "&quot;")


class LookupField(StringField):
    """A text input that names one thing (a unit, a leader) the server resolves to its id.

    `data` is the id (None when empty), so views and services see what a `<select>` gave
    them; `text` is what was typed, shown again beside an error. Subclasses implement
    `resolve(text) -> id` (raising ValueError with the user's message) and `label_of(id)`.
    The input points at the page's one `<datalist id="{list_id}">`. "0", the value of the
    replaced menus' "—", still means nothing chosen."""

    list_id = ""

    def __init__(self, label=None, validators=None, **kw):
        render_kw = {"autocomplete": "off", **(kw.pop("render_kw", None) or {})}
        if self.list_id:
            render_kw.setdefault("list", self.list_id)
        super().__init__(label, validators, render_kw=render_kw, **kw)
        self.text = ""

    def process_data(self, value):
        self.data = value or None

    def process_formdata(self, valuelist):
        if valuelist:
            self.text = (valuelist[0] or "").strip()
            if self.text == "0":  # the "—" of the menus this field replaced: nothing chosen
                self.text = ""
            self.data = None

    def _value(self) -> str:
        if self.raw_data and self.text:
            return self.text
        return self.label_of(self.data) if self.data else ""

    def pre_validate(self, form):
        if self.raw_data is None or not self.text:
            return
        try:
            self.data = self.resolve(self.text)
        except ValueError as exc:
            raise StopValidation(str(exc.args[0])) from None

    def resolve(self, text: str) -> int:  # pragma: no cover - subclasses
        raise NotImplementedError

    def label_of(self, value) -> str:  # pragma: no cover - subclasses
        raise NotImplementedError
