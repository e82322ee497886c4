"""The link and unlink forms (CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from tracker.common.forms import ActionForm


class LinkForm(FlaskForm):
    """The tasks to link, as ids separated by commas or spaces ("12, 57"); `next` is where
    to return (checked with safe_next)."""

    task_ids = StringField(_l("Task numbers to link"))
    next = HiddenField()


class UnlinkForm(ActionForm):
    next = HiddenField()


def parse_ids(raw: str | None) -> list[int] | None:
    """The ids of "12, 57 ,3"; None when any part is not a whole number (or none given)."""
    parts = [p for p in (raw or "").replace("，", ",").replace(",", " ").split() if p]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
        return None
    return [int(p) for p in parts]
