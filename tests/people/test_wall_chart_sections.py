"""The plan wall chart at province scale (issue 13): a plan of more than PAGE_SIZE tasks is
shown one section at a time (`?section=<id>`, the first section by default and for any id
that is not one of the plan's sections holding the reader's tasks), a long section page by
page; the time axis is drawn once (a row holds only its marks, in the column classes
c0…c15) and is the same on every section's page; the page costs the same statements and a
bounded number of bytes whatever the size of the plan."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.support.clock import on
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task
from tracker.plans.people.wall_chart import PAGE_SIZE
from tracker.units.models import Unit

DAY = date(2026, 11, 20)  # column 10 of a 2026 plan's month axis
SIZES = {"A": PAGE_SIZE + 20, "B": 30, "C": 0}  # section → tasks; more than a page in all


def _rows(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="chart-row" data-task="(\d+)"', page)]


def _axis(page: str) -> str:
    return re.search(r'data-testid="chart-axis">(.*?)</th>', page).group(1)


def _big_plan(key: str, sizes=SIZES) -> dict:
    """A 2026 plan with sections A, B, C holding `sizes` tasks (led by 市发改委 and 市科技局
    in turn, due mid-month through the year), one archived task in B, and milestones on
    A's task 1: ids of the plan, its sections and tasks."""
    fgw, kjj = (db.session.scalar(select(Unit.id).where(Unit.code == c)) for c in ("fgw", "kjj"))
    plan = Plan(
        key=key,
        doc_number=f"测试〔2026〕{key}号",
        title=key,
        issuer="测试",
        phases=[],
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    db.session.add(plan)
    db.session.flush()
    ids: dict = {"plan": plan.id, "tasks": {}}
    number = 0
    for position, (label, n) in enumerate(sizes.items(), start=1):
        section = Section(plan_id=plan.id, number=position, label=label, title=f"节{label}")
        db.session.add(section)
        db.session.flush()
        ids[label] = section.id
        ids["tasks"][label] = []
        for i in range(n):
            number += 1
            task = Task(
                plan_id=plan.id,
                section_id=section.id,
                number=number,
                title=f"任务{number}",
                text="正文",
                lead_unit_id=fgw if number % 2 else kjj,
                status="assigned",
                due_date=date(2026, i % 12 + 1, 15),
            )
            db.session.add(task)
            db.session.flush()
            ids["tasks"][label].append(task.id)
    if sizes.get("B"):
        archived = Task(
            plan_id=plan.id,
            section_id=ids["B"],
            number=number + 1,
            title="撤销的任务",
            text="正文",
            lead_unit_id=fgw,
            status="archived",
        )
        db.session.add(archived)
        db.session.flush()
        ids["archived"] = archived.id
    first = ids["tasks"]["A"][0]  # due 2026-01-15: column 0
    db.session.add_all(
        [
            Milestone(
                task_id=first, due_date=date(2026, 5, 10), deliverable="方案", source="manual"
            ),
            Milestone(
                task_id=first,
                due_date=date(2026, 1, 5),
                deliverable="启动",
                source="manual",
                done_on=date(2026, 1, 4),
            ),
        ]
    )
    db.session.commit()
    return ids


@pytest.fixture
def big(world):
    return _big_plan("big")


def _get(client_for, role, path):
    with on(DAY):
        response = client_for(role).get(path)
    return response


def test_a_large_plan_opens_on_its_first_section_page_by_page(big, client_for):
    base = f"/plans/{big['plan']}/wall-chart"
    page = _get(client_for, "office", base).get_data(as_text=True)
    assert _rows(page) == big["tasks"]["A"][:PAGE_SIZE]
    assert f'data-section-id="{big["A"]}" aria-current="page"' in page
    # the menu lists the sections holding tasks, with their counts; C has none
    assert f'data-section-id="{big["B"]}"' in page and f'data-section-id="{big["C"]}"' not in page
    assert re.search(r'节B</a> <span class="count">30</span>', page)
    assert '<b data-testid="chart-count">150</b>' in page and 'data-testid="chart-pager"' in page
    second = _get(client_for, "office", f"{base}?section={big['A']}&page=2").get_data(as_text=True)
    assert _rows(second) == big["tasks"]["A"][PAGE_SIZE:]
    beyond = _get(client_for, "office", f"{base}?section={big['A']}&page=99")
    assert _rows(beyond.get_data(as_text=True)) == big["tasks"]["A"][PAGE_SIZE:]


def test_another_section_and_unknown_ids_fall_back_to_the_first(big, client_for):
    base = f"/plans/{big['plan']}/wall-chart"
    b = _get(client_for, "office", f"{base}?section={big['B']}").get_data(as_text=True)
    assert _rows(b) == big["tasks"]["B"]  # the archived task is left out
    assert 'data-testid="chart-pager"' not in b
    other_plan_section = db.session.scalar(
        select(Section.id).where(Section.plan_id != big["plan"]).limit(1)
    )
    for section in (big["C"], other_plan_section, "abc", "-1", "99999999999"):
        page = _get(client_for, "office", f"{base}?section={section}")
        assert page.status_code == 200, section
        assert _rows(page.get_data(as_text=True)) == big["tasks"]["A"][:PAGE_SIZE], section


def test_every_task_once_over_the_sections_and_the_same_axis_on_each(big, client_for):
    base = f"/plans/{big['plan']}/wall-chart"
    seen, axes = [], set()
    for path in (
        f"{base}?section={big['A']}",
        f"{base}?section={big['A']}&page=2",
        f"{base}?section={big['B']}",
    ):
        page = _get(client_for, "office", path).get_data(as_text=True)
        seen += _rows(page)
        axes.add(_axis(page))
    expected = big["tasks"]["A"] + big["tasks"]["B"]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    (axis,) = axes
    assert re.findall(r"<span[^>]*>([^<]+)</span>", axis) == [f"2026.{m}" for m in range(1, 13)]


def test_the_marks_sit_in_their_columns_and_today_is_shaded(big, client_for):
    page = _get(client_for, "office", f"/plans/{big['plan']}/wall-chart").get_data(as_text=True)
    assert 'class="chart n12 has-today t10"' in page
    assert '<span class="today">2026.11</span>' in page
    rows = re.findall(r'data-task="(\d+)">(.*?)</tr>', page, re.S)
    track = {int(t): re.search(r'<td class="track">(.*?)</td>', row).group(1) for t, row in rows}
    first = track[big["tasks"]["A"][0]]
    # January: the milestone done (◇) and the due date (●, red: overdue); May: the open
    # milestone (◆); nothing in any other column
    assert re.findall(r'class="at c(\d+)"', first) == ["0", "4"]
    january, may = first.split('<span class="at c')[1:]
    assert 'milestone-mark done" title="2026-01-05 启动">◇' in january
    assert 'due-mark due-red" title="2026-01-15">●' in january
    assert "milestone-mark" in may and ">◆<" in may and "due-mark" not in may
    # a task due 2026-12-15 (the 12th of A): one mark, in the last column
    assert re.findall(r'class="at c(\d+)"', track[big["tasks"]["A"][11]]) == ["11"]


def test_a_liaison_sees_its_units_tasks_only(big, client_for):
    """The liaison of 市发改委 reads the 75 tasks its unit leads (of 150): few enough for one
    page; a liaison whose unit has no task in a plan gets 404, as before."""
    base = f"/plans/{big['plan']}/wall-chart"
    fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    own = set(db.session.scalars(select(Task.id).where(Task.lead_unit_id == fgw)))
    shown = _rows(_get(client_for, "liaison", base).get_data(as_text=True))
    assert set(shown) == own & set(big["tasks"]["A"] + big["tasks"]["B"]) and len(shown) == 75
    assert big["archived"] not in shown
    other = _rows(_get(client_for, "other_liaison", base).get_data(as_text=True))
    assert other and not set(other) & own
    alone = _big_plan("fgw-only", {"A": 1})  # its one task is 市发改委's
    assert (
        _get(client_for, "other_liaison", f"/plans/{alone['plan']}/wall-chart").status_code == 404
    )
    assert (
        _rows(
            _get(client_for, "liaison", f"/plans/{alone['plan']}/wall-chart").get_data(as_text=True)
        )
        == alone["tasks"]["A"]
    )


def test_statements_and_bytes_do_not_grow_with_the_chart(
    big, world, make_user, login, app, count_statements
):
    """A 3-task plan (shown whole) and the 150-task plan (a section page) cost the same
    statements, and so do the charts of their leaders; a page of PAGE_SIZE rows stays far
    under 200 KB (about 0.6 KB a row)."""
    from tracker.accounts.models import Role
    from tracker.plans.people import services

    small = _big_plan("small", {"A": 3})
    office = world["users"]["office"]
    leaders = (make_user(Role.LEADER, username="small-leader"), world["users"]["leader"])
    for leader, plan in zip(leaders, (small, big), strict=True):
        services.set_leader(db.session.get(Plan, plan["plan"]), leader.id, office)
    db.session.commit()
    client = app.test_client()
    with on(DAY):
        login(client, office)
        counts, sizes = {"plan": [], "leader": []}, []
        for leader, plan in zip(leaders, (small, big), strict=True):
            for kind, path in (
                ("plan", f"/plans/{plan['plan']}/wall-chart"),
                ("leader", f"/leaders/{leader.id}/wall-chart"),
            ):
                client.get(path)  # the session's first request aside
                with count_statements() as counter:
                    body = client.get(path).get_data()
                counts[kind].append(counter.count)
                assert len(_rows(body.decode())) == (3 if plan is small else PAGE_SIZE)
                sizes.append(len(body))
    assert counts["plan"][0] == counts["plan"][1] and counts["leader"][0] == counts["leader"][1]
    assert max(sizes) < 200_000 and (sizes[2] - sizes[0]) / (PAGE_SIZE - 3) < 1_000, sizes


def test_a_leaders_large_chart_is_shown_section_by_section_too(big, world, client_for):
    """leader1 in charge of the 150-task plan: its chart pages like the plan's (same rule),
    every task once over the pages, on the same time axis."""
    from tracker.plans.people import services

    leader = world["users"]["leader"]
    plan = db.session.get(Plan, big["plan"])
    services.set_leader(plan, leader.id, world["users"]["office"])
    db.session.commit()
    base = f"/leaders/{leader.id}/wall-chart"
    seen = []
    first = _get(client_for, "office", base).get_data(as_text=True)
    assert _rows(first) == big["tasks"]["A"][:PAGE_SIZE]
    assert f'data-section-id="{big["A"]}" aria-current="page"' in first
    assert f'href="{base}?section={big["B"]}"' in first
    for path in (f"{base}?section={big['A']}&page=2", f"{base}?section={big['B']}"):
        seen += _rows(_get(client_for, "leader", path).get_data(as_text=True))
    seen += _rows(first)
    expected = big["tasks"]["A"] + big["tasks"]["B"]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert _axis(first) == _axis(
        _get(client_for, "office", f"{base}?section={big['B']}").get_data(as_text=True)
    )
