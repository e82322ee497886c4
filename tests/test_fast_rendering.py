"""The pages made faster for issue 13 write the same HTML and rows as before: the unit menu
of the task list and the review queue against the template loop it replaces, and the
lagging tasks' page (ids sorted first) against the one-query page."""

import random
from datetime import date, timedelta

from sqlalchemy import select, update

from tracker import kept
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_condition
from tracker.plans.lights import RED
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.settings import get_setting
from tracker.supervision.notices import services as notices
from tracker.units.forms import unit_datalist, unit_menu
from tracker.units.models import Unit, UnitKind


def test_unit_menu_writes_what_the_template_loop_wrote(app, world):
    loop = (
        '{% for unit in units %}<option value="{{ unit.id }}"'
        "{% if unit.id == selected %} selected{% endif %}>{{ unit.name }}</option>{% endfor %}"
    )
    names = ["某某委", 'a<b"c', "x & y", "'q'", "乙>甲"]
    for n, name in enumerate(names):
        db.session.add(Unit(name=name, code=f"ZZ{n:02d}", kind=UnitKind.GOV_DEPT.value))
    db.session.commit()
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    assert len(units) > len(names)
    template = app.jinja_env.from_string(loop)
    for selected in (None, units[0].id, units[-1].id, units[-3].id, 99999):
        expected = template.render(units=units, selected=selected)
        assert str(unit_menu(selected)) == expected
        assert expected.count(" selected>") == (selected != 99999 and selected is not None)


def test_the_kept_unit_menu_follows_a_renamed_or_added_unit(app, world):
    kept.forget()
    before = str(unit_menu())
    unit = db.session.scalars(select(Unit).order_by(Unit.code)).first()
    old_name = unit.name
    assert f">{old_name}</option>" in before
    assert f'"{old_name}"' in str(unit_datalist())  # kept as well, under the same stamp
    unit.name = "改名后的单位"
    db.session.add(Unit(name="新设单位", code="ZZ99", kind=UnitKind.GOV_DEPT.value))
    db.session.commit()
    after = str(unit_menu(unit.id))
    assert f'<option value="{unit.id}" selected>改名后的单位</option>' in after
    assert ">新设单位</option>" in after
    assert str(unit_menu()) != before
    suggestions = str(unit_datalist())
    assert '"改名后的单位"' in suggestions and '"新设单位"' in suggestions
    assert f'"{old_name}"' not in suggestions


def test_lagging_pages_are_the_one_query_pages(app, world):
    tasks = list(db.session.scalars(select(Task).order_by(Task.id).limit(40)).all())
    rng = random.Random(13)
    for task in tasks:  # open, closed, no due date, shared due dates across plans
        task.status = rng.choice(["assigned", "in_progress", "in_progress", "closed", "pending"])
        task.due_date = rng.choice([None, date(2026, 1, 5), date(2026, 3, 1), date(2027, 1, 1)])
        task.due_date = task.due_date or (date(2025, 6, 1) + timedelta(days=rng.randrange(3)))
    db.session.execute(
        update(Task).where(Task.id.in_([t.id for t in tasks[:3]])).values(due_date=None)
    )
    db.session.commit()
    today = date(2026, 10, 12)
    bounds = bounds_on(today, load_calendar(), int(get_setting("yellow_working_days")))
    expected = list(
        db.session.scalars(
            select(Task.id)
            .where(Task.status.in_(OPEN_STATUSES), light_condition(RED, bounds))
            .order_by(Task.due_date.is_(None), Task.due_date, Task.plan_id, Task.number)
        )
    )
    assert len(expected) > 7
    for per_page in (1, 3, 7):
        first = notices.lagging_tasks(today, 1, per_page)
        seen = []
        for page in range(1, first["pages"] + 1):
            seen += [
                task.id for task, _open in notices.lagging_tasks(today, page, per_page)["rows"]
            ]
        assert seen == expected and first["total"] == len(expected)
