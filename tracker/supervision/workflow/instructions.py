"""Leaders' instructions (领导批示) on a task and the lead unit's answer."""

from datetime import date

from tracker.accounts.models import Role
from tracker.audit import record
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.settings import get_setting
from tracker.supervision.delivery.notify import notify_event
from tracker.supervision.models import (
    Instruction,
)
from tracker.supervision.workflow import rules
from tracker.supervision.workflow.services import (
    refuse_if,
    require_lead,
    unit_name,
)
from tracker.timeutil import utcnow


def write_instruction(task: Task, user, today: date, text: str) -> Instruction:
    """A leader's instruction; the lead unit answers within the configured working days."""
    if not user.has_role(Role.LEADER):
        raise StepRefused("leader_only")
    refuse_if(rules.check_instruction(task.status))
    text = text.strip()
    days = int(get_setting("instruction_answer_working_days"))
    instruction = Instruction(
        task_id=task.id,
        author_id=user.id,
        text=text,
        created_at=utcnow(),
        answer_due=load_calendar().add_workdays(today, days),
    )
    db.session.add(instruction)
    db.session.flush()
    record(
        "task.instruction_written",
        task,
        actor=user,
        detail={
            "instruction_id": instruction.id,
            "text": text,
            "answer_due": instruction.answer_due.isoformat(),
        },
    )
    notify_event(
        "instruction_written",
        task,
        [task.lead_unit_id],
        due=instruction.answer_due.isoformat(),
        text=text,
    )
    return instruction


def answer_instruction(
    instruction: Instruction, task: Task, user, today: date, text: str
) -> Instruction:
    """The lead unit's liaison answers an instruction, once."""
    require_lead(user, task)
    refuse_if(rules.check_answer(instruction.answer is not None))
    text = text.strip()
    instruction.answer = text
    instruction.answered_at = utcnow()
    instruction.answered_by_id = user.id
    instruction.answer_unit_id = user.unit_id
    record(
        "task.instruction_answered",
        task,
        actor=user,
        detail={
            "instruction_id": instruction.id,
            "unit": unit_name(user.unit_id),
            "answer_due": instruction.answer_due.isoformat(),
            "late": rules.is_late(today, instruction.answer_due),
            "text": text,
        },
    )
    db.session.flush()
    return instruction
