"""A supervision notice as a Word document (督查督办通知单), in the customary layout of an
official document: A4 with the margins of GB/T 9704 (top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm), a red title in 黑体, the number on the right, the addressee, the body in 仿宋
三号 (16 pt), the issuing body and date at the bottom right.

The document is an official Chinese text whatever the reader's UI language, so its fixed
wording is Chinese here and not translated.

python-docx (and its lxml) is imported inside the functions that build a document, so a web
worker serving ordinary pages never loads lxml (issue 13: worker crashes; docs/deployment.md).
"""

from datetime import date
from io import BytesIO

ISSUER = "专班办公室"
TITLE = "督查督办通知单"
BODY_FONT = "仿宋"
TITLE_FONT = "黑体"
RED = "C00000"  # the red of the title, as RGB hex


def chinese_date(day: date) -> str:
    """2026年11月23日, as official documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run, name: str, size: float, *, bold: bool = False, color: str | None = None):
    """Set the run's font for Latin and East Asian text (Word reads rFonts/@w:eastAsia for
    Chinese characters; font.name alone sets only the Latin font); `color` is RGB hex."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def add_text_paragraph(doc, text: str = "", *, align=None, indent: bool = False, **font):
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)  # the customary fixed 28-point line
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 16 pt
    if text:
        set_font(paragraph.add_run(text), font.pop("name", BODY_FONT), font.pop("size", 16), **font)
    return paragraph


def notice_document(notice, task) -> BytesIO:
    """The notice as a .docx in memory. Needs task.plan loaded and notice.unit."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    add_text_paragraph(
        doc, TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, name=TITLE_FONT, size=26, color=RED
    )
    add_text_paragraph(doc)
    add_text_paragraph(doc, notice.number, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_text_paragraph(doc)
    add_text_paragraph(doc, f"{notice.unit.name}：")

    plan = task.plan
    source = plan.doc_number or plan.title
    task_text = f"《{plan.title}》" if plan.doc_number else ""
    add_text_paragraph(
        doc,
        f"你单位牵头负责的{source}{task_text}第{task.number}项任务“{task.title}”"
        f"（完成时限：{chinese_date(task.due_date) if task.due_date else '长期坚持'}）"
        "推进滞后，现予督办。",
        indent=True,
    )
    add_text_paragraph(doc, "一、督办事项", indent=True, name=TITLE_FONT)
    add_text_paragraph(doc, f"{task.number}. {task.title}", indent=True)
    add_text_paragraph(doc, "二、督办要求", indent=True, name=TITLE_FONT)
    for line in notice.required_actions.splitlines():
        if line.strip():
            add_text_paragraph(doc, line.strip(), indent=True)
    add_text_paragraph(doc, "三、办理时限", indent=True, name=TITLE_FONT)
    add_text_paragraph(
        doc,
        f"请于{chinese_date(notice.answer_due)}前将办理情况书面反馈{ISSUER}。",
        indent=True,
    )
    add_text_paragraph(doc)
    add_text_paragraph(doc)
    add_text_paragraph(doc, ISSUER, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_text_paragraph(doc, chinese_date(notice.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT)

    stream = BytesIO()
    doc.save(stream)
    stream.seek(0)
    return stream
