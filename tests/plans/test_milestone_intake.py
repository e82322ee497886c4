"""Milestones in from the document importer (a measure's yearly steps) and from the intake
Excel (the optional 节点 column)."""

import re
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans import document_import
from tracker.plans.milestones.models import DOCUMENT, EXCEL, Milestone
from tracker.plans.models import Plan, Task

BASE = "/plans/documents/import"
STEPS = """测试三年行动方案
一、重点任务
1.建设孵化平台。到2021年底，建成孵化器3家；2022年，新增众创空间5家；到2023年底，形成孵化体系。(市科技局)
2.完善科技金融服务。推动设立科技成果转化基金。(市财政局)
"""


def _milestones(plan_title: str) -> dict[int, list[tuple[str, str, str]]]:
    db.session.expire_all()
    plan = db.session.scalar(select(Plan).where(Plan.title == plan_title))
    rows = db.session.execute(
        select(Task.number, Milestone.due_date, Milestone.deliverable, Milestone.source)
        .join(Milestone, Milestone.task_id == Task.id)
        .where(Task.plan_id == plan.id)
        .order_by(Task.number, Milestone.due_date)
    ).all()
    found: dict[int, list] = {}
    for number, due, deliverable, source in rows:
        found.setdefault(number, []).append((due.isoformat(), deliverable, source))
    return found


def test_document_import_turns_a_measures_steps_into_milestones(world, client_for):
    user, client = world["users"]["office"], client_for("office")
    response = client.post(BASE, data={"text": STEPS})
    token = re.search(rf"{BASE}/([0-9a-f]{{32}})$", response.headers["Location"]).group(1)
    page = client.get(f"{BASE}/{token}").get_data(as_text=True)
    assert page.count('data-testid="proposed-milestones"') == 1
    draft = document_import.load(token, user.id).draft
    first, second = draft["plans"][0]["tasks"]
    assert [m["due_date"] for m in first["milestones"]] == [
        "2021-12-31",
        "2022-12-31",
        "2023-12-31",
    ]
    assert second["milestones"] == []
    form = {"action": "confirm", "p-0-title": draft["plans"][0]["title"]}
    for n, t in enumerate(draft["plans"][0]["tasks"], start=1):
        k = t["key"]
        form.update({f"t-{k}-title": t["title"], f"t-{k}-lead": t["lead"] or "",
                     f"t-{k}-co": "、".join(t["co"]), f"t-{k}-due": t["due"] or "",
                     f"t-{k}-phrase": t["phrase"] or "", f"t-{k}-number": str(n)})  # fmt: skip
    assert client.post(f"{BASE}/{token}", data=form).status_code == 302
    assert _milestones("测试三年行动方案") == {
        1: [
            ("2021-12-31", "到2021年底,建成孵化器3家", DOCUMENT),
            ("2022-12-31", "2022年,新增众创空间5家", DOCUMENT),
            ("2023-12-31", "到2023年底,形成孵化体系", DOCUMENT),
        ]
    }


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    stream = BytesIO()
    wb.save(stream)
    return stream.getvalue()


HEADER = ["序号", "任务", "具体内容", "牵头单位", "配合单位", "完成时限", "节点"]


def _upload(client, data: bytes, title: str):
    fields = {"plan_id": "0", "kind": "meeting", "title": title,
              "file": (BytesIO(data), "责任分解表.xlsx")}  # fmt: skip
    return client.post("/plans/import", data=fields, content_type="multipart/form-data")


def test_excel_milestones_column(world, client_for):
    client = client_for("office")
    data = _xlsx(
        [
            HEADER,
            [
                1,
                "建设孵化器",
                "新建2家",
                "市科技局",
                None,
                "2026-12-31",
                "2026-03-31 出台方案；2026年6月底前完成选址\n2026-09-30：主体完工",
            ],  # fmt: skip
            [2, "引进人才", None, "市发改委", None, "长期", None],
        ]
    )
    response = _upload(client, data, "节点导入测试")
    assert response.status_code == 302
    assert client.post(response.headers["Location"]).status_code == 302
    assert _milestones("节点导入测试") == {
        1: [
            ("2026-03-31", "出台方案", EXCEL),
            ("2026-06-30", "2026年6月底前完成选址", EXCEL),
            ("2026-09-30", "主体完工", EXCEL),
        ]
    }


def test_an_unreadable_milestone_cell_is_flagged_and_nothing_written(world, client_for):
    client = client_for("office")
    data = _xlsx([HEADER, [1, "建设孵化器", None, "市科技局", None, "2026-12-31", "尽快完成"]])
    response = _upload(client, data, "坏节点")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "G2" in page
    client.post(response.headers["Location"])
    assert db.session.scalar(select(Plan).where(Plan.title == "坏节点")) is None
