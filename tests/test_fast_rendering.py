"""The pages made faster for issue 13 write the same HTML and rows as before: the task list's
unit options against the template loop they replace, and the lagging tasks' page (ids sorted
first) against the one-query page."""

import random
from datetime import date, timedelta

from sqlalchemy import select, update

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_condition
from tracker.plans.lights import RED
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.plans.search_views import unit_options
from tracker.settings import get_setting
from tracker.supervision.notices import services as notices


def test_unit_options_write_what_the_template_loop_wrote(app):
    loop = (
        '{% for unit in units %}<option value="{{ unit.id }}" '
        "{% if unit.id == selected %}selected{% endif %}>{{ unit.name }}</option>{% endfor %}"
    )

    class Unit:
        def __init__(self, id, name):
            self.id, self.name = id, name

    units = [Unit(n, name) for n, name in enumerate(["市发改委", 'a<b"c', "x & y", "'q'", ""], 1)]
    with app.test_request_context():
        template = app.jinja_env.from_string(loop)
        for selected in (None, 1, 3, 5, 99):
            assert str(unit_options(units, selected)) == template.render(
                units=units, selected=selected
            )


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
