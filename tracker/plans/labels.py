"""The words every task row shows (its light, its status, "Lead unit", "Co-units:"),
translated once per request rather than once per row.

Flask-Babel's gettext costs ~0.1 ms a call; the shared row macros (templates/_macros/ui.html,
tables.html) called it several times a row, ~300 calls for a page of 50 tasks
(docs/performance.md). The macro files read `row_labels()` once, at the top, and the rows
look words up in plain dicts.
"""

from flask import g
from flask_babel import gettext as _

from tracker.plans.lights import LIGHT_LABELS
from tracker.plans.models import TASK_STATUS_LABELS


def row_labels() -> dict:
    """{"light": {light: text}, "status": {status: text}, and the row words}, in the
    request's language; built once per request (the language may differ per request)."""
    labels = g.get("_row_labels")
    if labels is None:
        labels = {
            "light": {key: str(text) for key, text in LIGHT_LABELS.items()},
            "status": {status.value: str(text) for status, text in TASK_STATUS_LABELS.items()},
            "Status": _("Status"),
            "Lead unit": _("Lead unit"),
            "Co-units:": _("Co-units:"),
            "provisional": _("provisional"),
        }
        g._row_labels = labels
    return labels
