"""Reading files: .txt encodings, .docx paragraphs and tables, .pdf, .ofd, refused formats;
and the shapes the corpus lacks (a notice carrying two documents, "(牵头单位:A;配合单位:B)")."""

import io
import zipfile

import pytest

from tracker.plans.importing import MESSAGES, ImportRefused, propose, read_document


def test_txt_utf8_gb18030_and_bom():
    text = "一、重点任务\n1.建设平台。(市发改委)"
    assert read_document("a.txt", text.encode("utf-8")) == text
    assert read_document("a.txt", b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert read_document("a.TXT", text.encode("gb18030")) == text
    assert read_document("a.txt", text.encode("utf-16")) == text


def test_docx_paragraphs_and_table_cells_in_order():
    import docx

    document = docx.Document()
    document.add_paragraph("2025年重点工作清单")
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["序号", "工作任务", "责任单位"], strict=True):
        cell.text = value
    for cell, value in zip(
        table.rows[1].cells, ["1", "建设平台。", "市发改委、市科技局"], strict=True
    ):
        cell.text = value
    document.add_paragraph("附件")
    buf = io.BytesIO()
    document.save(buf)
    text = read_document("list.docx", buf.getvalue())
    assert text.split("\n") == [
        "2025年重点工作清单",
        "序号 | 工作任务 | 责任单位 |",
        "1 | 建设平台。 | 市发改委、市科技局 |",
        "附件",
    ]
    task = propose(text).plans[0].tasks[0]
    assert (task.title, task.lead_unit, task.co_units) == ("建设平台", "市发改委", ["市科技局"])
    assert task.due_phrase is None or task.due_phrase == "2025年"


def _pdf_with_text(words: str) -> bytes:
    content = f"BT /F1 12 Tf 72 720 Td ({words}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF".encode()
    return bytes(out)


def test_pdf_text_layer_and_scans():
    assert "Key tasks of 2024" in read_document("a.pdf", _pdf_with_text("Key tasks of 2024"))
    from pypdf import PdfWriter

    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.write(blank)
    with pytest.raises(ImportRefused) as refused:
        read_document("scan.pdf", blank.getvalue())
    assert refused.value.key == "pdf_no_text"
    with pytest.raises(ImportRefused) as refused:
        read_document("broken.pdf", b"%PDF-1.4 not really")
    assert refused.value.key in ("bad_pdf", "pdf_no_text")


def _ofd(lines: list[str]) -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    objects = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="20 {40 + 10 * i} 150 8" Font="1" Size="4">'
        f'<ofd:TextCode X="0" Y="5">{line}</ofd:TextCode></ofd:TextObject>'
        for i, line in enumerate(lines)
    )
    buf = io.BytesIO()
    root = f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
    document = (
        f'<ofd:Document {ns}><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
    )
    page = f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content></ofd:Page>"
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", root + "</ofd:DocBody></ofd:OFD>")
        z.writestr("Doc_0/Document.xml", document + "</ofd:Pages></ofd:Document>")
        z.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    return buf.getvalue()


def test_ofd_text():
    text = read_document("a.ofd", _ofd(["一、重点任务", "1.建设平台。(市发改委)"]))
    assert text == "一、重点任务\n1.建设平台。(市发改委)"
    with pytest.raises(ImportRefused) as refused:
        read_document("a.ofd", b"PK not a zip")
    assert refused.value.key == "bad_ofd"


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0 binary", "save_as_docx"),
        ("old.wps", b"\xd0\xcf\x11\xe0 binary", "save_as_docx"),
        ("photo.jpg", b"\xff\xd8\xff", "unsupported_type"),
        ("empty.txt", b"", "empty"),
        ("broken.docx", b"not a zip", "bad_docx"),
        ("bad.txt", b"\xff\xfe"[:1] + b"\x81\x30\xff\xff", "unreadable_encoding"),
    ],
)
def test_refused_files_have_a_key_and_a_message(name, data, key):
    with pytest.raises(ImportRefused) as refused:
        read_document(name, data)
    assert refused.value.key == key
    assert refused.value.message == MESSAGES[key]


NOTICE = """市人民政府关于印发《甲市促进就业工作方案》和《甲市促进就业若干政策措施》的通知
甲政发〔2024〕7号
各县(市、区)人民政府,市直各单位:
现将《甲市促进就业工作方案》和《甲市促进就业若干政策措施》印发给你们,请认真贯彻执行。
甲市人民政府
2024年3月1日
甲市促进就业工作方案
一、工作目标
到2025年,城镇新增就业10万人。
二、重点任务
(一)稳定就业岗位。落实稳岗政策。(牵头单位:市人社局;配合单位:市财政局、市税务局)
(二)支持创业。2024年底前建成创业孵化基地。(牵头单位:市人社局)
甲市促进就业若干政策措施
第一条 为促进就业,制定本措施。
第二条 对吸纳就业的企业给予补贴。(责任单位:市人社局、市财政局)
第三条 本措施长期坚持。
"""


def test_notice_carrying_two_documents():
    proposal = propose(NOTICE)
    plan_a, plan_b = proposal.plans
    assert [p.title for p in proposal.plans] == ["甲市促进就业工作方案", "甲市促进就业若干政策措施"]
    assert {p.doc_number for p in proposal.plans} == {"甲政发〔2024〕7号"}
    assert {p.issuer for p in proposal.plans} == {"甲市人民政府"}
    assert [(t.title, t.lead_unit, t.co_units, t.due_phrase) for t in plan_a.tasks] == [
        ("稳定就业岗位", "市人社局", ["市财政局", "市税务局"], "到2025年"),
        ("支持创业", "市人社局", [], "2024年底前"),
    ]
    assert [s.title for s in plan_a.sections] == ["重点任务"]
    assert [(t.label, t.lead_unit, t.lead_unit_provisional) for t in plan_b.tasks] == [
        ("第二条", "市人社局", False),
        ("第三条", "甲市人民政府", True),
    ]
    assert plan_b.tasks[1].due_phrase == "长期坚持"


def test_no_units_and_no_issuer_gives_no_lead():
    plan = propose("一、重点任务\n(一)建设平台。\n(二)培育企业。").plans[0]
    assert [(t.title, t.lead_unit, t.co_units) for t in plan.tasks] == [
        ("建设平台", None, []),
        ("培育企业", None, []),
    ]


def test_sub_bullets_and_later_paragraphs_belong_to_their_item():
    text = (
        "二、重点任务\n1.建设平台。加快建设。\n——建设线上平台;\n——建设线下平台。\n"
        "第二段说明。(市发改委、市科技局)\n2.培育企业。(市中小企业局)"
    )
    tasks = propose(text).plans[0].tasks
    assert [(t.lead_unit, t.co_units) for t in tasks] == [
        ("市发改委", ["市科技局"]),
        ("市中小企业局", []),
    ]
    assert "——建设线下平台" in tasks[0].text and "第二段说明" in tasks[0].text


def test_importing_the_package_loads_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys, tracker.plans.importing as i; i.propose('一、重点任务\\n1.甲。(市发改委)');"
        "print(sorted(m for m in ('docx', 'lxml', 'pypdf') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
