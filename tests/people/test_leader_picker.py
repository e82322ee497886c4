"""The people page names leaders by typing (issue 13: 11 menus of ≈ 1,000 leaders were
420 KB): one `<datalist id="leaders">` of "name (account)" for the plan's and every
section's form; the server takes that, the account alone, or a name one leader has."""

import pytest
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.models import Plan, Section
from tracker.plans.people import queries


@pytest.fixture
def office(client_for):
    client = client_for("office")
    client.set_cookie("tracker_lang", "en")
    return client


@pytest.fixture
def plan(world):
    return db.session.get(Plan, world["ids"]["own_plan"])


def _say(office, path, text):
    return office.post(path, data={"leader_id": text}, follow_redirects=True).get_data(as_text=True)


def test_leaders_are_typed_by_name_account_or_both(world, make_user, office, plan):
    first = world["users"]["leader"]
    second = make_user(Role.LEADER, username="leader2")
    second.display_name = "王副市长"
    db.session.commit()
    section = db.session.scalar(select(Section).where(Section.plan_id == plan.id).limit(1))
    page = office.get(f"/plans/{plan.id}/people").get_data(as_text=True)
    assert page.count("<datalist") == 1
    assert page.count(f"{first.display_name} (leader1)") == 1  # once, in the datalist
    _say(office, f"/plans/{plan.id}/leader", f"{first.display_name} (leader1)")
    _say(office, f"/sections/{section.id}/leader", "王副市长")
    leaders = queries.load_leaders()
    assert leaders.of_plan == {plan.id: first.id}
    assert leaders.of_section == {section.id: second.id}
    page = office.get(f"/plans/{plan.id}/people").get_data(as_text=True)
    assert f'value="{first.display_name} (leader1)"' in page  # the current leader, prefilled
    _say(office, f"/sections/{section.id}/leader", "")  # empty: inherited again
    assert queries.load_leaders().of_section == {}


def test_unknown_ambiguous_and_non_leaders_are_refused(world, make_user, office, plan):
    twin_a = make_user(Role.LEADER, username="leader2")
    twin_b = make_user(Role.LEADER, username="leader3")
    twin_a.display_name = twin_b.display_name = "李市长"
    db.session.commit()
    path = f"/plans/{plan.id}/leader"
    assert "No active leader is called “李四”" in _say(office, path, "李四")
    answer = _say(office, path, "李市长")
    assert "Several leaders are called “李市长”" in answer and "(leader2)" in answer
    assert "No active leader is called “office1”" in _say(office, path, "office1")
    assert queries.load_leaders().of_plan == {}
    _say(office, path, "李市长 (leader3)")
    assert queries.load_leaders().of_plan == {plan.id: twin_b.id}


def test_the_people_page_holds_the_leaders_once(world, make_user, office, plan, count_statements):
    path = f"/plans/{plan.id}/people"
    with count_statements() as counter:
        before = office.get(path).get_data()
    statements = counter.count
    for i in range(200):
        make_user(Role.LEADER, username=f"lead{i:03d}")
    with count_statements() as counter:
        after = office.get(path).get_data()
    assert counter.count == statements
    assert len(after) - len(before) <= 200 * 60  # one option a leader, not one per form
