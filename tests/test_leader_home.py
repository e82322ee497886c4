"""The leader's home shows the overdue (red) tasks per plan and a way to them."""

from freezegun import freeze_time
from sqlalchemy import update

from tracker.extensions import db
from tracker.plans.models import Task


@freeze_time("2026-11-20 09:00:00")
def test_the_leaders_home_counts_red_tasks_per_plan(world, client_for):
    ids = world["ids"]
    leader = client_for("leader")
    leader.set_cookie("tracker_lang", "en")
    page = leader.get("/").get_data(as_text=True)
    assert "No task is overdue." in page  # nothing assigned yet: nothing is late
    # own_task is due 2020-12-31: open, it is red
    db.session.execute(update(Task).where(Task.id == ids["own_task"]).values(status="assigned"))
    db.session.commit()
    page = leader.get("/").get_data(as_text=True)
    assert "Overdue tasks: 1." in page and "/dashboard#overdue" in page
    assert f'data-testid="plan-red-{ids["own_plan"]}"' in page
    assert f'data-testid="plan-red-{ids["other_plan"]}"' not in page
    assert f'href="/dashboard/plans/{ids["own_plan"]}"' in page
    # a liaison's home has no such summary
    assert "overdue-summary" not in client_for("liaison").get("/").get_data(as_text=True)
