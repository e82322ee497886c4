"""The office imports a policy document in a real browser: uploads a .docx, fixes one unit
and one date beside the highlighted document, confirms, assigns the plan; the lead unit's
liaison then sees the new tasks.

Assertions rely on data-testid hooks and on the Chinese data, not on UI labels.
"""

import io
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

LINES = [
    "长治市人民政府办公室",
    "关于印发长治市科技创新提升行动方案的通知",
    "长政办发〔2024〕12号",
    "各县(区)人民政府,市直各有关单位:",
    "现将《长治市科技创新提升行动方案》印发给你们,请认真贯彻执行。",
    "长治市人民政府办公室",
    "2024年3月15日",
    "长治市科技创新提升行动方案",
    "为加快建设创新型城市,制定本方案。",
    "一、重点任务",
    "1.建设科技孵化平台。到2025年底前建成省级孵化器2家。(市科技局牵头,市发改委、市财政局配合)",
    "2.培育科技型企业。2024年底前新增科技型中小企业100家。(市发改委牵头,市科技局配合)",
    "3.完善科技金融服务。推动设立科技成果转化基金。(市金融服务中心牵头,市财政局配合)",
    "二、保障措施",
    "加强组织领导,各单位要高度重视。",
]
TITLE = "长治市科技创新提升行动方案"


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_office_imports_a_docx_and_the_liaison_sees_the_tasks(
    page, live_server, sign_in, new_context
):
    sign_in(page, live_server, "office")
    page.goto(live_server("/plans"))
    page.get_by_test_id("document-import").click()
    page.locator("input[name='file']").set_input_files(
        files=[
            {
                "name": "科技创新提升行动方案.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document",
                "buffer": docx_bytes(),
            }
        ]
    )
    page.get_by_test_id("document-read").click()
    expect(page).to_have_url(re.compile(r"/plans/documents/import/[0-9a-f]{32}$"))

    # the document with every proposed task highlighted, the proposal beside it
    expect(page.get_by_test_id("document-text").locator("mark")).to_have_count(3)
    tasks = page.get_by_test_id("proposed-task")
    expect(tasks).to_have_count(3)
    expect(tasks.nth(0).get_by_test_id("task-lead")).to_have_value("市科技局")
    expect(tasks.nth(2).get_by_test_id("task-lead")).to_have_value("市金融服务中心")
    expect(page.get_by_test_id("new-units")).to_contain_text("市金融服务中心")

    # clicking a highlight leads to its task
    page.get_by_test_id("document-text").locator("a.src").nth(1).click()
    expect(page).to_have_url(re.compile(r"#task-t\d+$"))

    # fix one unit (the fund is the 发改委's) and one date
    tasks.nth(2).get_by_test_id("task-lead").fill("市发改委")
    tasks.nth(1).get_by_test_id("task-due").fill("2026-06-30")
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("new-units")).to_have_count(0)  # nothing left to create
    expect(tasks.nth(2).get_by_test_id("task-lead")).to_have_value("市发改委")
    expect(tasks.nth(1).get_by_test_id("task-due")).to_have_value("2026-06-30")
    page.get_by_test_id("confirm-import").click()

    expect(page).to_have_url(re.compile(r"/plans/\d+$"))
    expect(page.locator("h1")).to_contain_text(TITLE)
    page.get_by_test_id("assign-plan").locator("button").click()
    expect(page.get_by_test_id("assign-plan")).to_have_count(0)

    liaison = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(liaison, live_server, "fgw")  # 市发改委's liaison
    mine = liaison.get_by_test_id("my-tasks")
    expect(mine).to_contain_text("培育科技型企业")
    expect(mine).to_contain_text("完善科技金融服务")  # the unit the office fixed
    expect(mine).to_contain_text("建设科技孵化平台")  # as co-unit
