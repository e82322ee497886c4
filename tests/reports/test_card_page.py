"""Where a save or a submission lands (issue 13's surge): the report's own card, then the
next report still to file; who may open a card; and on SQLite a save takes the write lock
only at its first write."""

import pytest
from freezegun import freeze_time
from lxml import html
from sqlalchemy import event, select

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport

NOW = "2026-11-20 09:00:00"


def _cards(response):
    page = html.fromstring(response.data)
    return [c.get("id") for c in page.xpath("//section[contains(@class, 'report-card')]")]


def _month_order(liaison):
    """The cards of the month page still to file, in its order (ids `task-…`)."""
    page = html.fromstring(liaison.get("/reports").data)
    return [
        c.get("id")
        for c in page.xpath("//section[contains(@class, 'report-card')]")
        if c.xpath(".//form[contains(@class, 'report-form')]")
    ]


@freeze_time(NOW)
def test_a_draft_lands_on_its_card_alone(open_tasks, client_for, report_form):
    own = open_tasks["ids"]["own_task"]
    liaison = client_for("liaison")
    liaison.set_cookie("tracker_lang", "en")
    response = liaison.post("/reports/save", data=report_form(own))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/card/{own}#task-{own}")
    card = liaison.get(response.headers["Location"])
    assert card.status_code == 200
    assert _cards(card) == [f"task-{own}"]  # a draft: no next card yet
    assert "Draft saved." in card.text  # the flash message, then the card
    assert 'data-testid="back-to-month"' in card.text
    assert "本月完成示范基地申报材料初审。" in card.text
    assert 'data-testid="next-report"' not in card.text
    assert len(card.data) < len(liaison.get("/reports").data) / 2


@freeze_time(NOW)
def test_a_submission_offers_the_next_report_to_file_until_all_are_in(
    open_tasks, client_for, report_form
):
    liaison = client_for("liaison")
    order = _month_order(liaison)
    assert len(order) >= 3
    filed = []
    location = None
    while order:
        task_id = int(order[0].removeprefix("task-"))
        response = liaison.post("/reports/save", data=report_form(task_id, action="submit"))
        assert response.status_code == 302
        filed.append(order.pop(0))
        location = response.headers["Location"]
        card = liaison.get(location)
        # the report just filed, then the month page's next card still to file (with form)
        assert _cards(card) == filed[-1:] + order[:1]
        if order:
            assert f'value="{order[0].removeprefix("task-")}"' in card.text
    assert 'data-testid="all-filed"' in card.text
    states = db.session.scalars(
        select(ProgressReport.state).where(
            ProgressReport.unit_id == open_tasks["users"]["liaison"].unit_id
        )
    ).all()
    assert set(states) == {"submitted"} and len(states) == len(filed)


@freeze_time(NOW)
def test_an_earlier_months_card_carries_its_month(world, october_owed, client_for, report_form):
    ids, october = world["ids"], october_owed
    liaison = client_for("liaison")
    anchor = f"task-{ids['own_task']}-2026-10"
    this_month = _month_order(liaison)
    assert this_month[0] == anchor  # earlier months first on the month page
    # this month's report first: the next is this month's next, else October's
    response = liaison.post("/reports/save", data=report_form(ids["own_task"], action="submit"))
    card = liaison.get(response.headers["Location"])
    following = [c for c in this_month if c not in (anchor, f"task-{ids['own_task']}")]
    assert _cards(card) == [f"task-{ids['own_task']}", (following or [anchor])[0]]
    # October's: its card carries the month
    data = report_form(ids["own_task"], period_id=october.id, action="submit")
    response = liaison.post("/reports/save", data=data)
    assert response.headers["Location"].endswith(
        f"/reports/card/{ids['own_task']}?period={october.id}#{anchor}"
    )
    card = liaison.get(response.headers["Location"])
    assert _cards(card)[0] == anchor
    assert "2026-10" in card.text


@freeze_time(NOW)
def test_who_may_open_a_card(open_tasks, client_for):
    ids = open_tasks["ids"]
    liaison = client_for("liaison")
    assert liaison.get(f"/reports/card/{ids['own_task']}").status_code == 200
    assert liaison.get(f"/reports/card/{ids['co_task']}").status_code == 200  # co-unit
    # another unit's task, a task that does not exist, a month that does not exist: 404
    assert liaison.get(f"/reports/card/{ids['other_task']}").status_code == 404
    assert liaison.get("/reports/card/999999").status_code == 404
    assert liaison.get(f"/reports/card/{ids['own_task']}?period=99999").status_code == 404
    assert liaison.get(f"/reports/card/{ids['own_task']}?period=x").status_code == 400
    assert client_for("other_liaison").get(f"/reports/card/{ids['own_task']}").status_code == 404
    for role in ("office", "leader", "admin"):
        assert client_for(role).get(f"/reports/card/{ids['own_task']}").status_code == 403
    anonymous = client_for("anonymous").get(f"/reports/card/{ids['own_task']}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@freeze_time(NOW)
def test_a_closed_task_card_sends_back_to_the_month_page(open_tasks, client_for):
    own = open_tasks["ids"]["own_task"]
    db.session.get(Task, own).status = "completed"
    db.session.commit()
    response = client_for("liaison").get(f"/reports/card/{own}?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reports?page=2")


@freeze_time(NOW)
def test_the_card_pages_statements_do_not_grow_with_the_units_tasks(
    open_tasks, client_for, report_form, count_statements
):
    liaison = client_for("liaison")
    order = [int(c.removeprefix("task-")) for c in _month_order(liaison)]
    counts = []
    for task_id in order[:3]:
        response = liaison.post("/reports/save", data=report_form(task_id, action="submit"))
        with count_statements() as counter:
            assert liaison.get(response.headers["Location"]).status_code == 200
        counts.append(counter.count)
    assert max(counts) - min(counts) <= 2, counts  # lead or co-unit card: a statement apart
    assert max(counts) <= 36


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")


@freeze_time(NOW)
def test_a_save_takes_sqlites_write_lock_at_its_first_write(
    sqlite_only, open_tasks, client_for, report_form
):
    """Every statement of a save before its UPDATE runs outside a transaction (no write
    lock held through the reads); another POST still begins with BEGIN IMMEDIATE."""
    own = open_tasks["ids"]["own_task"]
    liaison = client_for("liaison")
    liaison.post("/reports/save", data=report_form(own))  # a draft to update
    seen = []

    def before(conn, _cursor, statement, *_args):
        seen.append((statement.split()[0].upper(), conn.connection.dbapi_connection.in_transaction))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        version = db.session.scalar(
            select(ProgressReport.version).where(ProgressReport.task_id == own)
        )
        db.session.rollback()
        data = report_form(own, version=version, progress="十一月：完成初审")
        response = liaison.post("/reports/save", data=data)
        assert response.status_code == 302
        saved = list(seen)
        seen.clear()
        liaison.post("/notifications/read-all")  # an ordinary POST
        other = list(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    first_write = next(i for i, (verb, _t) in enumerate(saved) if verb == "UPDATE")
    assert first_write > 3
    assert all(verb == "SELECT" and not in_tx for verb, in_tx in saved[:first_write])
    assert "BEGIN" not in {verb for verb, _t in saved}
    assert other and other[0][0] == "BEGIN"


@freeze_time(NOW)
def test_a_save_reads_the_signed_in_user_once_and_is_still_not_cached(
    open_tasks, client_for, report_form, count_statements
):
    """The commit expires the user; the after-request header check must not load it again
    (one statement a POST in the surge), yet the answer stays "no-store"; a signed-out
    page is not marked."""
    own = open_tasks["ids"]["own_task"]
    liaison = client_for("liaison")
    liaison.get("/reports")  # the month's period exists (its creation commits once)
    with count_statements() as counter:
        response = liaison.post("/reports/save", data=report_form(own))
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    users = [s for s in counter.statements if "FROM user_account" in s]
    assert len(users) == 1, users  # the session's loader, nothing after the commit
    assert liaison.get(response.headers["Location"]).headers["Cache-Control"] == "no-store"
    liaison.post("/logout")
    assert liaison.get("/login").headers.get("Cache-Control") != "no-store"


@freeze_time(NOW)
def test_the_card_of_a_submitted_report_shows_it_as_it_went_in(open_tasks, client_for, report_form):
    """After a submission the report's card holds its text and no form (the office has it
    now); the next report's card holds the form. Last month's line and the co-units' parts
    stay on the month page (docs/performance.md, "Fourth pass")."""
    own = open_tasks["ids"]["own_task"]
    liaison = client_for("liaison")
    response = liaison.post("/reports/save", data=report_form(own, action="submit"))
    page = html.fromstring(liaison.get(response.headers["Location"]).data)
    cards = page.xpath("//section[contains(@class, 'report-card')]")
    filed, following = cards[0], cards[1]
    assert filed.get("id") == f"task-{own}"
    assert "state-submitted" in filed.get("class")
    assert "本月完成示范基地申报材料初审。" in filed.text_content()
    assert "用地指标紧张" in filed.text_content()
    assert not filed.xpath(".//form[contains(@class, 'report-form')]")
    assert filed.xpath(".//a[contains(@href, '/reports/')]")  # the report's own page
    assert following.xpath(".//form[contains(@class, 'report-form')]")


@freeze_time(NOW)
def test_an_earlier_months_save_reads_its_report_once(
    world, october_owed, client_for, report_form, count_statements
):
    """The late-filing check and the save share one read of the report (issue 13's surge)."""
    ids, october = world["ids"], october_owed
    liaison = client_for("liaison")
    liaison.get("/reports")  # November's period exists
    data = report_form(ids["own_task"], period_id=october.id)
    for version in (0, 1):  # its first save (no report yet), then a second one
        with count_statements() as counter:
            response = liaison.post(
                "/reports/save",
                data={**data, "version": str(version), "progress": f"第{version + 1}稿"},
            )
        assert response.status_code == 302, response.text
        reads = [
            s
            for s in counter.statements
            if s.lstrip().startswith("SELECT") and "FROM progress_report" in s
        ]
        assert len(reads) == 1 + (version == 0), reads  # none yet: read again before writing
        periods = [s for s in counter.statements if "FROM reporting_period" in s]
        assert len(periods) == 1, periods  # this month and October in one statement
    db.session.expire_all()
    saved = db.session.scalars(
        select(ProgressReport).where(
            ProgressReport.task_id == ids["own_task"], ProgressReport.period_id == october.id
        )
    ).all()
    assert [(r.revision, r.version, r.state) for r in saved] == [(1, 2, "draft")]


@freeze_time(NOW)
def test_wtforms_own_messages_follow_the_language(open_tasks, client_for, report_form):
    """WTForms' built-in messages come from a per-process catalogue per language
    (TrackerRequest.wtforms_translations): Chinese by default, English when chosen — the
    same process answering both, nothing saved either time."""
    own = open_tasks["ids"]["own_task"]
    liaison = client_for("liaison")
    too_long = report_form(own, progress="进" * 5001)
    chinese = liaison.post("/reports/save", data=too_long)
    assert chinese.status_code == 400
    assert "字段长度不能超过 5000 个字符。" in chinese.text
    liaison.set_cookie("tracker_lang", "en")
    english = liaison.post("/reports/save", data=too_long)
    assert english.status_code == 400
    assert "Field cannot be longer than 5000 characters." in english.text
    assert (
        db.session.scalars(select(ProgressReport).where(ProgressReport.task_id == own)).all() == []
    )
