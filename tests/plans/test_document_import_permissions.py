"""Every route of the document importer, every role: only the office imports; the admin,
leaders and liaisons get 403 (docs/permissions.md); another user's draft is "not found". A
refused request writes nothing, on disk or in the database; every form needs its CSRF token.
"""

import pytest
from sqlalchemy import func, select
from support.csrf import signed_in_with_csrf
from support.permission_matrix import PAGE, WRITE, expect, run_matrix

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans import document_import
from tracker.plans.excel_import import imports_dir
from tracker.plans.models import Plan, Task
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
BASE = "/plans/documents/import"
TEXT = "矩阵测试方案\n一、重点任务\n1.建设科技孵化平台。(市科技局牵头,市发改委配合)\n"

ENDPOINTS = {
    "document_import.upload",
    "document_import.preview",
    "document_import.change",
    "document_import.discard",
}

CASES = [
    ("GET", BASE, None, expect(office=PAGE)),
    ("POST", BASE, {"text": TEXT}, expect(office=WRITE)),
    ("GET", BASE + "/{token}", None, expect(office=PAGE)),
    ("GET", BASE + "/{foreign}", None, expect(office=404)),
    ("GET", BASE + "/not-a-token", None, expect(office=404)),
    ("POST", BASE + "/{foreign}", {"action": "confirm"}, expect(office=404)),
    ("POST", BASE + "/{foreign}/discard", {}, expect(office=404)),
    ("POST", BASE + "/{token}", {"action": "confirm"}, expect(office=WRITE)),
    ("POST", BASE + "/{other}/discard", {}, expect(office=WRITE)),
    ("GET", BASE + "/{token}", None, expect(office=404)),  # confirmed: gone
]


@pytest.fixture
def ids(world):
    """Two drafts of the office user and one of another office user."""
    office = world["users"]["office"]
    stranger = User(username="office-x", display_name="X", role=Role.OFFICE.value, password_hash="")
    stranger.set_password("secret-pass-1")
    db.session.add(stranger)
    db.session.commit()

    def keep(user_id):
        return document_import.keep(user_id, "", None, document_import.new_draft(TEXT)).token

    return {**world["ids"], "token": keep(office.id), "other": keep(office.id),
            "foreign": keep(stranger.id)}  # fmt: skip


def snapshot():
    db.session.expire_all()
    files = sorted(p.name for p in imports_dir().iterdir())
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Plan, Task, Unit)
    )
    return files, counts


@pytest.mark.parametrize("role", ROLES)
def test_matrix(ids, client_for, role):
    run_matrix(
        CASES,
        role,
        client_for=client_for,
        ids=ids,
        roles=ROLES,
        snapshot=snapshot,
        reads_change_nothing=True,
    )


def test_forms_need_their_csrf_token(app_factory, world, ids):
    _, client = signed_in_with_csrf(app_factory, world["users"]["office"].username)
    before = snapshot()
    for path, form in [
        (BASE, {"text": TEXT}),
        (f"{BASE}/{ids['token']}", {"action": "confirm"}),
        (f"{BASE}/{ids['token']}/discard", {}),
    ]:
        assert client.post(path, data=form).status_code == 400, path
    assert snapshot() == before
    page = client.get(f"{BASE}/{ids['token']}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2  # the proposal and the discard forms
