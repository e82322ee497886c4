"""A task's whole month on frozen clocks: assign → acknowledge → draft → submit → return →
resubmit → accept → close-out, with an extension rejected then approved and a leader's
instruction answered. Every step shows on the task's timeline."""

from datetime import date

from freezegun import freeze_time
from sqlalchemy import select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    TaskAssignment,
)


def _task(task_id):
    db.session.expire_all()
    return db.session.get(Task, task_id)


def _one(model, **where):
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where).order_by(model.id.desc())).first()


def _report_data(task_id, version, action, progress="完成示范基地申报材料初审", percent=40):
    return {
        "task_id": task_id,
        "version": version,
        "progress": progress,
        "percent": percent,
        "problems": "无",
        "next_steps": "报送省级评审",
        "action": action,
    }


def test_a_task_from_assignment_to_close_out(world, client_for):
    task_id = world["ids"]["own_task"]  # 长发〔2017〕29号 item 1, lead 市发改委

    with freeze_time("2026-09-28 09:00:00"):  # Monday before the National Day holiday
        office = client_for("office")
        assert office.post(f"/tasks/{task_id}/assign").status_code == 302
        assert _task(task_id).status == "assigned"
        lead = _one(TaskAssignment, task_id=task_id, is_lead=True)
        assert lead.ack_due == date(2026, 10, 8)  # 3 working days, across the Golden Week

    with freeze_time("2026-09-29 10:00:00"):
        liaison = client_for("liaison")
        assert liaison.post(f"/tasks/{task_id}/acknowledge").status_code == 302
        assert _one(TaskAssignment, task_id=task_id, is_lead=True).acknowledged_at is not None
        assert _task(task_id).status == "in_progress"

    with freeze_time("2026-10-20 09:00:00"):
        liaison, office = client_for("liaison"), client_for("office")
        assert (
            liaison.post("/reports/save", data=_report_data(task_id, 0, "draft")).status_code == 302
        )
        assert (
            liaison.post("/reports/save", data=_report_data(task_id, 1, "submit")).status_code
            == 302
        )
        report = _one(ProgressReport, task_id=task_id)
        period = db.session.get(ReportingPeriod, report.period_id)
        assert (report.state, period.due_date) == ("submitted", date(2026, 10, 26))
        response = office.post(
            f"/review/{report.id}",
            data={"version": report.version, "decision": "return", "reason": "请补充量化指标"},
        )
        assert response.status_code == 302
        assert _one(ProgressReport, task_id=task_id).state == "returned"
        response = liaison.post(
            "/reports/save",
            data=_report_data(
                task_id, 3, "submit", progress="完成初审，2家基地进入省级评审", percent=50
            ),
        )
        assert response.status_code == 302
        report = _one(ProgressReport, task_id=task_id)
        response = office.post(
            f"/review/{report.id}",
            data={"version": report.version, "decision": "accept", "quality": "good"},
        )
        assert response.status_code == 302
        report = _one(ProgressReport, task_id=task_id)
        assert (report.state, report.quality, report.percent) == ("accepted", "good", 50)

        # extension: rejected, then approved
        response = liaison.post(
            f"/tasks/{task_id}/extensions",
            data={"requested_due": "2026-12-31", "reason": "省级评审推迟"},
        )
        assert response.status_code == 302
        request = _one(ExtensionRequest, task_id=task_id)
        assert request.state == "pending"
        response = office.post(
            f"/extensions/{request.id}/decide", data={"decision": "reject", "note": "理由不充分"}
        )
        assert response.status_code == 302
        assert _one(ExtensionRequest, task_id=task_id).state == "rejected"
        assert _task(task_id).due_date == date(2020, 12, 31)
        liaison.post(
            f"/tasks/{task_id}/extensions",
            data={"requested_due": "2027-06-30", "reason": "省级评审推迟至2027年上半年，附通知"},
        )
        request = _one(ExtensionRequest, task_id=task_id)
        office.post(f"/extensions/{request.id}/decide", data={"decision": "approve", "note": ""})
        assert _one(ExtensionRequest, id=request.id).state == "approved"
        assert _task(task_id).due_date == date(2027, 6, 30)

        # a leader's instruction, answered by the lead unit
        leader = client_for("leader")
        assert (
            leader.post(
                f"/tasks/{task_id}/instructions", data={"text": "请加快推进，月底前报送进展。"}
            ).status_code
            == 302
        )
        instruction = _one(Instruction, task_id=task_id)
        response = liaison.post(
            f"/instructions/{instruction.id}/answer",
            data={"text": "已按批示要求部署，月底前报送。"},
        )
        assert response.status_code == 302
        assert _one(Instruction, id=instruction.id).answered_at is not None

    with freeze_time("2026-10-27 09:00:00"):
        liaison, office = client_for("liaison"), client_for("office")
        response = liaison.post(
            f"/tasks/{task_id}/close-out",
            data={"summary": "2家基地获批省级双创示范基地，任务完成。"},
        )
        assert response.status_code == 302
        close_out = _one(CloseOutRequest, task_id=task_id)
        assert close_out.state == "pending"
        response = office.post(
            f"/close-outs/{close_out.id}/decide", data={"decision": "confirm", "note": ""}
        )
        assert response.status_code == 302
        task = _task(task_id)
        assert task.status == "closed" and task.closed_at is not None

        # every step is on the timeline
        actions = set(
            db.session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.subject_type == "task", AuditEvent.subject_id == task_id
                )
            )
        )
        assert {"report.saved", "report.submitted", "report.returned", "report.accepted"} <= actions
        assert len(actions) >= 10, actions
        page = office.get(f"/tasks/{task_id}").get_data(as_text=True)
        for text in (
            "请补充量化指标",
            "理由不充分",
            "请加快推进",
            "已按批示要求部署",
            "2家基地获批省级双创示范基地",
        ):
            assert text in page, text
