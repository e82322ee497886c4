"""Excel in: template → fill → import; the ledger's round trip; a bad file writes nothing;
uploads are the uploader's own and expire."""

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role, User
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans import excel_import
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.scoring.exports import ledger_workbook
from tracker.units.models import Unit
from tracker.units.rules import final_successor

PASSWORD = "secret-pass-1"  # the password tests/conftest.py gives its users

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")


def _empty_postgres(url: str) -> None:
    """Every table emptied (TRUNCATE does not fire the audit log's append-only triggers)."""
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    stream = BytesIO()
    wb.save(stream)
    return stream.getvalue()


def upload(client, data: bytes, name="责任分解表.xlsx", **form):
    fields = {"plan_id": "0", "kind": "meeting", **form, "file": (BytesIO(data), name)}
    return client.post("/plans/import", data=fields, content_type="multipart/form-data")


def counts():
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Plan, Section, Task, Unit)
    )


def tasks_of(plan_id):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.plan_id == plan_id)
            .options(
                joinedload(Task.lead_unit),
                joinedload(Task.section),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
            .order_by(Task.number)
        ).unique()
    )


def test_template_fill_import_creates_the_plan(world, client_for):
    client = client_for("office")
    response = client.get("/plans/import/template.xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    assert [c.value for c in ws[1]] == [
        "序号",
        "任务",
        "具体内容",
        "牵头单位",
        "配合单位",
        "完成时限",
        "备注",
    ]
    ws.delete_rows(2)  # the example row
    ws.append(
        [
            1,
            "建设孵化器",
            "新建省级孵化器2家",
            "市科技局",
            "市发改委、市财政局",
            "2026年6月底前",
            "重点",
        ]
    )
    ws.append([2, "引进人才", None, "长治市人社局", None, "长期", None])
    ws.append([3, "推进技改", "技改投资增长", "市经信委", "市科技局", date(2026, 12, 31), None])
    stream = BytesIO()
    ws.parent.save(stream)
    before = counts()

    response = upload(
        client, stream.getvalue(), title="市政府常务会议定事项", doc_number="常务〔2026〕3号"
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="import-ok"' in page
    assert counts() == before  # a preview writes nothing

    done = client.post(response.headers["Location"])
    assert done.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.title == "市政府常务会议定事项"))
    assert (plan.doc_number, plan.kind) == ("常务〔2026〕3号", "meeting")
    tasks = tasks_of(plan.id)
    assert [(t.number, t.title, t.lead_unit.name, [u.name for u in t.co_units]) for t in tasks] == [
        (1, "建设孵化器", "市科技局", ["市发改委", "市财政局"]),
        (2, "引进人才", "市人社局", []),  # by its alias
        (3, "推进技改", "市工信局", ["市科技局"]),  # 市经信委 was succeeded by 市工信局
    ]
    assert (tasks[0].due_date, tasks[0].due_phrase) == (date(2026, 6, 30), "2026年6月底前")
    assert tasks[0].text == "新建省级孵化器2家\n备注:重点"
    assert (tasks[1].due_date, tasks[1].due_phrase, tasks[1].text) == (None, "长期", "引进人才")
    assert {t.status for t in tasks} == {"pending"}
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.imported")
        )
        == 3
    )
    assert list(excel_import.imports_dir().iterdir()) == []  # the upload is gone


def test_ledger_export_imports_into_an_empty_database(
    seeded, database_template, app_factory, tmp_path, login
):
    """The ledger of a real plan, imported into an empty database (no plans, no units: the
    office creates each unit from the preview), gives the same tasks field by field: number,
    section, title, lead unit, co-units and due date (or its wording when it has none)."""
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    ledger = ledger_workbook(plan.id, date(2026, 3, 2))
    successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    # a reorganised unit's work is done by its successor: the ledger names it, so does the copy
    answering = {uid: names[final_successor(uid, successor_of)] for uid in names}
    original = [_fields(t, answering) for t in tasks_of(plan.id)]
    title, doc_number = plan.title, plan.doc_number
    db.session.remove()
    if PG_URL:
        _empty_postgres(PG_URL)
        url = PG_URL
    else:
        shutil.copyfile(database_template, tmp_path / "empty.db")
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    other = app_factory(SQLALCHEMY_DATABASE_URI=url)
    with other.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0
        user = User(username="office9", display_name="O", role=Role.OFFICE.value, password_hash="")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        client = other.test_client()
        login(client, "office9")
        response = upload(client, ledger, "台账.xlsx", title=title, doc_number=doc_number)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'data-key="unit_unknown"' in page and 'data-key="due_bad"' not in page
        create_all = {f"unit-{i}": "new" for i in range(200)}
        assert client.post(response.headers["Location"], data=create_all).status_code == 302
        copy = db.session.scalar(select(Plan))
        assert (copy.title, copy.doc_number) == (title, doc_number)
        imported = [_fields(t) for t in tasks_of(copy.id)]
        db.session.remove()
    assert len(imported) == len(original) > 20
    assert imported == original


def _fields(task, answering=None):
    name = (lambda u: answering[u.id]) if answering else (lambda u: u.name)
    return (
        task.number,
        (task.section.label, task.section.title),
        task.title,
        name(task.lead_unit),
        # two units merged into one (市国税局, 市地税局 → 市税务局) are one co-unit now
        list(dict.fromkeys(n for n in map(name, task.co_units) if n != name(task.lead_unit))),
        task.due_date,
        None if task.due_date else task.due_phrase,  # the ledger words only a date-less task
    )


def test_unknown_unit_bad_date_and_duplicate_show_in_the_preview_and_write_nothing(
    world, client_for
):
    client = client_for("office")
    data = xlsx(
        [
            ["序号", "任务", "具体内容", "牵头单位", "配合单位", "完成时限", "备注"],
            [1, "建设孵化器", None, "市科技局", None, "2026-06-30", None],
            [2, "发展数字经济", None, "市大数据管理局", "市发改委", "尽快", None],
            [3, "建设孵化器", None, "市科技局", None, "2026-06-30", None],
        ]
    )
    before = counts()
    response = upload(client, data, title="测试计划")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for key, cell in (("unit_unknown", "D3"), ("due_bad", "F3"), ("duplicate_title", "B4")):
        assert f'data-key="{key}" data-cell="{cell}"' in page, key
    assert 'data-testid="confirm-form"' not in page  # nothing to confirm until the file is fixed
    refused = client.post(response.headers["Location"], data={"unit-0": "new"})
    assert refused.status_code == 400
    assert counts() == before


def test_unknown_unit_is_settled_in_the_preview(world, client_for):
    client = client_for("office")
    data = xlsx(
        [
            ["序号", "任务", "牵头单位", "配合单位", "完成时限"],
            [1, "建设孵化器", "市科技厅", "市大数据中心", "2026年底前"],
        ]
    )
    location = upload(client, data, title="测试计划")
    location = location.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "市大数据中心" in page and "市科技局" in page  # the suggestion for 市科技厅
    before = counts()
    assert client.post(location).status_code == 400  # no choice made: nothing written
    assert counts() == before
    kjj = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    # unknown units are listed in the order first met: 市科技厅, then 市大数据中心
    assert client.post(location, data={"unit-0": str(kjj.id), "unit-1": "new"}).status_code == 302
    task = tasks_of(db.session.scalar(select(Plan).where(Plan.title == "测试计划")).id)[0]
    assert task.lead_unit.name == "市科技局" and [u.name for u in task.co_units] == ["市大数据中心"]
    db.session.refresh(kjj)
    assert "市科技厅" in kjj.aliases  # remembered for the next import
    created = db.session.scalar(select(Unit).where(Unit.name == "市大数据中心"))
    assert created.code.startswith("imp") and created.code.isalpha()


def test_import_into_an_existing_plan_continues_its_numbers(world, client_for):
    client = client_for("office")
    plan = db.session.get(Plan, world["ids"]["own_plan"])
    last = db.session.scalar(select(func.max(Task.number)).where(Task.plan_id == plan.id))
    data = xlsx(
        [["任务", "牵头单位"], ["新增任务甲", "市科技局"], ["加速建设“双创”示范基地", "市发改委"]]
    )
    location = upload(client, data, plan_id=str(plan.id)).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert 'data-key="already_in_plan"' in page  # the plan's task 1
    data = xlsx([["任务", "牵头单位"], ["新增任务甲", "市科技局"]])
    location = upload(client, data, plan_id=str(plan.id)).headers["Location"]
    assert client.post(location).status_code == 302
    task = db.session.scalar(select(Task).where(Task.title == "新增任务甲"))
    assert (task.plan_id, task.number) == (plan.id, last + 1)


def test_bad_files_are_refused_with_a_message(world, client_for):
    client = client_for("office")
    cases = [
        (b"not a workbook", "a.xlsx", "not an Excel"),
        (b"PK\x03\x04 broken zip", "a.xlsx", "not an Excel"),
        (xlsx([["a"]]), "a.xls", "not an Excel"),
        (b"", "a.xlsx", "empty"),
    ]
    before = counts()
    for data, name, _words in cases:
        response = upload(client, data, name, title="测试计划")
        assert response.status_code == 400, name
    assert counts() == before
    assert upload(client, xlsx([["任务", "牵头单位"]])).status_code == 400  # no title, no plan
    assert list(excel_import.imports_dir().glob("*.xlsx")) == []


def test_an_upload_is_its_uploaders_and_expires(world, client_for, app, make_user, login):
    client = client_for("office")
    data = xlsx([["任务", "牵头单位"], ["任务甲", "市科技局"]])
    location = upload(client, data, title="测试计划").headers["Location"]
    other_office = make_user(Role.OFFICE, "fgw", username="office2")
    other = app.test_client()
    login(other, other_office)
    assert other.get(location).status_code == 404
    assert other.post(location).status_code == 404
    token = location.rsplit("/", 1)[1]
    meta = excel_import.imports_dir() / f"{token}.json"
    old = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    meta.write_text(meta.read_text().replace('"created": "', f'"created": "{old}", "x": "'))
    assert client.get(location).status_code == 404
    assert not meta.exists() and not (excel_import.imports_dir() / f"{token}.xlsx").exists()
    assert client.get("/plans/import/..%2F..%2Fsecret_key").status_code == 404


def test_discard_removes_the_upload(world, client_for):
    client = client_for("office")
    data = xlsx([["任务", "牵头单位"], ["任务甲", "市科技局"]])
    location = upload(client, data, title="测试计划").headers["Location"]
    assert client.post(location + "/discard").status_code == 302
    assert list(excel_import.imports_dir().iterdir()) == []
    assert client.get(location).status_code == 404
