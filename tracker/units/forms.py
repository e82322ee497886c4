"""Unit administration forms, and the fields other forms use to name a unit by typing it
(issue 13: one `<datalist id="units">` per page instead of a 2,000-option menu per field).

Rules of `UnitField` / `UnitsField` (docs/performance-pages.md, "Forms that list every unit"):
- a unit is named by its name (unique), its short code (unique, any case), its full name or
  one of its other names when only one unit has it; a bare number is a unit id (scripts and
  the forms' old `<select>` values);
- an unknown name is refused with the closest current names, a name that several units
  share is refused naming them, a retired unit (successor set) is refused naming its
  successor wherever the old menu listed current units only;
- co-units are written in one box separated by 、 , ; or new lines, in order, each once."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select
from sqlalchemy.orm.util import identity_key
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, StopValidation

from tracker.common.forms import IntegerField, LookupField, datalist_options
from tracker.extensions import db
from tracker.kept import kept
from tracker.units.models import UNIT_KIND_LABELS, Unit

# ------------------------------------------------------------------ naming a unit by typing it

SEPARATORS = re.compile(r"[、，,；;\r\n]+")
_ROW = (Unit.id, Unit.name, Unit.code, Unit.full_name, Unit.successor_id)


def split_names(text: str) -> list[str]:
    """The names written in one box, in order, each once: "A、B，C" / one a line."""
    names: list[str] = []
    for part in SEPARATORS.split(text or ""):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return names


def _quoted(names) -> str:
    return "、".join(f"“{n}”" for n in names)


def _candidates(written: list[str]) -> dict[str, list]:
    """{written: [unit rows it names exactly]} in one statement: by name, code, full name."""
    codes = [w.lower() for w in written]
    numbers = [int(w) for w in written if w.isdecimal() and len(w) < 10]
    rows = db.session.execute(
        select(*_ROW).where(
            or_(
                Unit.name.in_(written),
                func.lower(Unit.code).in_(codes),
                Unit.full_name.in_(written),
                Unit.id.in_(numbers or [-1]),
            )
        )
    ).all()
    found: dict[str, list] = {}
    for w in written:
        by_name = [r for r in rows if r.name == w or r.code.lower() == w.lower()]
        hits = by_name or [r for r in rows if r.full_name == w]
        if not hits and w.isdecimal():
            hits = [r for r in rows if str(r.id) == w]
        found[w] = hits
    return found


def _by_other_names(written: list[str]) -> tuple[dict[str, list], list]:
    """Units named by one of their other names (aliases), and every unit row for the
    suggestions: read only when a written name matched nothing exactly."""
    rows = db.session.execute(select(*_ROW, Unit.aliases).order_by(Unit.code)).all()
    found = {w: [r for r in rows if w in (r.aliases or [])] for w in written}
    return found, rows


def _suggestions(written: str, rows, current_only: bool) -> list[str]:
    """The three current names closest to an unknown one (rapidfuzz, as the importer)."""
    names = [r.name for r in rows if not (current_only and r.successor_id)]
    hits = process.extract(written, names, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
    return [name for name, _score, _index in hits]


def resolve_units(written: list[str], current_only: bool = True) -> tuple[list[int], list[str]]:
    """Unit ids for written names, in order, and the messages for those that name no single
    (current) unit. One statement, two when a name needs the other names or suggestions."""
    if not written:
        return [], []
    found = _candidates(written)
    missing = [w for w, hits in found.items() if not hits]
    rows = []
    if missing:
        by_alias, rows = _by_other_names(missing)
        found.update(by_alias)
    names = {r.id: r.name for r in rows}
    successors = {r.successor_id for hits in found.values() for r in hits if r.successor_id}
    if current_only and successors - set(names):
        names.update(
            db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(successors))).all()
        )
    ids, problems = [], []
    for w in written:
        hits = found[w]
        if not hits:
            near = _suggestions(w, rows, current_only)
            problems.append(
                _("No unit is called “%(name)s”. Did you mean: %(near)s?", name=w,
                  near=_quoted(near))
                if near else _("No unit is called “%(name)s”.", name=w)
            )  # fmt: skip
        elif len(hits) > 1:
            problems.append(
                _("“%(name)s” names several units: %(units)s. Type the name or the short code.",
                  name=w, units=_quoted(r.name for r in hits))
            )  # fmt: skip
        elif current_only and hits[0].successor_id:
            problems.append(
                _("%(name)s was reorganised: its work answers to %(successor)s. Choose that unit.",
                  name=hits[0].name, successor=names.get(hits[0].successor_id, "?"))
            )  # fmt: skip
        else:
            ids.append(hits[0].id)
    return ids, problems


def unit_names(ids) -> dict[int, str]:
    """Names of units by id: from the session when loaded there, else one statement."""
    names, wanted = {}, []
    for i in ids:
        unit = db.session.identity_map.get(identity_key(Unit, i)) if i else None
        if unit is not None:
            names[i] = unit.name
        elif i:
            wanted.append(i)
    if wanted:
        names.update(
            db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all()
        )
    return names


def unit_menu(selected: int | None = None) -> Markup:
    """The <option> elements of a unit filter menu (the task list's, the review queue's):
    every unit in code order, `selected` marked. Written in Python, not looped in a
    template (2,000 options were a third of a page's rendering, issue 13), and once per
    process while no unit changes (tracker.kept: units are watched); then only the chosen
    unit's option is marked. One statement, none while kept."""
    menu = kept("unit_menu", None, _unit_menu, size=1)
    chosen = menu.get(selected) if selected is not None else None
    if chosen is None:
        return Markup("".join(menu.values()))
    marked = chosen.replace(">", " selected>", 1)
    return Markup("".join(marked if option is chosen else option for option in menu.values()))


def _unit_menu() -> dict[int, str]:
    """{unit id: its <option>, not selected}, in code order."""
    return {
        unit_id: str(Markup('<option value="%d">%s</option>') % (unit_id, name))
        for unit_id, name in db.session.execute(select(Unit.id, Unit.name).order_by(Unit.code))
    }


def unit_datalist(current_only: bool = True) -> Markup:
    """The options of the page's one `<datalist id="units">`: unit names in code order
    (current units only where the fields accept only those). One statement, none while the
    process keeps them (tracker.kept: units are watched)."""

    def written():
        query = select(Unit.name).order_by(Unit.code)
        if current_only:
            query = query.where(Unit.successor_id.is_(None))
        return datalist_options(db.session.scalars(query))

    return kept("unit_datalist", current_only, written, size=2)


class UnitField(LookupField):
    """One unit, typed (see the module's rules); `data` is its id."""

    list_id = "units"

    def __init__(self, label=None, validators=None, current_only=True, **kw):
        super().__init__(label, validators, **kw)
        self.current_only = current_only

    def resolve(self, text: str) -> int:
        ids, problems = resolve_units([text], self.current_only)
        if problems:
            raise ValueError(problems[0])
        return ids[0]

    def label_of(self, value) -> str:
        return unit_names([value]).get(value, "")


class UnitsField(TextAreaField):
    """Several units in order (the co-units), typed in one box separated by 、 , ; or new
    lines; `data` is their ids in the order written. Every unknown name is reported."""

    def __init__(self, label=None, validators=None, current_only=True, **kw):
        super().__init__(label, validators, **kw)
        self.current_only = current_only
        self.text = None

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        if valuelist:
            self.text = "\n".join(valuelist)
            self.data = []

    def _value(self) -> str:
        if self.text is not None:
            return self.text
        names = unit_names(self.data or [])
        return "、".join(names.get(i, str(i)) for i in self.data or [])

    def pre_validate(self, form):
        if self.text is None:
            return
        ids, problems = resolve_units(split_names(self.text), self.current_only)
        if problems:
            raise StopValidation(" ".join(problems))
        self.data = list(dict.fromkeys(ids))


# ------------------------------------------------------------------ administration


class UnitForm(FlaskForm):
    name = StringField(
        _l("Name as written in documents"),
        validators=[DataRequired(_l("Enter the unit's name.")), Length(max=100)],
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    code = StringField(
        _l("Short code"),
        validators=[
            DataRequired(_l("Enter a short code.")),
            Regexp(r"^[a-z]{2,16}$", message=_l("2 to 16 lowercase letters.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=[(str(k), v) for k, v in UNIT_KIND_LABELS.items()])
    aliases_text = StringField(
        _l("Other names (separated by 、 or commas)"), validators=[Optional(), Length(max=500)]
    )
    category_id = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    successor_id = UnitField(_l("Successor"), current_only=False)
    successor_note = TextAreaField(
        _l("Note on the reorganisation"), validators=[Optional(), Length(max=1000)]
    )


class CategoryForm(FlaskForm):
    """A unit category (分类考核): its name and its place in the bulletins' order."""

    name = StringField(
        _l("Category"),
        validators=[DataRequired(_l("Enter the category's name.")), Length(max=50)],
    )
    position = IntegerField(_l("Order"), validators=[Optional()], minimum=0, maximum=999)
