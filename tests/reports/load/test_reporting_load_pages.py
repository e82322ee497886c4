"""The reporting-load pages (减负, docs/reporting-load.md): the 报送负担 table, a unit's
overlapping tasks, linking and unlinking, and the linked tasks on the task page."""

import re

from sqlalchemy import func, select, update

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskCoUnit
from tracker.reports.load.models import TaskLink, TaskLinkGroup
from tracker.units.models import Unit


def unit_id(code: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def _audit(task_id):
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "task", AuditEvent.subject_id == task_id)
            .where(AuditEvent.action.in_(["task.linked", "task.unlinked"]))
            .order_by(AuditEvent.id)
        )
    )


def test_load_table_counts_the_tasks_each_unit_reports_on(world, client_for, file_report):
    plan_id = world["ids"]["own_plan"]
    db.session.execute(update(Task).where(Task.plan_id == plan_id).values(status="in_progress"))
    db.session.commit()
    kjj = unit_id("kjj")
    lead = db.session.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.lead_unit_id == kjj, Task.plan_id == plan_id)
    )
    co = db.session.scalar(
        select(func.count())
        .select_from(TaskCoUnit)
        .join(Task, Task.id == TaskCoUnit.task_id)
        .where(TaskCoUnit.unit_id == kjj, Task.plan_id == plan_id)
    )
    file_report(world["ids"]["other_task"], "kjj")
    file_report(world["ids"]["own_task"], "fgw", state="draft")  # a draft is not filed
    page = client_for("office").get("/reporting-load").get_data(as_text=True)
    assert f'data-testid="load-total-{kjj}">{6 * (lead + co)}<' in page
    row = page.split(f'data-testid="load-row-{kjj}"')[1].split("</tr>")[0]
    cells = re.findall(r">(\d+) / (\d+)<", row)
    assert cells[-1] == (str(lead + co), "1")  # this month: one report filed
    fgw_row = page.split(f'data-testid="load-row-{unit_id("fgw")}"')[1].split("</tr>")[0]
    assert re.findall(r">(\d+) / (\d+)<", fgw_row)[-1][1] == "0"
    # heaviest first: the first row carries the largest total
    totals = [int(t) for t in re.findall(r'data-testid="load-total-\d+">(\d+)<', page)]
    assert totals == sorted(totals, reverse=True)
    by_name = client_for("office").get("/reporting-load?sort=name&page=abc")
    assert by_name.status_code == 200
    assert client_for("office").get("/reporting-load?sort=evil&page=99999").status_code == 200


def _row(page: str, unit: int) -> tuple[str, list[tuple[str, str]]]:
    """(the unit's total, its (tasks, filed) cells oldest month first) on a load page."""
    total = re.search(rf'data-testid="load-total-{unit}">(\d+)<', page).group(1)
    row = page.split(f'data-testid="load-row-{unit}"')[1].split("</tr>")[0]
    return total, re.findall(r">(\d+) / (\d+)<", row)


def test_the_kept_load_follows_task_and_co_unit_writes_but_not_reports(
    world, client_for, file_report
):
    """The order and tasks per month are kept by the process (tracker.kept); a task closed
    or a co-unit added shows on the next load, a report filed shows without any task write."""
    plan_id = world["ids"]["own_plan"]
    db.session.execute(update(Task).where(Task.plan_id == plan_id).values(status="in_progress"))
    db.session.commit()
    kjj, client = unit_id("kjj"), client_for("office")
    total, cells = _row(client.get("/reporting-load?sort=name").get_data(as_text=True), kjj)
    lead_task = db.session.scalar(
        select(Task).where(Task.lead_unit_id == kjj, Task.plan_id == plan_id).limit(1)
    )
    lead_task.status = "withdrawn"  # no longer answered for in any month
    db.session.commit()
    less, fewer = _row(client.get("/reporting-load?sort=name").get_data(as_text=True), kjj)
    assert int(less) == int(total) - 6
    assert [int(t) for t, _f in fewer] == [int(t) - 1 for t, _f in cells]
    spare = db.session.scalar(
        select(Task.id).where(
            Task.plan_id == plan_id,
            Task.status == "in_progress",
            Task.lead_unit_id != kjj,
            Task.id.not_in(select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id == kjj)),
        )
    )
    db.session.add(TaskCoUnit(task_id=spare, unit_id=kjj, position=9))
    db.session.commit()
    again, _cells = _row(client.get("/reporting-load?sort=name").get_data(as_text=True), kjj)
    assert int(again) == int(total)
    assert fewer[-1][1] == "0"
    file_report(spare, "kjj")  # a report: no watched write, yet the filed count is read anew
    _total, filed = _row(client.get("/reporting-load?sort=name").get_data(as_text=True), kjj)
    assert filed[-1][1] == "1"


def test_load_page_costs_the_same_statements_for_more_units_and_tasks(
    world, client_for, count_statements
):
    client = client_for("leader")

    def cost():
        with count_statements() as counter:
            assert client.get("/reporting-load").status_code == 200
        return counter.count

    before = cost()
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    section_id = db.session.scalar(select(Task.section_id).where(Task.plan_id == plan.id))
    for i in range(60):
        unit = Unit(name=f"测试单位{i}", code=f"t{i}", kind="department", aliases=[])
        db.session.add(unit)
        db.session.flush()
        db.session.add(
            Task(
                plan_id=plan.id,
                section_id=section_id,
                number=900 + i,
                title=f"任务{i}",
                text="正文",
                lead_unit_id=unit.id,
                status="assigned",
            )
        )
    db.session.commit()
    assert cost() == before


def test_office_sees_overlaps_links_and_unlinks(overlap, client_for, file_report):
    office = client_for("office")
    page = office.get(f"/reporting-load/units/{overlap['kjj']}").get_data(as_text=True)
    pair = f"{overlap['changfa']}-{overlap['zone']}"
    assert f'data-testid="overlap-{pair}"' in page
    assert "长发〔2017〕29号" in page and f'data-testid="link-{pair}"' in page

    response = office.post(
        "/reporting-load/link",
        data={
            "task_ids": f"{overlap['changfa']},{overlap['zone']}",
            "next": f"/reporting-load/units/{overlap['kjj']}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reporting-load/units/{overlap['kjj']}")
    db.session.expire_all()
    groups = dict(db.session.execute(select(TaskLink.task_id, TaskLink.group_id)).all())
    assert groups[overlap["changfa"]] == groups[overlap["zone"]]
    assert _audit(overlap["changfa"]) == ["task.linked"] == _audit(overlap["zone"])
    page = office.get(f"/reporting-load/units/{overlap['kjj']}").get_data(as_text=True)
    assert f'data-testid="linked-{pair}"' in page

    # one report on the plan's task shows on the zone's task page as well
    report = file_report(overlap["changfa"], "kjj")
    task_page = office.get(f"/tasks/{overlap['zone']}").get_data(as_text=True)
    assert f'data-testid="linked-task-{overlap["changfa"]}"' in task_page
    assert f'data-testid="linked-report-{report}"' in task_page
    assert "本月完成孵化器认定材料" in task_page

    response = office.post(f"/reporting-load/tasks/{overlap['zone']}/unlink", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TaskLink)) == 0
    assert db.session.scalar(select(func.count()).select_from(TaskLinkGroup)) == 0
    assert _audit(overlap["zone"]) == ["task.linked", "task.unlinked"]
    assert _audit(overlap["changfa"]) == ["task.linked", "task.unlinked"]
    assert 'data-testid="task-linked"' not in office.get(f"/tasks/{overlap['zone']}").get_data(
        as_text=True
    )


def test_linking_into_two_groups_merges_them(world, client_for):
    office = client_for("office")
    ids = world["ids"]
    office.post("/reporting-load/link", data={"task_ids": f"{ids['own_task']},{ids['co_task']}"})
    zone_task = db.session.scalar(select(Task.id).where(Task.plan_id == ids["other_plan"]).limit(1))
    office.post("/reporting-load/link", data={"task_ids": f"{ids['other_task']},{zone_task}"})
    office.post("/reporting-load/link", data={"task_ids": f"{ids['co_task']},{zone_task}"})
    db.session.expire_all()
    groups = set(db.session.scalars(select(TaskLink.group_id)))
    assert len(groups) == 1
    assert db.session.scalar(select(func.count()).select_from(TaskLinkGroup)) == 1
    assert db.session.scalar(select(func.count()).select_from(TaskLink)) == 4
    # one unlink leaves three linked
    office.post(f"/reporting-load/tasks/{ids['other_task']}/unlink", data={})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TaskLink)) == 3


def test_a_liaison_sees_only_its_linked_tasks_and_reports(world, client_for, file_report):
    ids = world["ids"]
    client_for("office").post(
        "/reporting-load/link",
        data={"task_ids": f"{ids['own_task']},{ids['co_task']},{ids['other_task']}"},
    )
    hidden = file_report(ids["other_task"], "kjj")  # 市科技局's own task: not fgw's to read
    page = client_for("liaison").get(f"/tasks/{ids['own_task']}").get_data(as_text=True)
    assert f'data-testid="linked-task-{ids["co_task"]}"' in page
    assert f'data-testid="linked-task-{ids["other_task"]}"' not in page
    assert f'data-testid="linked-report-{hidden}"' not in page
    assert 'data-testid="unlink-form"' not in page
    office_page = client_for("office").get(f"/tasks/{ids['own_task']}").get_data(as_text=True)
    assert f'data-testid="linked-report-{hidden}"' in office_page


def test_task_page_statements_do_not_grow_with_the_group(world, client_for, count_statements):
    ids = world["ids"]
    office = client_for("office")
    office.post("/reporting-load/link", data={"task_ids": f"{ids['own_task']},{ids['co_task']}"})

    def cost():
        with count_statements() as counter:
            assert office.get(f"/tasks/{ids['own_task']}").status_code == 200
        return counter.count

    before = cost()
    more = db.session.scalars(
        select(Task.id).where(Task.plan_id == ids["other_plan"]).limit(8)
    ).all()
    office.post(
        "/reporting-load/link", data={"task_ids": ",".join(map(str, [ids["own_task"], *more]))}
    )
    assert cost() == before


def test_overlap_page_costs_the_same_statements_for_more_tasks(
    overlap, client_for, count_statements
):
    office = client_for("office")

    def cost():
        with count_statements() as counter:
            assert office.get(f"/reporting-load/units/{overlap['kjj']}").status_code == 200
        return counter.count

    before = cost()
    zone_tasks = db.session.scalars(
        select(Task.id).where(Task.title.in_(["知识产权综合服务平台", "搭建科技金融服务平台"]))
    ).all()
    for position, task_id in enumerate(zone_tasks, start=10):
        db.session.add(TaskCoUnit(task_id=task_id, unit_id=overlap["kjj"], position=position))
    db.session.commit()
    office.post("/reporting-load/link", data={"task_ids": ",".join(map(str, zone_tasks))})
    page = office.get(f"/reporting-load/units/{overlap['kjj']}").get_data(as_text=True)
    assert page.count('data-testid="overlap-') > 1
    assert cost() == before
