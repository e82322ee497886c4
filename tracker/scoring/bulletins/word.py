"""The bulletin as an official Chinese document: its drafted wording (`bulletin_title`,
`draft_body`) and its Word layout (`bulletin_document`).

The layout follows GB/T 9704 as notice_docx.py does: A4 with margins 37/35/28/26 mm; the
issuing body's name in red 方正小标宋 as the red head, the number centred under it, a red
rule; the title in 方正小标宋 二号 (22 pt), centred; the body in 仿宋 三号 (16 pt) on a fixed
28-point line with a two-character first-line indent (first-level headings "一、" in 黑体);
the ranking as a table (附表); the issuing office and the date at the bottom right — the
publication date, or for a draft the drafting date marked （草稿）; page numbers "— n —".

The text is Chinese whatever the reader's UI language, so it is not translated.
python-docx (and its lxml) is imported inside the layout functions, so a web worker serving
ordinary pages never loads lxml (issue 13: worker crashes; docs/deployment.md).
"""

import re
from datetime import date
from io import BytesIO

from tracker.scoring import rules
from tracker.scoring.exports import chinese_date, fmt, period_label, rule_name
from tracker.supervision.notices.word import add_text_paragraph, set_font

ISSUER = "长治市重点任务推进工作专班办公室"
SIGNATURE = "专班办公室"
HEAD_FONT = "方正小标宋简体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
RED = "C00000"  # the red head, as RGB hex
NUMERALS = "一二三四五六七八九十"
HEADING = re.compile(r"^[一二三四五六七八九十]+、.{0,20}$")
TABLE_HEADERS = ("名次", "单位", "得分", "扣分", "加分", "主要扣分原因")
TABLE_WIDTHS_MM = (14, 38, 17, 17, 17, 53)  # 156 mm: the type area's width


# ---------------------------------------------------------------- wording


def bulletin_title(period: rules.Period) -> str:
    """关于2026年10月重点任务推进情况的通报."""
    return f"关于{period_label(period)}重点任务推进情况的通报"


def _scored(rows) -> str:
    return "、".join(f"{r['unit']}（{fmt(r['score'])}分）" for r in rows)


def _problems(figures: dict, as_of: str) -> list[str]:
    points = []
    bottom = [c for c in figures["criticised"] if c["bottom"]]
    if bottom:
        points.append(f"{_scored(bottom)}考核得分排名靠后，予以通报批评。")
    named = [c for c in figures["criticised"] if c["named_tasks"]]
    if named:
        points.append(
            "下列单位牵头的任务逾期，经多次催办仍未完成，予以点名通报："
            + "；".join(
                f"{c['unit']}（"
                + "、".join(f"{t['plan']}第{t['number']}项“{t['title']}”" for t in c["named_tasks"])
                + "）"
                for c in named
            )
            + "。"
        )
    overdue = figures["overdue_tasks"]
    if overdue:
        per_unit: dict[str, int] = {}
        for t in overdue:
            per_unit[t["unit"]] = per_unit.get(t["unit"], 0) + 1
        points.append(
            f"截至{as_of}，{len(overdue)}项任务逾期未完成，涉及{len(per_unit)}个单位："
            + "、".join(f"{unit}{n}项" for unit, n in per_unit.items())
            + "。"
        )
    if figures["deduction_totals"]:
        points.append(
            "主要扣分情况："
            + "、".join(
                f"{rule_name(d['rule'])}{d['count']}次（{fmt(d['amount'])}分）"
                for d in figures["deduction_totals"]
            )
            + "。"
        )
    if not points:
        return ["本期未发现需要通报批评的突出问题。"]
    if len(points) == 1:
        return points
    return [f"（{NUMERALS[i]}）{text}" for i, text in enumerate(points)]


def draft_body(figures: dict) -> str:
    """The customary text drafted from the figures, one paragraph a line: addressees and
    opening, 一、总体情况, 二、表扬, 三、批评和存在问题, 四、下步要求. The office edits it."""
    label, s = figures["period_label"], figures["summary"]
    as_of = chinese_date(date.fromisoformat(figures["as_of"]))
    lines = [
        "各县（区）、市直各有关单位：",
        f"根据重点任务督查考核办法，专班办公室对{label}各责任单位重点任务推进情况进行了考核。"
        "现将有关情况通报如下。",
        "一、总体情况",
        f"{label}纳入考核的责任单位共{s['units']}个，平均得分{fmt(s['average'])}分，其中得分"
        f"100分及以上的{s['at_least_100']}个、低于100分的{s['below_100']}个。截至{as_of}，"
        f"逾期未完成的重点任务{s['overdue']}项；本期共下发督办单{s['notices']}份，"
        f"已反馈{s['notices_answered']}份。各单位得分及排名见附表。",
        "二、表扬",
        f"{_scored(figures['praised'])}按期办结任务、报送质量较高，考核得分位居前列，予以通报表扬。"
        if figures["praised"]
        else "本期没有符合表扬条件的单位。",
        "三、批评和存在问题",
        *_problems(figures, as_of),
        "四、下步要求",
        "（一）各单位要对照本通报指出的问题，认真查找原因，逐项制定整改措施，确保逾期任务"
        "尽快完成。",
        "（二）被通报批评和点名通报的单位，要在本通报印发之日起10个工作日内，将整改情况"
        "书面报送专班办公室。",
        "（三）各单位要严格落实月报制度，按时、如实报送任务进展情况和佐证材料。专班办公室将"
        "持续跟踪督办，并将整改情况纳入下期考核。",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- layout


def _red_rule(paragraph) -> None:
    """A red line under the paragraph (the rule under the red head)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(
        border,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


def _page_numbers(section) -> None:
    """ "— 1 —" centred in the footer, in 宋体 四号 (a PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), "宋体", 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    set_font(paragraph.add_run(" —"), "宋体", 14)


def _cell(cell, text: str, *, bold: bool = False, align=None) -> None:
    """A table cell's text, centred unless `align` says otherwise."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if align is None else align
    set_font(paragraph.add_run(text), HEADING_FONT if bold else BODY_FONT, 12)


def _ranking_table(doc, ranking: list[dict]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=len(TABLE_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, TABLE_HEADERS, strict=True):
        _cell(cell, header, bold=True)
    for r in ranking:
        reasons = "、".join(f"{rule_name(x['rule'])}{x['count']}次" for x in r["reasons"])
        values = (
            str(r["rank"]),
            r["unit"],
            fmt(r["score"]),
            fmt(r["deductions"]),
            fmt(r["credits"]),
            reasons,
        )
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            left = index in (1, 5)
            _cell(cell, value, align=WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER)
    for row in table.rows:
        for cell, width in zip(row.cells, TABLE_WIDTHS_MM, strict=True):
            cell.width = Mm(width)


def bulletin_document(bulletin) -> BytesIO:
    """The bulletin as a .docx in memory, printed from its title, text and figures."""
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
    _page_numbers(section)

    head = add_text_paragraph(
        doc, ISSUER, align=WD_ALIGN_PARAGRAPH.CENTER, name=HEAD_FONT, size=26, color=RED
    )
    head.paragraph_format.line_spacing = Pt(40)
    add_text_paragraph(doc)
    rule = add_text_paragraph(doc, bulletin.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(rule)
    add_text_paragraph(doc)
    title = add_text_paragraph(
        doc, bulletin.title, align=WD_ALIGN_PARAGRAPH.CENTER, name=HEAD_FONT, size=22
    )
    title.paragraph_format.line_spacing = Pt(36)
    add_text_paragraph(doc)
    lines = [line.strip() for line in bulletin.body.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if index == 0 and line.endswith("："):
            add_text_paragraph(doc, line)  # the addressees: flush left
        elif HEADING.match(line):
            add_text_paragraph(doc, line, indent=True, name=HEADING_FONT)
        else:
            add_text_paragraph(doc, line, indent=True)

    figures = bulletin.figures or {}
    add_text_paragraph(doc)
    add_text_paragraph(
        doc, f"附表：{figures.get('period_label', '')}各责任单位考核得分排名", name=HEADING_FONT
    )
    _ranking_table(doc, figures.get("ranking", []))
    for group in figures.get("by_category") or []:  # 分类考核 (issue 14): rank in category
        add_text_paragraph(doc)
        name = group["category"] or "其他单位"
        add_text_paragraph(doc, f"附表：{name}考核得分排名", name=HEADING_FONT)
        _ranking_table(doc, [{**r, "rank": r["category_rank"]} for r in group["rows"]])

    add_text_paragraph(doc)
    add_text_paragraph(doc)
    signed = add_text_paragraph(doc, SIGNATURE, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signed.paragraph_format.right_indent = Pt(64)  # four characters in from the margin
    if bulletin.published_on:
        when = chinese_date(bulletin.published_on)
    else:
        when = chinese_date(date.fromisoformat(figures["drafted_on"])) + "（草稿）"
    dated = add_text_paragraph(doc, when, align=WD_ALIGN_PARAGRAPH.RIGHT)
    dated.paragraph_format.right_indent = Pt(32)

    stream = BytesIO()
    doc.save(stream)
    stream.seek(0)
    return stream
