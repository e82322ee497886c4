"""Tables for the small pure helpers: numbering, unit lists, deadlines, header lines."""

from datetime import date

import pytest

from tracker.plans.importing.dates import find_deadline, find_phases, task_deadline, title_horizon
from tracker.plans.importing.header import find_doc_number, find_signature, notice_titles
from tracker.plans.importing.normalise import normalise
from tracker.plans.importing.numbering import cn_to_int, int_to_cn, recognise
from tracker.plans.importing.units import (
    KnownUnit,
    UnitMatcher,
    parse_unit_list,
    split_unit_names,
)


@pytest.mark.parametrize(
    ("line", "style", "n", "label"),
    [
        ("一、总体目标", "cn", 1, "一"),
        ("十二、保障措施", "cn", 12, "十二"),
        ("(一)“双创”载体升级发展工程", "cn_paren", 1, "(一)"),
        ("(十三)加强宣传", "cn_paren", 13, "(十三)"),
        ("1.加速建设“双创”示范基地。", "num", 1, "1"),
        ("6、鼓励企业发挥主力军作用。", "num", 6, "6"),
        ("12. 精简手续", "num", 12, "12"),
        ("(3)加强应急预案演练", "num_paren", 3, "(3)"),
        ("②推进试点", "circled", 2, "②"),
        ("第一条 为充分发挥", "article", 1, "第一条"),
        ("第二十三条 本办法自发布之日起施行", "article", 23, "第二十三条"),
        ("第十三部分是培育社会创新基因", "part", 13, "第十三部分"),
        ("第二章 支持范围", "chapter", 2, "第二章"),
        ("  二、 加快推进项目建设", "cn", 2, "二"),
    ],
)
def test_numbering_recognised(line, style, n, label):
    m = recognise(line)
    assert (m.style, m.n, m.label) == (style, n, label)


@pytest.mark.parametrize(
    "line",
    [
        "2021年架梁立柱。",  # a year, not item 2021
        "3.5%的增长",  # a decimal
        "一、",  # a marker with nothing after it
        "大众创业、万众创新",  # an enumeration comma inside a sentence
        "(市发改委)",
        "——到2020年,建设一批",
        "",
    ],
)
def test_not_numbering(line):
    assert recognise(line) is None


CN_NUMERALS = [("一", 1), ("十", 10), ("十三", 13), ("二十", 20), ("四十七", 47), ("一百零五", 105)]


@pytest.mark.parametrize(("s", "n"), [*CN_NUMERALS, ("12", 12), ("甲", None)])
def test_cn_numerals(s, n):
    assert cn_to_int(s) == n
    if n and n < 100:
        assert cn_to_int(int_to_cn(n)) == n


@pytest.mark.parametrize(
    ("text", "lead", "co"),
    [
        ("市科技局、市人社局、市农委", "市科技局", ["市人社局", "市农委"]),
        ("市发改委", "市发改委", []),
        ("责任单位:A局、B局", "A局", ["B局"]),
        ("牵头单位:市发改委;配合单位:市财政局、市商务局", "市发改委", ["市财政局", "市商务局"]),
        ("牵头单位:市财政局,配合单位:市人社局", "市财政局", ["市人社局"]),
        ("配合单位:市财政局;牵头单位:市商务局", "市商务局", ["市财政局"]),
        ("区政务服务局牵头,区发改局、区审改办配合", "区政务服务局", ["区发改局", "区审改办"]),
        ("市人社局牵头,市发改委、财政局负责", "市人社局", ["市发改委", "财政局"]),
        ("省发展改革委、商务厅按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同。",
         "省发展改革委", ["商务厅"]),
        ("市工信局、市财政局等有关部门,各县区人民政府、园区管委会。以下不再单独列出",
         "市工信局", ["市财政局", "各县区人民政府", "园区管委会"]),
        ("市税务局、市财政局,各县市、区政府,列第一位的为牵头单位,下同",
         "市税务局", ["市财政局", "各县市、区政府"]),
        ("责任单位:市直各有关单位、各县(市、区)人民政府、各开发区管委会",
         "市直各有关单位", ["各县(市、区)人民政府", "各开发区管委会"]),
        ("市政府办公室牵头,市级各有关部门及各县市区政府按职责分工负责",
         "市政府办公室", ["市级各有关部门", "各县市区政府"]),
        ("市 发 改 委、市科技局", "市发改委", ["市科技局"]),
        ("市科·技局", "市科技局", []),
    ],
)  # fmt: skip
def test_unit_lists(text, lead, co):
    units = parse_unit_list(normalise(text))
    assert (units.lead, units.co_units) == (lead, co)


@pytest.mark.parametrize(
    "text", ["基地", "2017年版", "R&D", "含6亩", "涉及水土保持项目", "试行", ""]
)
def test_content_in_brackets_is_not_a_unit_list(text):
    assert parse_unit_list(text) is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("A局、B委、C办", ["A局", "B委", "C办"]),
        ("各县(市、区)人民政府、市直各部门", ["各县(市、区)人民政府", "市直各部门"]),
        ("各县、市、区人民政府", ["各县、市、区人民政府"]),
        ("市财政局等有关部门", ["市财政局"]),
    ],
)
def test_split_unit_names(text, names):
    assert split_unit_names(text) == names


def test_unit_matching_by_name_alias_successor_and_spelling():
    known = [
        KnownUnit("市经信委", ("长治市经信委",), "市工信局"),
        KnownUnit("市工信局"),
        KnownUnit("市人力资源和社会保障局", ("市人社局",)),
    ]
    m = UnitMatcher(known)
    assert (m.match("市经信委").name, m.match("市经信委").successor) == ("市经信委", "市工信局")
    assert (m.match("长治市经信委").name, m.match("长治市经信委").via) == ("市经信委", "alias")
    assert m.match("市人社局").name == "市人力资源和社会保障局"
    close = m.match("市人力资源与社会保障局")
    assert (close.name, close.via) == ("市人力资源和社会保障局", "close spelling")
    new = m.match("市大数据局")
    assert (new.known, new.via) == (False, "new")


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [
        ("到2020年,建设一批", date(2020, 12, 31), "到2020年"),
        ("2024年底前完成", date(2024, 12, 31), "2024年底前"),
        ("2025年6月底前建成", date(2025, 6, 30), "2025年6月底前"),
        ("2022年10月底前编制并公布", date(2022, 10, 31), "2022年10月底前"),
        ("实施期限至2021年12月31日", date(2021, 12, 31), "至2021年12月31日"),
        ("2023年底建设成型", date(2023, 12, 31), "2023年底"),
        ("2024年2月底前", date(2024, 2, 29), "2024年2月底前"),
        ("延续执行至2027年底", date(2027, 12, 31), "至2027年底"),
        ("《山西省鼓励投资政策(2017年版)》", None, None),
        ("2021年5月1日起按照新标准执行", None, None),
    ],
)
def test_deadline_phrases(text, due, phrase):
    found = find_deadline(text)
    assert ((found.due, found.phrase) if found else (None, None)) == (due, phrase)


@pytest.mark.parametrize(
    ("text", "year", "due", "phrase"),
    [
        ("5月底前实现上线运行。", 2016, date(2016, 5, 31), "5月底前"),
        ("5月底前实现上线运行。", None, None, "5月底前"),
        ("建立常态化机制。长期坚持", None, date(2020, 12, 31), "长期坚持"),
        ("每季度", None, date(2020, 12, 31), "每季度"),
        ("全年", 2025, date(2025, 12, 31), "全年"),
        ("对每年新认定的给予补助。", None, date(2020, 12, 31), "到2020年"),  # not a timing
        ("没有时限的任务。", None, date(2020, 12, 31), "到2020年"),  # the horizon
    ],
)
def test_task_deadline(text, year, due, phrase):
    from tracker.plans.importing.dates import Deadline

    horizon = Deadline("到2020年", date(2020, 12, 31))
    assert task_deadline(text, horizon, year) == (due, phrase)


@pytest.mark.parametrize(
    ("title", "due", "phrase"),
    [
        ("长治高新区双创三年行动计划实施方案(2021—2023年)", date(2023, 12, 31), "2021—2023年"),
        ("四川省“十四五”现代流通体系建设实施方案", date(2025, 12, 31), "“十四五”"),
        ("立山区政府2023年重点工作任务分解和责任分工方案", date(2023, 12, 31), "2023年"),
        ("关于促进居民收入增长的实施意见", None, None),
    ],
)
def test_title_horizon(title, due, phrase):
    h = title_horizon(title)
    assert ((h.due, h.phrase) if h else (None, None)) == (due, phrase)


def test_phases():
    lines = ["2021年架梁立柱。出台实施方案", "2022年重点突破。激励", "2023年底建设成型。基本形成"]
    assert [(p.year, p.phrase) for p in find_phases(lines)] == [
        (2021, "2021年架梁立柱"),
        (2022, "2022年重点突破"),
        (2023, "2023年底建设成型"),
    ]


@pytest.mark.parametrize(
    ("lines", "number"),
    [
        (["长发〔2017〕29号"], "长发〔2017〕29号"),
        (["文号:晋政发〔2018〕13号"], "晋政发〔2018〕13号"),
        (["鲁政发〔2014〕20号《山东省人民政府关于深化预算管理制度改革的实施意见》"], "鲁政发〔2014〕20号"),  # noqa: E501
        (["全面落实《意见》(国发〔2017〕37号)、《实施意见》(晋发〔2017〕51号)"], None),
        (["发文字号 发文时间2020-11-20"], None),
    ],
)  # fmt: skip
def test_doc_number(lines, number):
    assert find_doc_number([normalise(x) for x in lines]) == number


def test_signature_block_and_notice_titles():
    lines = normalise(
        "市委、市政府同意《甲方案》,现印发你们。\n中共长治市委\n长治市人民政府\n2017年12月6日"
    ).split("\n")
    assert find_signature(lines) == ("中共长治市委、长治市人民政府", date(2017, 12, 6))
    lines = ["现将《A实施方案》和《B若干政策措施》印发给你们,请认真贯彻执行。"]
    assert notice_titles(lines, lines[0]) == ["A实施方案", "B若干政策措施"]


def test_normalise_widths_spaces_and_run_on_text():
    assert normalise("（一）加强，领导：市 发改委") == "(一)加强,领导:市发改委"
    run_on = (
        "为推进工作,制定本方案。"
        + "一、总体要求(一)指导思想。"
        + "以习近平为指导" * 30
        + "。二、重点任务"
    )
    lines = normalise(run_on).split("\n")
    assert lines[1].startswith("一、总体要求") and lines[2].startswith("(一)指导思想")
    assert lines[-1] == "二、重点任务"
