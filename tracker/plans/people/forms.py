"""Forms of people: name a leader in charge (typed, on the people page and the task page),
name a responsible person (CSRF on both)."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from rapidfuzz import fuzz, process
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from tracker.common.forms import HiddenIntegerField, LookupField
from tracker.plans.people import queries

_WITH_ACCOUNT = re.compile(r"^(.*?)\s*[(（]([^()（）]+)[)）]$")


def leader_label(display_name: str, username: str) -> str:
    """How a leader is written in the typed field and its datalist: "张三 (leader17)", the
    account name making it unique when two leaders share a name."""
    return f"{display_name} ({username})"


class LeaderField(LookupField):
    """The leader in charge, typed: "name (account)" as the datalist offers it, the account
    name alone, or the name when one active leader has it; empty clears (inherits).

    Refused with a message: no such active leader (with the closest names), a name that
    several leaders share (type the account)."""

    list_id = "leaders"

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, **kw)
        self.labels: dict[int, str] = {}

    def label_of(self, value) -> str:
        return self.labels.get(value, "")

    def resolve(self, text: str) -> int:
        rows = queries.leader_rows()
        written = _WITH_ACCOUNT.match(text)
        hits = [r for r in rows if r.username == text]
        if not hits and written:  # "name (account)"; a name may hold brackets itself
            hits = [r for r in rows if r.username == written.group(2).strip()]
        if not hits:
            hits = [r for r in rows if r.display_name == text]
        if not hits and text.isdecimal():  # the old menu's value: an account id
            hits = [r for r in rows if str(r.id) == text]
            if not hits:
                raise ValueError(_("Choose an active leader account."))
        if len(hits) > 1:
            one = leader_label(hits[0].display_name, hits[0].username)
            raise ValueError(
                _("Several leaders are called “%(name)s”: add the account, e.g. %(one)s.",
                  name=text, one=one)
            )  # fmt: skip
        if hits:
            return hits[0].id
        names = [leader_label(r.display_name, r.username) for r in rows]
        near = [n for n, _s, _i in process.extract(text, names, scorer=fuzz.WRatio, limit=3,
                                                    score_cutoff=50)]  # fmt: skip
        if near:
            raise ValueError(
                _("No active leader is called “%(name)s”. Did you mean: %(near)s?",
                  name=text, near="、".join(near))
            )  # fmt: skip
        raise ValueError(_("No active leader is called “%(name)s”.", name=text))


def short_leader_labels(rows) -> dict[int, str]:
    """How the task page writes each active leader (`rows`: queries.leader_rows) in its
    field and its datalist: the name alone, "name (account)" only when several active
    leaders share the name; LeaderField reads both. ≈ 26 B a leader in the datalist instead
    of ≈ 38 B an option of the old menu (issue 13)."""
    seen: dict[str, int] = {}
    for r in rows:
        seen[r.display_name] = seen.get(r.display_name, 0) + 1
    return {
        r.id: r.display_name
        if seen[r.display_name] == 1
        else leader_label(r.display_name, r.username)
        for r in rows
    }


class LeaderNameForm(FlaskForm):
    """The leader in charge of a plan or a section, typed (the people page: one datalist of
    leaders for all its forms instead of one ~1,000-option menu per form)."""

    leader_id = LeaderField(
        _l("Leader in charge"), render_kw={"placeholder": _l("Empty: inherited")}
    )

    def set_labels(self, labels: dict[int, str]) -> None:
        self.leader_id.labels = labels


class ResponsiblePersonForm(FlaskForm):
    """A unit's responsible person for a task: a name and a phone (an empty name clears)."""

    unit_id = HiddenIntegerField(minimum=1)
    name = StringField(_l("Responsible person"), validators=[Optional(), Length(max=50)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[0-9+\-() ]*$", message=_l("Enter a phone number (digits, + - and spaces).")),
        ],
    )
