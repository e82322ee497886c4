"""Every route of the search, the task list and the Excel import, every role.

Everyone signed in searches and lists tasks (a liaison only its units' — tested in
test_search.py); only the office imports; the admin may also download the template;
leaders and liaisons get 403. A refused request writes nothing, on disk or in the database.
"""

from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from support.csrf import signed_in_with_csrf
from support.permission_matrix import PAGE, WRITE, expect, run_matrix
from werkzeug.datastructures import FileStorage

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans import excel_import
from tracker.plans.models import Plan, Task
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "search.search_page",
    "search.task_list",
    "search.task_export",
    "plan_import.template",
    "plan_import.upload",
    "plan_import.preview",
    "plan_import.confirm",
    "plan_import.discard",
}

EVERYONE = {"admin": PAGE, "office": PAGE, "leader": PAGE, "liaison": PAGE, "other_liaison": PAGE}


def _xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["序号", "任务", "牵头单位", "配合单位", "完成时限"])
    wb.active.append([1, "矩阵测试任务", "市科技局", "市发改委", "2026年底前"])
    stream = BytesIO()
    wb.save(stream)
    return stream.getvalue()


def _upload_form():
    return {
        "plan_id": "0",
        "title": "矩阵测试计划",
        "kind": "other",
        "file": (BytesIO(_xlsx()), "a.xlsx"),
    }


CASES = [
    ("GET", "/search?q=孵化", None, expect(**EVERYONE)),
    ("GET", "/search", None, expect(**EVERYONE)),
    ("GET", "/tasks", None, expect(**EVERYONE)),
    ("GET", "/tasks?q=双创&light=red&sort=due&desc=1", None, expect(**EVERYONE)),
    ("GET", "/tasks/export.xlsx?q=双创", None, expect(**EVERYONE)),
    ("GET", "/plans/import/template.xlsx", None, expect(admin=PAGE, office=PAGE)),
    ("GET", "/plans/import", None, expect(office=PAGE)),
    ("POST", "/plans/import", _upload_form, expect(office=WRITE)),
    ("GET", "/plans/import/{token}", None, expect(office=PAGE)),
    ("GET", "/plans/import/{foreign}", None, expect(office=404)),
    ("POST", "/plans/import/{foreign}", {}, expect(office=404)),
    ("POST", "/plans/import/{token}", {}, expect(office=WRITE)),
    ("POST", "/plans/import/{other}/discard", {}, expect(office=WRITE)),
    ("GET", "/plans/import/{token}", None, expect(office=404)),  # confirmed: gone
]


@pytest.fixture
def ids(world):
    """Two uploads of the office user and one of another office user."""
    office = world["users"]["office"]
    stranger = User(username="office-x", display_name="X", role=Role.OFFICE.value, password_hash="")
    stranger.set_password("secret-pass-1")
    db.session.add(stranger)
    db.session.commit()
    target = {"new": {"title": "矩阵测试计划", "doc_number": None, "issuer": "", "kind": "other"}}

    def save(user_id):
        file = FileStorage(BytesIO(_xlsx()), filename="a.xlsx")
        return excel_import.save_upload(file, user_id, target).token

    return {
        **world["ids"],
        "token": save(office.id),
        "other": save(office.id),
        "foreign": save(stranger.id),
    }


def snapshot():
    db.session.expire_all()
    files = sorted(p.name for p in excel_import.imports_dir().iterdir())
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


def test_import_forms_need_their_csrf_token(app_factory, world, ids):
    _, client = signed_in_with_csrf(app_factory, world["users"]["office"].username)
    before = snapshot()
    for path, form in [
        ("/plans/import", _upload_form()),
        (f"/plans/import/{ids['token']}", {}),
        (f"/plans/import/{ids['token']}/discard", {}),
    ]:
        assert client.post(path, data=form, content_type="multipart/form-data").status_code == 400
    assert snapshot() == before
    page = client.get(f"/plans/import/{ids['token']}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2  # the confirm and the discard forms
