"""Bulletins (通报): the pure rules (number, title, praise and criticism), drafting from the
stored scores, editing, publishing, the page, and the Word and Excel files holding the same
figures as the page.

The world (on a frozen clock, 5 November 2026): October 2026 is scored with six units —
市人社局 +3 (103), 市教育局 +1 −1 (100), 市财政局 −1 (99), then 市工信局 (task 12 of 市经信委,
its predecessor), 市发改委 and 市科技局 with overdue tasks and missing reports. 市发改委 is
named by a level-4 escalation of task 1; two supervision notices were issued in October.
"""

import re
from datetime import date, datetime
from io import BytesIO

import pytest
from docx import Document
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from tracker.audit import AuditEvent
from tracker.common.numbering import next_seq
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.scoring import rules
from tracker.scoring.bulletins import services as bulletins
from tracker.scoring.bulletins.word import bulletin_title
from tracker.scoring.exports import period_label
from tracker.scoring.models import Bulletin, ScoreAdjustment
from tracker.scoring.services import store_month
from tracker.scoring.standings import period_scores
from tracker.supervision.models import Alert, TaskAssignment
from tracker.supervision.notices import services as notices
from tracker.supervision.workflow import services as workflow
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

TODAY = date(2026, 11, 5)
EAST_ASIA = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(datetime(2026, 11, 5, 10, tzinfo=LOCAL_TZ)):
        yield


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("year", "seq", "text"), [(2026, 1, "督查通报〔2026〕1号"), (2027, 12, "督查通报〔2027〕12号")]
)
def test_bulletin_number(year, seq, text):
    assert bulletins.bulletin_number(year, seq) == text
    assert next_seq(None) == 1 and next_seq(seq) == seq + 1


@pytest.mark.parametrize(
    ("period", "label"),
    [
        ("2026-10", "2026年10月"),
        ("2026-Q4", "2026年第四季度"),
        ("2026-Q1", "2026年第一季度"),
        ("2026", "2026年"),
    ],
)
def test_period_label_and_title(period, label):
    parsed = rules.parse_period(period)
    assert period_label(parsed) == label
    assert bulletin_title(parsed) == f"关于{label}重点任务推进情况的通报"


def _row(unit_id, rank, score, credits=0):
    return {
        "unit_id": unit_id,
        "unit": f"u{unit_id}",
        "rank": rank,
        "score": score,
        "deductions": min(score - 100 - credits, 0),
        "credits": credits,
    }


@pytest.mark.parametrize(
    ("rows", "praised"),
    [
        ([_row(1, 1, 103, 3), _row(2, 2, 100, 1), _row(3, 3, 100)], [1, 2]),  # 3: no credits
        ([_row(1, 1, 100), _row(2, 1, 100)], []),  # untouched at 100: nothing to praise
        ([_row(1, 1, 99.5, 2)], []),  # credits, but below 100
        ([], []),
    ],
)
def test_praise_needs_100_and_credits(rows, praised):
    assert [r["unit_id"] for r in bulletins.praised_units(rows)] == praised


@pytest.mark.parametrize(
    ("rows", "named", "criticised"),
    [
        # the last three places below 100; 99 in fourth-last place is not criticised
        (
            [_row(1, 1, 103), _row(2, 2, 99), _row(3, 3, 96), _row(4, 4, 93), _row(5, 5, 89)],
            {},
            [(3, True), (4, True), (5, True)],
        ),
        # a tie with the third-last place is criticised too
        (
            [_row(1, 1, 100), _row(2, 2, 95), _row(3, 2, 95), _row(4, 4, 90), _row(5, 5, 80)],
            {},
            [(2, True), (3, True), (4, True), (5, True)],
        ),
        # a unit at 100 in the last places is not criticised
        ([_row(1, 1, 100), _row(2, 1, 100)], {}, []),
        # named by an escalation: criticised whatever its place, with its tasks
        (
            [_row(1, 1, 100), _row(2, 2, 99), _row(3, 3, 98), _row(4, 4, 97)],
            {1: {"unit": "u1", "tasks": [{"task_id": 7}]}},
            [(1, False), (2, True), (3, True), (4, True)],
        ),
        # named without a scorecard in the period: listed after the ranking
        ([_row(1, 1, 100)], {9: {"unit": "u9", "tasks": [{"task_id": 7}]}}, [(9, False)]),
    ],
)
def test_criticism_rule(rows, named, criticised):
    result = bulletins.criticised_units(rows, named)
    assert [(c["unit_id"], c["bottom"]) for c in result] == criticised
    for c in result:
        assert c["named_tasks"] == named.get(c["unit_id"], {}).get("tasks", [])


def test_top_reasons_are_the_three_largest_deductions():
    by_rule = [
        ("report_missing", 2, -4),
        ("report_late", 1, -1),
        ("task_overdue_lead", 3, -6),
        ("report_good", 1, 0.5),
        ("report_returned", 1, -0.5),
    ]
    assert bulletins.top_reasons(by_rule) == [
        {"rule": "task_overdue_lead", "count": 3, "amount": -6},
        {"rule": "report_missing", "count": 2, "amount": -4},
        {"rule": "report_late", "count": 1, "amount": -1},
    ]


@pytest.mark.parametrize(("state", "key"), [("draft", None), ("published", "published")])
def test_only_a_draft_changes(state, key):
    assert bulletins.check_change(state) == key


# ---------------------------------------------------------------- the world


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


@pytest.fixture
def scored(world):
    """October 2026 scored and stored (see the module's docstring); returns handy ids."""
    ids, office = world["ids"], world["users"]["office"]
    plan_id = ids["own_plan"]
    task12 = db.session.scalar(select(Task.id).where(Task.plan_id == plan_id, Task.number == 12))
    for task_id in (ids["own_task"], ids["other_task"], ids["co_task"], task12):
        workflow.assign_task(workflow.load_task_for_update(task_id), office, date(2026, 9, 1))
    db.session.execute(update(TaskAssignment).values(assigned_at=datetime(2026, 9, 1, 2)))
    answered = notices.issue_notice(
        notices.load_task(ids["own_task"]), office, date(2026, 10, 12), "限期整改"
    )
    notices.answer_notice(answered, world["users"]["liaison"], date(2026, 10, 14), "已整改")
    open_notice = notices.issue_notice(
        notices.load_task(ids["other_task"]), office, date(2026, 10, 13), "限期整改"
    )
    notices.issue_notice(notices.load_task(ids["co_task"]), office, date(2026, 11, 2), "十一月")
    for code, amount in (("rsj", 3), ("jyj", 1), ("jyj", -1), ("czj", -1)):
        db.session.add(
            ScoreAdjustment(
                period="2026-10", unit_id=_unit(code).id, amount=amount, reason="测试调整"
            )
        )
    fgw, kjj = _unit("fgw"), _unit("kjj")
    db.session.add_all(
        [
            Alert(
                key="a1",
                kind="task_overdue",
                level=4,
                task_id=ids["own_task"],
                unit_id=fgw.id,
                swept_on=TODAY,
            ),
            Alert(
                key="a2",
                kind="task_overdue",
                level=4,
                task_id=ids["other_task"],
                unit_id=kjj.id,
                swept_on=TODAY,
                resolved_at=datetime(2026, 11, 4),
            ),
            Alert(
                key="a3",
                kind="task_overdue",
                level=3,
                task_id=ids["co_task"],
                unit_id=kjj.id,
                swept_on=TODAY,
            ),
        ]
    )
    db.session.flush()
    store_month("2026-10", TODAY)
    db.session.commit()
    return {
        **ids,
        "task12": task12,
        "answered": answered.id,
        "open_notice": open_notice.id,
        "fgw": fgw.id,
        "kjj": kjj.id,
        "gxj": _unit("gxj").id,
    }


@pytest.fixture
def as_role(app, world, login):
    def make(role):
        client = app.test_client()
        client.set_cookie("tracker_lang", "en")
        if role != "anonymous":
            assert login(client, world["users"][role]).status_code == 302
        return client

    return make


def _draft(world, period="2026-10", day=TODAY):
    bulletin = bulletins.draft(world["users"]["office"], period, day)
    db.session.commit()
    return bulletin


def _bulletin(bulletin_id):
    db.session.expire_all()
    return db.session.get(Bulletin, bulletin_id)


# ---------------------------------------------------------------- drafting


def test_office_drafts_a_bulletin_from_the_stored_scores(world, scored, as_role):
    client = as_role("office")
    assert client.get("/bulletins/new").status_code == 200
    response = client.post("/bulletins", data={"period": "2026-10"})
    assert response.status_code == 302
    bulletin = db.session.scalar(select(Bulletin))
    assert response.headers["Location"].endswith(f"/bulletins/{bulletin.id}")
    assert (bulletin.number, bulletin.year, bulletin.seq) == ("督查通报〔2026〕1号", 2026, 1)
    assert bulletin.title == "关于2026年10月重点任务推进情况的通报"
    assert (bulletin.state, bulletin.period) == ("draft", "2026-10")
    f = bulletin.figures
    scores = period_scores(rules.parse_period("2026-10"), TODAY)
    assert [(r["unit"], r["rank"], r["score"]) for r in f["ranking"]] == [
        (c.unit.name, c.rank, float(c.score)) for c in scores.cards
    ]
    assert [r["unit"] for r in f["ranking"]] == [
        "市人社局",
        "市教育局",
        "市财政局",
        "市工信局",
        "市发改委",
        "市科技局",
    ]
    assert [p["unit"] for p in f["praised"]] == ["市人社局", "市教育局"]
    assert [
        (c["unit"], c["bottom"], [t["task_id"] for t in c["named_tasks"]]) for c in f["criticised"]
    ] == [
        ("市工信局", True, []),
        ("市发改委", True, [scored["own_task"]]),
        ("市科技局", True, []),
    ]
    overdue = {t["task_id"]: t["unit"] for t in f["overdue_tasks"]}
    assert overdue == {
        scored["own_task"]: "市发改委",
        scored["other_task"]: "市科技局",
        scored["co_task"]: "市科技局",
        scored["task12"]: "市工信局",
    }
    assert [(n["number"], n["answered"]) for n in f["notices"]] == [
        ("督办〔2026〕1号", True),
        ("督办〔2026〕2号", False),
    ]  # the November one is not
    kjj = next(r for r in f["ranking"] if r["unit"] == "市科技局")
    assert kjj["reasons"] == [  # equal totals keep the rules' order
        {"rule": "report_missing", "count": 2, "amount": -4},
        {"rule": "task_overdue_lead", "count": 2, "amount": -4},
        {"rule": "notice_unanswered", "count": 1, "amount": -3},
    ]
    assert f["summary"] == {
        "units": 6,
        "average": f["summary"]["average"],
        "at_least_100": 2,
        "below_100": 4,
        "overdue": 4,
        "notices": 2,
        "notices_answered": 1,
    }
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bulletin.drafted")
    ).all()
    assert (event.subject_type, event.subject_id) == ("bulletin", bulletin.id)
    assert event.detail["number"] == "督查通报〔2026〕1号"


def test_a_missed_milestone_at_level_4_names_its_unit_too(world, scored):
    """The escalation ladder applies to milestones as to tasks: level 4 names the unit."""
    db.session.add(
        Alert(
            key="m1",
            kind="milestone_overdue",
            level=4,
            task_id=scored["co_task"],
            unit_id=scored["gxj"],
            swept_on=TODAY,
        )
    )
    db.session.commit()
    f = _draft(world).figures
    named = {c["unit"]: [t["task_id"] for t in c["named_tasks"]] for c in f["criticised"]}
    assert named["市工信局"] == [scored["co_task"]]
    assert named["市发改委"] == [scored["own_task"]]


def test_the_drafted_text_has_the_customary_structure(world, scored):
    body = _draft(world).body.splitlines()
    assert body[0] == "各县（区）、市直各有关单位："
    for heading in ("一、总体情况", "二、表扬", "三、批评和存在问题", "四、下步要求"):
        assert heading in body
    text = "\n".join(body)
    assert "纳入考核的责任单位共6个" in text
    assert "市人社局（103分）、市教育局（100分）" in text
    assert "予以点名通报：市发改委（长发〔2017〕29号第1项" in text
    assert "本期共下发督办单2份，已反馈1份" in text
    assert "市工信局1项" in text


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-09", "No scorecard is stored for this period: compute the scores first."),
        ("2026-Q4", "The scores of 2026-11 are not stored: compute them first."),
        ("2026-13", "Give the period as YYYY-MM, YYYY-Qn or YYYY"),
        ("2027-01", "This period has not begun yet."),
        ("", "Give the period."),
    ],
)
def test_drafting_is_refused_without_stored_scores(app, world, scored, as_role, period, message):
    client = as_role("office")
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post("/bulletins", data={"period": period})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    if period in ("2026-09", "2026-Q4") and "scoring.index" in app.view_functions:
        assert 'data-testid="scores-link"' in page
    assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_numbers_count_per_year_and_a_taken_number_is_retried(world, scored, monkeypatch):
    assert _draft(world).number == "督查通报〔2026〕1号"
    real, calls = bulletins._max_seq, []

    def stale(year):  # the first look misses the bulletin another request just committed
        calls.append(year)
        return None if len(calls) == 1 else real(year)

    monkeypatch.setattr(bulletins, "_max_seq", stale)
    assert _draft(world).number == "督查通报〔2026〕2号"
    assert len(calls) == 2
    monkeypatch.setattr(bulletins, "_max_seq", real)
    assert _draft(world, day=date(2027, 1, 4)).number == "督查通报〔2027〕1号"


# ---------------------------------------------------------------- edit, publish


def test_edit_then_publish_then_read_only(world, scored, as_role):
    bulletin_id = _draft(world).id
    client = as_role("office")
    text = "各单位：\n一、总体情况\n改过的正文"
    response = client.post(
        f"/bulletins/{bulletin_id}/edit", data={"title": "关于十月的通报", "body": text}
    )
    assert response.status_code == 302
    edited = _bulletin(bulletin_id)
    assert (edited.title, edited.body) == ("关于十月的通报", text)
    assert client.post(f"/bulletins/{bulletin_id}/publish").status_code == 302
    published = _bulletin(bulletin_id)
    assert (published.state, published.published_on) == ("published", TODAY)
    assert published.published_by_id == world["users"]["office"].id
    assert published.published_at is not None
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_type == "bulletin")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["bulletin.drafted", "bulletin.edited", "bulletin.published"]

    again = client.post(f"/bulletins/{bulletin_id}/edit", data={"title": "再改", "body": "再改"})
    assert again.status_code == 302
    assert "can no longer be changed" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert client.post(f"/bulletins/{bulletin_id}/publish").status_code == 302
    after = _bulletin(bulletin_id)
    assert (after.title, after.published_on) == ("关于十月的通报", TODAY)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.subject_type == "bulletin")
        )
        == 3
    )
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert 'data-testid="bulletin-edit-form"' not in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "", "body": "正文"}, "Give the title."),
        ({"title": "标题", "body": "  "}, "Write the text of the bulletin."),
        ({"title": "x" * 301, "body": "正文"}, "At most 300 characters."),
        ({"title": "标题", "body": "x" * 20001}, "At most 20000 characters."),
    ],
)
def test_bad_edits_save_nothing(world, scored, as_role, data, error):
    bulletin = _draft(world)
    response = as_role("office").post(f"/bulletins/{bulletin.id}/edit", data=data)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert _bulletin(bulletin.id).title == bulletin.title
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "bulletin.edited")
        )
        == 0
    )


def test_a_published_bulletin_keeps_its_figures_when_scores_change(world, scored, as_role):
    bulletin = _draft(world)
    bulletins.publish(bulletin, world["users"]["office"], TODAY)
    db.session.commit()
    before = as_role("leader").get(f"/bulletins/{bulletin.id}.xlsx").data
    db.session.add(
        ScoreAdjustment(period="2026-10", unit_id=scored["kjj"], amount=20, reason="复核")
    )
    store_month("2026-10", TODAY)
    db.session.commit()
    assert _bulletin(bulletin.id).figures["ranking"][-1]["unit"] == "市科技局"
    after = as_role("leader").get(f"/bulletins/{bulletin.id}.xlsx").data
    assert _ranking_from_xlsx(before) == _ranking_from_xlsx(after)


# ---------------------------------------------------------------- pages


def test_list_shows_drafts_to_the_office_and_published_to_liaisons(world, scored, as_role):
    draft = _draft(world)
    published = _draft(world)
    bulletins.publish(published, world["users"]["office"], TODAY)
    db.session.commit()
    for role in ("office", "leader", "admin"):
        page = as_role(role).get("/bulletins").get_data(as_text=True)
        assert draft.number in page and published.number in page, role
    page = as_role("liaison").get("/bulletins").get_data(as_text=True)
    assert published.number in page and draft.number not in page
    assert 'data-testid="new-bulletin"' not in page
    assert 'data-testid="new-bulletin"' in as_role("office").get("/bulletins").get_data(
        as_text=True
    )


def test_the_page_shows_the_text_and_the_figures(world, scored, as_role):
    bulletin = _draft(world)
    page = as_role("office").get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    for text in (
        "长治市重点任务推进工作专班办公室",
        bulletin.number,
        bulletin.title,
        "一、总体情况",
        'href="/static/css/print.css" media="print"',
        'class="bulletin-sheet"',
        f'href="/tasks/{scored["task12"]}"',
        'data-testid="draft-mark"',
        'data-testid="bulletin-edit-form"',
        'data-testid="bulletin-publish-form"',
        "Task overdue (lead unit)",
    ):
        assert text in page, text
    print_css = as_role("office").get("/static/css/print.css").get_data(as_text=True)
    assert "@page sheet { size: A4" in print_css and ".bulletin-sheet" in print_css
    assert page.count('data-testid="overdue-task"') == 4
    assert page.count('data-testid="criticised-unit"') == 3
    assert page.count('data-testid="praised-unit"') == 2
    assert page.count('data-answered="yes"') == 1 and page.count('data-answered="no"') == 1
    leader = as_role("leader").get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert 'data-testid="bulletin-edit-form"' not in leader


def test_a_liaison_gets_links_only_to_its_units_tasks(world, scored, as_role):
    bulletin = _draft(world)
    bulletins.publish(bulletin, world["users"]["office"], TODAY)
    db.session.commit()
    page = as_role("liaison").get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert f'href="/tasks/{scored["own_task"]}"' in page
    assert f'href="/tasks/{scored["other_task"]}"' not in page
    assert f'href="/notices/{scored["answered"]}"' in page
    assert f'href="/notices/{scored["open_notice"]}"' not in page
    assert 'data-testid="draft-mark"' not in page


def test_list_and_page_cost_constant_statements(world, scored, as_role, count_statements):
    def cost(role, path):
        client = as_role(role)
        client.get(path)
        with count_statements() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    first = _draft(world)
    bulletins.publish(first, world["users"]["office"], TODAY)
    db.session.commit()
    few = {role: cost(role, "/bulletins") for role in ("office", "liaison")}
    page = {role: cost(role, f"/bulletins/{first.id}") for role in ("office", "liaison")}
    for _ in range(6):
        bulletins.publish(_draft(world), world["users"]["office"], TODAY)
    db.session.commit()
    assert {role: cost(role, "/bulletins") for role in ("office", "liaison")} == few
    small = db.session.get(Bulletin, first.id)
    small.figures = {**small.figures, "overdue_tasks": [], "notices": [], "criticised": []}
    db.session.commit()
    assert {role: cost(role, f"/bulletins/{first.id}") for role in ("office", "liaison")} == page


# ---------------------------------------------------------------- Word and Excel


def _cells(html: str, testid: str) -> list[list[str]]:
    table = re.search(rf'<table data-testid="{testid}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r'<tr data-testid="ranking-row"[^>]*>(.*?)</tr>', table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]


def _normal(rank, unit, score, deductions, credits):
    return (int(rank), str(unit), float(score), float(deductions), float(credits))


def _ranking_from_xlsx(data: bytes):
    ws = load_workbook(BytesIO(data))["排名"]
    return [_normal(*row) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_word_and_excel_hold_the_figures_of_the_page(world, scored, as_role):
    bulletin = _draft(world)
    client = as_role("leader")
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    on_page = [_normal(*row[:5]) for row in _cells(page, "ranking")]
    assert len(on_page) == 6 and on_page[0] == (1, "市人社局", 103.0, 0.0, 3.0)

    response = client.get(f"/bulletins/{bulletin.id}.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "%E7%9D%A3%E6%9F%A5%E9%80%9A%E6%8A%A5" in response.headers["Content-Disposition"]
    document = Document(BytesIO(response.data))
    table = document.tables[0]  # then one table per category (分类考核, issue 14)
    header, *rows = [[c.text for c in row.cells] for row in table.rows]
    assert header == ["名次", "单位", "得分", "扣分", "加分", "主要扣分原因"]
    assert [_normal(*row[:5]) for row in rows] == on_page
    assert rows[-1][5] == "进展报告未报送2次、牵头任务逾期2次、督办单未按期反馈1次"

    response = client.get(f"/bulletins/{bulletin.id}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _ranking_from_xlsx(response.data) == on_page
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["排名", "分类排名", "逾期任务", "督办单"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["B"].width > 10
        assert not any(
            isinstance(c.value, str) and c.value.startswith("=")
            for row in ws.iter_rows()
            for c in row
        )
    assert [c.value for c in wb["排名"][1]] == ["名次", "单位", "得分", "扣分", "加分"]
    overdue = list(wb["逾期任务"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[4]) for r in overdue] == [
        (t["number"], t["unit"]) for t in bulletin.figures["overdue_tasks"]
    ]
    assert overdue[0][5] == datetime(2020, 12, 31)
    issued = list(wb["督办单"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[7]) for r in issued] == [
        ("督办〔2026〕1号", "市发改委", "已反馈"),
        ("督办〔2026〕2号", "市科技局", "未反馈"),
    ]


def test_the_word_layout(world, scored):
    from tracker.scoring.bulletins.word import bulletin_document

    bulletin = _draft(world)
    document = Document(bulletin_document(bulletin))
    lines = [p.text for p in document.paragraphs]
    assert lines[0] == "长治市重点任务推进工作专班办公室"
    assert bulletin.number in lines and bulletin.title in lines
    assert lines[-2:] == ["专班办公室", "2026年11月5日（草稿）"]
    head, title = document.paragraphs[0], document.paragraphs[lines.index(bulletin.title)]
    assert head.runs[0].font.color.rgb == (0xC0, 0x00, 0x00)
    assert title.runs[0]._element.rPr.rFonts.get(EAST_ASIA) == "方正小标宋简体"
    assert title.runs[0].font.size.pt == 22 and title.alignment == 1  # centred
    body = document.paragraphs[lines.index("一、总体情况") + 1]
    assert body.runs[0]._element.rPr.rFonts.get(EAST_ASIA) == "仿宋"
    assert body.runs[0].font.size.pt == 16 and body.paragraph_format.first_line_indent.pt == 32
    heading = document.paragraphs[lines.index("一、总体情况")]
    assert heading.runs[0]._element.rPr.rFonts.get(EAST_ASIA) == "黑体"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.top_margin.mm)) == (210, 37)
    bulletins.publish(bulletin, world["users"]["office"], date(2026, 11, 9))
    lines = [p.text for p in Document(bulletin_document(bulletin)).paragraphs]
    assert lines[-1] == "2026年11月9日"
