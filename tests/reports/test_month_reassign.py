"""The liaison's month page and the report save follow the reassignment rule (docs/intake.md
rule 2): in the month of a change the removed unit files the report, the added unit not yet."""

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.reports.models import ProgressReport

REASON = "机构职能调整，改由市科技局牵头"


@pytest.fixture
def reassigned(world):
    """own_task (led by 市发改委) assigned, then reassigned to 市科技局 alone this month."""
    from tracker.plans import changes
    from tracker.supervision.workflow import services as workflow
    from tracker.timeutil import today

    ids = world["ids"]
    office = world["users"]["office"]
    task = workflow.load_task_for_update(ids["own_task"])
    workflow.assign_task(task, office, today())
    changes.reassign(task, ids["unit"], [], REASON, office, today=today())
    db.session.commit()
    return world


def _card(task_number):
    return f'data-testid="report-card-{task_number}"'.encode()


def test_the_removed_unit_still_files_this_months_report(reassigned, client_for, report_form):
    task_id = reassigned["ids"]["own_task"]
    fgw = client_for("liaison")
    page = fgw.get("/reports")
    assert page.status_code == 200
    assert _card(1) in page.data
    assert b'data-testid="reassigned-away"' in page.data
    response = fgw.post("/reports/save", data=report_form(task_id, action="submit"))
    assert response.status_code == 302
    saved = db.session.scalars(
        select(ProgressReport).where(ProgressReport.task_id == task_id)
    ).all()
    assert [(r.unit_id, r.state) for r in saved] == [
        (reassigned["users"]["liaison"].unit_id, "submitted")
    ]


def test_the_added_unit_files_from_next_month(reassigned, client_for, report_form):
    task_id = reassigned["ids"]["own_task"]
    kjj = client_for("other_liaison")
    page = kjj.get("/reports")
    assert page.status_code == 200
    assert _card(1) not in page.data
    response = kjj.post("/reports/save", data=report_form(task_id))
    assert response.status_code == 404
    assert (
        db.session.scalars(select(ProgressReport).where(ProgressReport.task_id == task_id)).all()
        == []
    )
