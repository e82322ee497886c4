"""Export of plans as plain data (`flask --app wsgi export json`)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit


def export_plans() -> dict:
    """Every plan with its sections and tasks; unit names as written in the plan."""
    plans = db.session.scalars(
        select(Plan)
        .options(
            selectinload(Plan.sections)
            .selectinload(Section.tasks)
            .options(
                joinedload(Task.lead_unit),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
        )
        .order_by(Plan.issued_on, Plan.id)
    ).all()
    return {
        "plans": [
            {
                "doc_number": plan.doc_number,
                "title": plan.title,
                "issuer": plan.issuer,
                "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
                "sections": [
                    {
                        "number": section.number,
                        "title": section.title,
                        "tasks": [
                            {
                                "number": task.number,
                                "title": task.title,
                                "lead_unit": task.lead_unit.name,
                                "co_units": [u.name for u in task.co_units],
                                "due_date": task.due_date.isoformat() if task.due_date else None,
                                "status": task.status,
                            }
                            for task in section.tasks
                        ],
                    }
                    for section in plan.sections
                ],
            }
            for plan in plans
        ]
    }
