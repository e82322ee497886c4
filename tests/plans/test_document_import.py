"""The document importer's pages: upload or paste, the preview beside the document, the
office's corrections (units, dates, merge, split, drop, renumber, bulk assign), confirm in
one transaction, and a re-import that updates the plan instead of duplicating it."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.plans import document_import
from tracker.plans.models import Plan, Section, Task
from tracker.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]
BASE = "/plans/documents/import"
SHORT = """测试工作方案
一、重点任务
1.建设科技孵化平台。到2025年底前建成省级孵化器2家。
2.培育科技型企业。新增科技型中小企业100家。(市科技局牵头,市发改委、市测试中心配合)
3.完善科技金融服务。推动设立科技成果转化基金。(市财政局)
"""


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def token_of(response) -> str:
    match = re.search(rf"{BASE}/([0-9a-f]{{32}})$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def draft_of(office, token):
    return document_import.load(token, office.id).draft


def form_of(draft, **extra) -> dict:
    """Every field of the preview as it stands, plus `extra`."""
    form = {"action": "save"}
    for i, plan in enumerate(draft["plans"]):
        form[f"p-{i}-title"] = plan["title"] or ""
        for n, t in enumerate(plan["tasks"], start=1):
            k = t["key"]
            form.update({f"t-{k}-title": t["title"], f"t-{k}-lead": t["lead"] or "",
                         f"t-{k}-co": "、".join(t["co"]), f"t-{k}-due": t["due"] or "",
                         f"t-{k}-phrase": t["phrase"] or "", f"t-{k}-number": str(n)})  # fmt: skip
    form.update(extra)
    return form


@pytest.fixture
def office(world, client_for):
    return world["users"]["office"], client_for("office")


def test_paste_preview_correct_and_confirm(office):
    user, client = office
    response = client.post(BASE, data={"text": SHORT})
    assert response.status_code == 302
    token = token_of(response)
    page = client.get(f"{BASE}/{token}").get_data(as_text=True)
    assert page.count("<mark>") == 3
    assert "建设科技孵化平台" in page and "市测试中心" in page
    assert "没有牵头单位" in page or "no lead unit" in page.lower()
    draft = draft_of(user, token)
    first, second, third = draft["plans"][0]["tasks"]
    # confirm is refused while task 1 has no lead and the new unit is not chosen
    plans_before, tasks_before = count(Plan), count(Task)
    response = client.post(f"{BASE}/{token}", data=form_of(draft, action="confirm"))
    assert response.status_code == 302 and response.headers["Location"].endswith(token)
    assert (count(Plan), count(Task)) == (plans_before, tasks_before)
    # the office fixes one unit and one date, assigns the lead in bulk, creates the unit
    edits = form_of(draft, action="assign", bulk_lead="市发改委", selected=[first["key"]])
    edits[f"t-{third['key']}-lead"] = "市科技局"
    edits[f"t-{third['key']}-co"] = "市财政局"
    edits[f"t-{second['key']}-due"] = "2026-06-30"
    assert client.post(f"{BASE}/{token}", data=edits).status_code == 302
    draft = draft_of(user, token)
    assert [t["lead"] for t in draft["plans"][0]["tasks"]] == ["市发改委", "市科技局", "市科技局"]
    assert "市测试中心" in document_import.new_unit_names(draft)
    client.post(f"{BASE}/{token}", data=form_of(draft, action="create_units"))
    draft = draft_of(user, token)
    response = client.post(f"{BASE}/{token}", data=form_of(draft, action="confirm"))
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalar(select(Plan).where(Plan.title == "测试工作方案"))
    assert plan is not None and plan.source_text.startswith("测试工作方案")
    tasks = db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.number))
    tasks = list(tasks)
    assert [t.title for t in tasks] == ["建设科技孵化平台", "培育科技型企业", "完善科技金融服务"]
    assert tasks[1].due_date.isoformat() == "2026-06-30"
    assert tasks[0].due_date.isoformat() == "2025-12-31"
    assert db.session.get(Unit, tasks[2].lead_unit_id).name == "市科技局"
    assert db.session.scalar(select(Unit).where(Unit.name == "市测试中心")) is not None
    assert tasks[0].source_excerpt.startswith("1.建设科技孵化平台")
    assert document_import.load(token, user.id) is None  # the draft is gone


def test_merge_split_drop_and_renumber(office):
    user, client = office
    token = token_of(client.post(BASE, data={"text": SHORT}))
    draft = draft_of(user, token)
    a, b, c = (t["key"] for t in draft["plans"][0]["tasks"])
    renumbered = form_of(draft)
    renumbered[f"t-{c}-number"] = "0"
    client.post(f"{BASE}/{token}", data=renumbered)
    assert [t["key"] for t in draft_of(user, token)["plans"][0]["tasks"]] == [c, a, b]
    client.post(f"{BASE}/{token}", data=form_of(draft_of(user, token), action="split",
                                                selected=[b]))  # fmt: skip
    tasks = draft_of(user, token)["plans"][0]["tasks"]
    assert len(tasks) == 4 and tasks[2]["key"] == b and tasks[3]["text"].startswith("新增")
    client.post(f"{BASE}/{token}", data=form_of(draft_of(user, token), action="merge",
                                                selected=[b, tasks[3]["key"]]))  # fmt: skip
    tasks = draft_of(user, token)["plans"][0]["tasks"]
    assert len(tasks) == 3 and "新增" in tasks[2]["text"]
    client.post(f"{BASE}/{token}", data=form_of(draft_of(user, token), action="drop",
                                                selected=[c]))  # fmt: skip
    assert [t["key"] for t in draft_of(user, token)["plans"][0]["tasks"]] == [a, b]


def test_bad_input_gets_a_message_and_nothing_half_saved(office):
    user, client = office
    page = client.post(BASE, data={"text": ""})
    assert page.status_code == 400
    old_word = {"file": (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64), "a.doc")}
    page = client.post(BASE, data=old_word, content_type="multipart/form-data")
    assert page.status_code == 400 and ".docx" in page.get_data(as_text=True)
    token = token_of(client.post(BASE, data={"text": SHORT}))
    draft = draft_of(user, token)
    first = draft["plans"][0]["tasks"][0]["key"]
    bad = form_of(draft, **{f"t-{first}-due": "2025-13-45"})
    response = client.post(f"{BASE}/{token}", data=bad, follow_redirects=True)
    assert response.status_code == 200
    assert draft_of(user, token)["plans"][0]["tasks"][0]["due"] == "2025-12-31"
    for junk in ({"action": "nonsense"}, {"action": "split"}, {"action": "merge"}):
        assert client.post(f"{BASE}/{token}", data=junk).status_code in (302, 400)
    # a unit choice naming a retired unit is refused at confirm, nothing written
    retired = db.session.scalar(select(Unit).where(Unit.successor_id.is_not(None)))
    draft = draft_of(user, token)
    form = form_of(draft, action="confirm", **{f"t-{first}-lead": "市科技局"})
    names = document_import.new_unit_names(draft)
    for i, name in enumerate(names):
        form[f"u-name-{i}"], form[f"u-{i}"] = name, str(retired.id)
    before = (count(Plan), count(Section), count(Task), count(Unit))
    response = client.post(f"{BASE}/{token}", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert (count(Plan), count(Section), count(Task), count(Unit)) == before


def test_reimport_shows_a_diff_and_updates(office):
    user, client = office
    source = (ROOT / "seeds" / "sources" / "002_3420b3a341986fb6.txt").read_bytes()
    plans = count(Plan)
    upload = {"file": (io.BytesIO(source), "长发〔2017〕29号.txt")}
    token = token_of(client.post(BASE, data=upload, content_type="multipart/form-data"))
    page = client.get(f"{BASE}/{token}").get_data(as_text=True)
    assert 'data-testid="reimport-diff"' in page
    assert 'data-testid="diff-added"' not in page and 'data-testid="diff-removed"' not in page
    draft = draft_of(user, token)
    first = draft["plans"][0]["tasks"][0]
    form = form_of(draft, **{f"t-{first['key']}-title": first["title"] + "(修订)"})
    client.post(f"{BASE}/{token}", data=form)
    page = client.get(f"{BASE}/{token}").get_data(as_text=True)
    assert page.count('data-testid="diff-changed"') >= 1 and "(修订)" in page
    tasks = count(Task)
    response = client.post(f"{BASE}/{token}", data=form_of(draft_of(user, token),
                                                           action="confirm"))  # fmt: skip
    assert response.status_code == 302
    assert count(Plan) == plans and count(Task) == tasks
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "长发〔2017〕29号"))
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 1))
    assert task.title.endswith("(修订)")
    assert plan.original_filename == "长发〔2017〕29号.txt"


def test_preview_statements_do_not_grow_with_the_document(office, count_statements):
    user, client = office
    small = token_of(client.post(BASE, data={"text": SHORT}))
    source = (ROOT / "seeds" / "sources" / "000_bc976589784d7c1e.txt").read_text("utf-8")
    large = token_of(client.post(BASE, data={"text": source.replace("长治高新区", "长治新区")}))
    counts = []
    for token in (small, large):
        with count_statements() as counter:
            assert client.get(f"{BASE}/{token}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
