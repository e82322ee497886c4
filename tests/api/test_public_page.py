"""The public progress page: opt-in per plan, no sign-in, a stable address, a printable
view and open data; never report texts, evidence, return reasons, scores or people's
names (scanned over the whole demo); unpublishing takes it all down at once."""

import csv
import io

import pytest
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.public.models import PublishedPlan
from tracker.public.rules import slug_for, task_percent
from tracker.reports.models import Attachment, ProgressReport
from tracker.scoring.models import ScoreEntry
from tracker.units.models import Unit


@pytest.fixture
def demo(app, demo_seed):
    demo_seed()
    return app


def _office_client(app):
    office = db.session.scalar(select(User).where(User.role == Role.OFFICE.value))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = office.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = session["last_seen"] = __import__("time").time()
    return client


def _forbidden_strings() -> set[str]:
    """Every report text, return reason, evidence file name, score note and person's name
    of the demo; minus strings the page may show for another reason (a task title that a
    report repeats) and very short ones that would match by chance."""
    texts = set()
    for r in db.session.scalars(select(ProgressReport)):
        texts |= {r.progress, r.problems, r.next_steps, r.return_reason or ""}
    texts |= set(db.session.scalars(select(Attachment.original_name)))
    texts |= set(db.session.scalars(select(ScoreEntry.note)))
    for user in db.session.scalars(select(User)):
        # an account named after its role ("office") is a word of the page, not a person
        texts |= {user.display_name} | ({user.username} - {r.value for r in Role})
    allowed = " ".join(
        [*db.session.scalars(select(Task.title)), *db.session.scalars(select(Unit.name))]
        + [p.title for p in db.session.scalars(select(Plan))]
    )
    return {t.strip() for t in texts if t and len(t.strip()) >= 4 and t.strip() not in allowed}


def test_published_plans_show_nothing_the_rule_forbids(demo):
    app = demo
    office = _office_client(app)
    plans = db.session.scalars(select(Plan).where(Plan.archived_at.is_(None))).all()
    for plan in plans:
        assert office.post(f"/public/manage/{plan.id}/publish").status_code == 302
    forbidden = _forbidden_strings()
    assert len(forbidden) > 20  # the demo has reports, reasons and people to look for
    anonymous = app.test_client()
    entries = db.session.scalars(select(PublishedPlan)).all()
    assert len(entries) == len(plans)
    scanned = 0
    for entry in entries:
        for suffix in ("", "/print", "/data.csv", "/data.json"):
            response = anonymous.get(f"/public/plans/{entry.slug}{suffix}")
            assert response.status_code == 200, (entry.slug, suffix)
            text = response.get_data(as_text=True)
            found = [t for t in forbidden if t in text]
            assert found == [], (entry.slug, suffix, found[:5])
            scanned += 1
    assert scanned == 4 * len(entries)
    # positive control: the same scan finds what the page must show (the lead units)
    first = anonymous.get(f"/public/plans/{entries[0].slug}").get_data(as_text=True)
    assert any(name in first for name in db.session.scalars(select(Unit.name)))
    # the percentages do come from the accepted reports: the page is not empty of progress
    page = anonymous.get(f"/public/plans/{entries[0].slug}/data.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(page.lstrip("\ufeff"))))
    assert rows and set(rows[0]) == {
        "number",
        "section",
        "title",
        "lead_unit",
        "co_units",
        "due_date",
        "status",
        "light",
        "percent",
    }


def test_unpublishing_takes_the_page_and_downloads_down_at_once(demo):
    app = demo
    office = _office_client(app)
    plan = db.session.scalars(select(Plan).order_by(Plan.id)).first()
    anonymous = app.test_client()
    office.post(f"/public/manage/{plan.id}/publish")
    slug = db.session.scalar(select(PublishedPlan.slug).where(PublishedPlan.plan_id == plan.id))
    assert anonymous.get(f"/public/plans/{slug}").status_code == 200
    office.post(f"/public/manage/{plan.id}/unpublish")
    for suffix in ("", "/print", "/data.csv", "/data.json"):
        assert anonymous.get(f"/public/plans/{slug}{suffix}").status_code == 404
    office.post(f"/public/manage/{plan.id}/publish")
    again = db.session.scalar(select(PublishedPlan.slug).where(PublishedPlan.plan_id == plan.id))
    assert again == slug  # a stable address
    assert anonymous.get(f"/public/plans/{slug}").status_code == 200


def test_never_published_is_not_found_and_only_the_office_publishes(demo):
    app = demo
    anonymous = app.test_client()
    assert anonymous.get("/public/plans/changfa-2017-29").status_code == 404
    assert anonymous.get("/public/manage").status_code == 302  # to sign-in
    assert anonymous.post("/public/manage/1/publish").status_code == 302
    assert db.session.scalar(select(PublishedPlan.id)) is None


@pytest.mark.parametrize(
    ("status", "accepted", "expected"),
    [
        ("closed", None, 100),
        ("closed", 40, 100),
        ("in_progress", 40, 40),
        ("in_progress", None, None),
        ("assigned", 0, 0),
        ("pending", None, None),
    ],
)
def test_task_percent(status, accepted, expected):
    assert task_percent(status, accepted) == expected


@pytest.mark.parametrize(
    ("key", "plan_id", "slug"),
    [
        ("changfa-2017-29", 1, "changfa-2017-29"),
        ("CZGXQ Shuangchuang 2021", 2, "czgxq-shuangchuang-2021"),
        ("会议-2026", 3, "2026"),
        ("会议", 4, "plan-4"),
        ("", 5, "plan-5"),
    ],
)
def test_slug_for(key, plan_id, slug):
    assert slug_for(key, plan_id) == slug
