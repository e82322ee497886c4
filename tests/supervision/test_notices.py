"""Supervision notices (督办单): numbering, deadlines, issue, answer, close, list, print view,
Word export and the task page's partial."""

from datetime import date, datetime
from io import BytesIO

import pytest
from docx import Document
from freezegun import freeze_time
from sqlalchemy import select, update

from tracker.calendar.rules import WorkingCalendar
from tracker.common.numbering import next_seq
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.supervision.models import SupervisionNotice
from tracker.supervision.notices import services as notices
from tracker.supervision.notices.services import answer_due, notice_number, notice_overdue
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

TODAY = date(2026, 10, 12)  # a Monday


def at(year, month, day, hour=10):
    """Freeze the clock at that Beijing time (sign in inside it)."""
    return freeze_time(datetime(year, month, day, hour, tzinfo=LOCAL_TZ))


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("year", "seq", "number"),
    [(2026, 1, "督办〔2026〕1号"), (2026, 3, "督办〔2026〕3号"), (2027, 12, "督办〔2027〕12号")],
)
def test_notice_number(year, seq, number):
    assert notice_number(year, seq) == number


@pytest.mark.parametrize(("max_seq", "seq"), [(None, 1), (0, 1), (1, 2), (41, 42)])
def test_next_seq(max_seq, seq):
    assert next_seq(max_seq) == seq


@pytest.mark.parametrize(
    ("issued", "days", "due"),
    [
        (date(2026, 10, 12), 5, date(2026, 10, 19)),  # Monday + 5 working days
        (date(2026, 9, 28), 5, date(2026, 10, 10)),  # over National Day to a make-up Saturday
        (date(2026, 10, 16), 1, date(2026, 10, 19)),  # Friday + 1: Monday
    ],
)
def test_answer_due_counts_working_days(issued, days, due):
    assert answer_due(WorkingCalendar(), issued, days) == due


@pytest.mark.parametrize(
    ("due", "answered_at", "today", "state", "overdue"),
    [
        (date(2026, 10, 19), None, date(2026, 10, 19), None, False),  # on the day: on time
        (date(2026, 10, 19), None, date(2026, 10, 20), None, True),
        (date(2026, 10, 19), None, date(2026, 10, 20), "issued", True),
        (date(2026, 10, 19), "2026-10-18", date(2026, 10, 25), None, False),  # answered
        (date(2026, 10, 19), None, date(2026, 10, 25), "closed", False),  # closed
    ],
)
def test_notice_overdue(due, answered_at, today, state, overdue):
    assert notice_overdue(due, answered_at, today, state=state) is overdue


@pytest.mark.parametrize(
    ("status", "days", "key"),
    [
        ("assigned", 5, None),
        ("in_progress", 1, None),
        ("in_progress", 30, None),
        ("pending", 5, "notice_task_not_open"),
        ("closed", 5, "notice_task_not_open"),
        ("in_progress", 0, "notice_bad_days"),
        ("in_progress", 31, "notice_bad_days"),
    ],
)
def test_check_issue(status, days, key):
    assert notices.check_issue(status, days) == key


# ---------------------------------------------------------------- helpers


@pytest.fixture
def open_task(world):
    """open_task(name="own_task", status="in_progress") -> the task id, status set."""

    def make(name="own_task", status="in_progress"):
        task_id = world["ids"][name]
        db.session.execute(update(Task).where(Task.id == task_id).values(status=status))
        db.session.commit()
        return task_id

    return make


@pytest.fixture
def issue(world):
    """issue(task_id, day=TODAY, actions=...) -> the committed notice, issued by the office."""

    def make(task_id, day=TODAY, actions="一、限期整改\n二、书面报告", days=None):
        task = notices.load_task(task_id)
        notice = notices.issue_notice(task, world["users"]["office"], day, actions, days)
        db.session.commit()
        return notice

    return make


def _notice(notice_id):
    db.session.expire_all()
    return db.session.get(SupervisionNotice, notice_id)


# ---------------------------------------------------------------- numbering


def test_two_notices_in_a_row_are_numbered_1_and_2_and_restart_next_year(open_task, issue):
    first = issue(open_task("own_task"))
    second = issue(open_task("other_task"))
    assert (first.number, second.number) == ("督办〔2026〕1号", "督办〔2026〕2号")
    third = issue(open_task("co_task"), day=date(2027, 1, 4))
    assert (third.year, third.seq, third.number) == (2027, 1, "督办〔2027〕1号")


def test_a_number_taken_meanwhile_is_retried_once_with_the_next(open_task, issue, monkeypatch):
    issue(open_task("own_task"))
    real = notices._max_seq
    calls = []

    def stale(year):  # the first look misses the notice another request just committed
        calls.append(year)
        return None if len(calls) == 1 else real(year)

    monkeypatch.setattr(notices, "_max_seq", stale)
    notice = issue(open_task("other_task"))
    assert notice.number == "督办〔2026〕2号"
    assert len(calls) == 2


# ---------------------------------------------------------------- issue


def test_office_issues_a_notice(world, open_task, as_role, events):
    task_id = open_task()
    with at(2026, 10, 12):
        client = as_role("office")
        page = client.get(f"/notices/new?task={task_id}")
        assert page.status_code == 200
        assert 'value="5"' in page.get_data(as_text=True)  # notice_answer_working_days
        response = client.post(
            f"/tasks/{task_id}/notices",
            data={"required_actions": "限期完成示范基地申报", "answer_working_days": "5"},
        )
    assert response.status_code == 302
    notice = db.session.scalar(select(SupervisionNotice))
    assert response.headers["Location"].endswith(f"/notices/{notice.id}")
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    assert (notice.number, notice.unit_id, notice.state) == ("督办〔2026〕1号", fgw.id, "issued")
    assert (notice.issued_on, notice.answer_due) == (TODAY, date(2026, 10, 19))
    [event] = events(task_id, "task.notice_issued")
    assert event.detail["number"] == "督办〔2026〕1号"
    assert event.detail["unit"] == "市发改委"
    assert event.detail["answer_due"] == "2026-10-19"
    timeline = as_role("office").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Supervision notice issued" in timeline


def test_the_notice_goes_to_the_successor_of_a_reorganised_lead_unit(world, open_task, issue):
    task_id = open_task()
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    kjj = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    fgw.successor_id = kjj.id
    db.session.commit()
    assert issue(task_id).unit_id == kjj.id


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"required_actions": "", "answer_working_days": "5"}, "Say what the unit must do."),
        ({"required_actions": "x", "answer_working_days": "0"}, "Between 1 and 30"),
        ({"required_actions": "x", "answer_working_days": "31"}, "Between 1 and 30"),
        ({"required_actions": "x", "answer_working_days": ""}, "Enter a number"),
        ({"required_actions": "x" * 2001, "answer_working_days": "5"}, "At most 2000"),
    ],
)
def test_bad_input_saves_nothing(world, open_task, as_role, data, error):
    task_id = open_task()
    response = as_role("office").post(f"/tasks/{task_id}/notices", data=data)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert db.session.scalar(select(SupervisionNotice)) is None


@pytest.mark.parametrize("status", ["pending", "closed"])
def test_no_notice_on_a_task_not_open(world, open_task, as_role, status):
    task_id = open_task(status=status)
    client = as_role("office")
    response = client.post(
        f"/tasks/{task_id}/notices", data={"required_actions": "x", "answer_working_days": "5"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(SupervisionNotice)) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "can only be issued on an assigned task" in page
    assert client.get(f"/notices/new?task={task_id}").status_code == 302


# ---------------------------------------------------------------- answer and close


def test_the_liaison_answers_once(world, open_task, issue, as_role, events):
    task_id = open_task()
    notice = issue(task_id)
    with at(2026, 10, 19):  # the due day itself: on time
        client = as_role("liaison")
        response = client.post(f"/notices/{notice.id}/answer", data={"text": "已完成申报"})
    assert response.status_code == 302
    answered = _notice(notice.id)
    assert (answered.state, answered.answer) == ("answered", "已完成申报")
    assert answered.answered_by_id == world["users"]["liaison"].id
    [event] = events(task_id, "task.notice_answered")
    assert event.detail["late"] is False and event.detail["number"] == notice.number
    client = as_role("liaison")  # the frozen session has expired in real time
    again = client.post(f"/notices/{notice.id}/answer", data={"text": "再次答复"})
    assert again.status_code == 302
    assert _notice(notice.id).answer == "已完成申报"
    assert "already been answered" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_late_answer_is_recorded_late(world, open_task, issue, as_role, events):
    task_id = open_task()
    notice = issue(task_id)
    with at(2026, 10, 20):
        as_role("liaison").post(f"/notices/{notice.id}/answer", data={"text": "迟到的答复"})
    assert events(task_id, "task.notice_answered")[0].detail["late"] is True


def test_an_empty_answer_saves_nothing(world, open_task, issue, as_role):
    notice = issue(open_task())
    response = as_role("liaison").post(f"/notices/{notice.id}/answer", data={"text": "  "})
    assert response.status_code == 400
    assert "Write the answer." in response.get_data(as_text=True)
    assert _notice(notice.id).state == "issued"


def test_the_office_closes_a_notice(world, open_task, issue, as_role, events):
    task_id = open_task()
    notice = issue(task_id)
    client = as_role("office")
    assert client.post(f"/notices/{notice.id}/close").status_code == 302
    assert _notice(notice.id).state == "closed"
    assert events(task_id, "task.notice_closed")[0].detail["from"] == "issued"
    client.post(f"/notices/{notice.id}/close")
    assert len(events(task_id, "task.notice_closed")) == 1
    refused = as_role("liaison").post(f"/notices/{notice.id}/answer", data={"text": "答复"})
    assert refused.status_code == 302
    assert _notice(notice.id).answer is None


# ---------------------------------------------------------------- list


def test_the_list_shows_overdue_notices_in_red_and_filters(world, open_task, issue, as_role):
    late = issue(open_task("own_task"), day=date(2026, 9, 1))
    fresh = issue(open_task("other_task"))
    with at(2026, 10, 12):
        client = as_role("office")
        page = client.get("/notices").get_data(as_text=True)
        assert page.count('data-testid="notice-row"') == 2
        assert page.count('data-testid="notice-overdue"') == 1
        assert f'data-notice-id="{late.id}" class="overdue"' in page
        overdue = client.get("/notices?state=overdue").get_data(as_text=True)
        assert late.number in overdue and fresh.number not in overdue
    client = as_role("office")
    assert fresh.number not in client.get("/notices?year=2025").get_data(as_text=True)
    assert fresh.number in client.get("/notices?year=2026&state=issued").get_data(as_text=True)
    assert fresh.number not in client.get("/notices?state=answered").get_data(as_text=True)


def test_a_liaison_lists_only_its_units_notices(world, open_task, issue, as_role):
    own = issue(open_task("own_task"))
    other = issue(open_task("other_task"))
    page = as_role("liaison").get("/notices").get_data(as_text=True)
    assert own.number in page and other.number not in page
    assert 'data-testid="red-tasks"' not in page


def test_a_successor_liaison_lists_its_predecessors_notices(world, open_task, issue, as_role):
    own = issue(open_task("own_task"))  # addressed to 市发改委
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    fgw.successor_id = world["ids"]["unit"]  # 市发改委 merged into 市科技局
    db.session.commit()
    client = as_role("other_liaison")
    assert own.number in client.get("/notices").get_data(as_text=True)
    assert client.get(f"/notices/{own.id}").status_code == 200
    assert (
        client.post(f"/notices/{own.id}/answer", data={"text": "由继任单位答复"}).status_code == 302
    )
    assert _notice(own.id).state == "answered"


def test_lagging_tasks_are_the_open_tasks_past_due(world, open_task, as_role):
    own = open_task("own_task")  # due 2020-12-31
    db.session.execute(
        update(Task).where(Task.id == world["ids"]["other_task"]).values(status="closed")
    )
    db.session.commit()
    with at(2026, 10, 12):
        page = as_role("office").get("/notices").get_data(as_text=True)
    assert 'data-testid="red-tasks"' in page
    assert f'data-testid="red-task" data-task-id="{own}"' in page
    assert f'data-task-id="{world["ids"]["other_task"]}"' not in page
    assert page.count('data-testid="red-task"') == 1  # every other task is still pending
    assert 'data-testid="issue-notice"' in page
    leader = as_role("leader").get("/notices").get_data(as_text=True)
    assert 'data-testid="red-task"' in leader and 'data-testid="issue-notice"' not in leader


def test_list_pages_cost_constant_statements(world, as_role, issue, count_statements):
    tasks = list(db.session.scalars(select(Task).order_by(Task.id).limit(20)).all())
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    for task in tasks:
        task.status, task.lead_unit_id = "in_progress", fgw.id
    db.session.commit()
    task_ids = [t.id for t in tasks]

    def costs():
        result = {}
        for role in ("office", "liaison"):
            client = as_role(role)
            client.get("/notices")  # warm up (session, user)
            with count_statements() as counter:
                assert client.get("/notices").status_code == 200
            result[role] = counter.count
        return result

    for task_id in task_ids[:2]:
        issue(task_id)
    few = costs()
    for task_id in task_ids[2:]:
        issue(task_id)
    assert db.session.query(SupervisionNotice).count() == 20
    assert costs() == few


def test_the_list_shows_one_page_at_a_time_with_the_total(world, as_role, issue, monkeypatch):
    tasks = list(db.session.scalars(select(Task).order_by(Task.id).limit(5)).all())
    for task in tasks:
        task.status = "in_progress"
    db.session.commit()
    made = [issue(task.id) for task in tasks]
    monkeypatch.setattr(notices.notice_list, "__defaults__", (None, None, 1, 2))  # 2 a page
    client = as_role("office")
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"/notices?page={page}").get_data(as_text=True)
        assert "(5)" in html  # the total, not the page's rows
        seen += [n.number for n in made if n.number in html]
        assert html.count('data-testid="notice-row"') == (2 if page < 3 else 1)
    assert sorted(seen) == sorted(n.number for n in made)  # each notice on exactly one page
    assert 'data-testid="notices-pager"' in html and 'rel="prev"' in html
    # a page past the end shows the last page, never an error
    assert client.get("/notices?page=99").status_code == 200


# ---------------------------------------------------------------- detail, print, Word


def test_the_detail_is_laid_out_like_an_official_notice(world, open_task, issue, as_role):
    notice = issue(open_task())
    page = as_role("office").get(f"/notices/{notice.id}").get_data(as_text=True)
    for text in (
        "督办〔2026〕1号",
        "市发改委",
        "长发〔2017〕29号",
        "一、限期整改",
        "2026-10-19",
        "Supervision office",
        'href="/static/css/print.css" media="print"',
        'class="notice-sheet"',
    ):
        assert text in page, text
    print_css = as_role("office").get("/static/css/print.css").get_data(as_text=True)
    assert "@page sheet { size: A4" in print_css and ".notice-sheet" in print_css
    assert 'data-testid="notice-answer-form"' not in page
    assert 'data-testid="notice-close-form"' in page
    liaison = as_role("liaison").get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="notice-answer-form"' in liaison
    assert 'data-testid="notice-close-form"' not in liaison


def test_word_export(world, open_task, issue, as_role):
    task_id = open_task()
    notice = issue(task_id, actions="一、限期完成申报\n二、书面报告进展")
    response = as_role("office").get(f"/notices/{notice.id}.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition
    assert "filename*=UTF-8''" in disposition and "%E7%9D%A3%E5%8A%9E" in disposition  # 督办
    document = Document(BytesIO(response.data))
    lines = [p.text for p in document.paragraphs]
    text = "\n".join(lines)
    task = db.session.get(Task, task_id)
    assert lines[0] == "督查督办通知单"
    assert "督办〔2026〕1号" in lines
    assert "市发改委：" in lines
    assert task.title in text
    assert "一、限期完成申报" in lines and "二、书面报告进展" in lines
    assert "请于2026年10月19日前将办理情况书面反馈专班办公室。" in lines
    assert lines[-2:] == ["专班办公室", "2026年10月12日"]
    title_run = document.paragraphs[0].runs[0]
    assert (
        title_run._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "黑体"
    )
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


# ---------------------------------------------------------------- task page


def test_the_task_partial_lists_notices_and_offers_the_steps(app, world, open_task, issue):
    """Rendered on its own (the lead engineer includes it in the task page). co_task is led
    by 市科技局 with 市发改委 as co-unit: only 市科技局 reads and answers its notice."""
    from flask import render_template_string
    from flask_login import login_user

    task_id = open_task("co_task")
    notice = issue(task_id)

    def partial(role):
        with app.test_request_context():
            login_user(world["users"][role])
            return render_template_string(
                '{% include "supervision/_task_notices.html" %}', task=notices.load_task(task_id)
            )

    office = partial("office")
    assert notice.number in office and 'data-testid="task-issue-notice"' in office
    assert 'data-testid="task-notice-answer-form"' not in office
    lead = partial("other_liaison")
    assert notice.number in lead and 'data-testid="task-notice-answer-form"' in lead
    assert 'data-testid="task-issue-notice"' not in lead
    assert notice.number not in partial("liaison")  # the co-unit
    assert notice.number in partial("leader")


def test_a_task_due_on_a_day_off_turns_red_after_the_next_working_day(world, open_task):
    """As the lights count it: due Sunday 11 October, red only from Tuesday 13 October."""
    task_id = open_task()
    db.session.execute(update(Task).where(Task.id == task_id).values(due_date=date(2026, 10, 11)))
    db.session.commit()
    assert task_id not in [t.id for t, _open in notices.lagging_tasks(date(2026, 10, 12))["rows"]]
    assert task_id in [t.id for t, _open in notices.lagging_tasks(date(2026, 10, 13))["rows"]]


def test_the_task_partial_costs_constant_statements(app, world, open_task, issue, count_statements):
    from flask import render_template_string
    from flask_login import login_user

    task_id = open_task()

    def cost(role):
        task = notices.load_task(task_id)
        with app.test_request_context():
            login_user(world["users"][role])
            with count_statements() as counter:
                render_template_string('{% include "supervision/_task_notices.html" %}', task=task)
        return counter.count

    issue(task_id), issue(task_id)
    few = {role: cost(role) for role in ("office", "liaison")}
    for _ in range(18):
        issue(task_id)
    assert (
        {role: cost(role) for role in ("office", "liaison")} == few == {"office": 1, "liaison": 1}
    )
