"""Reading a responsibility list: deadlines, unit lists, sections, header, duplicates."""

from datetime import date, datetime

import pytest

from tracker.plans.excel_rules import (
    TEMPLATE_COLUMNS,
    check_rows,
    find_header,
    read_due,
    section_of,
    split_units,
    task_numbers,
)
from tracker.plans.importing.units import KnownUnit

KNOWN = [
    KnownUnit("市发改委", ("市发展改革委",)),
    KnownUnit("市科技局"),
    KnownUnit("市财政局"),
    KnownUnit("市经信委", (), "市工信局"),
    KnownUnit("市工信局"),
    KnownUnit("市人力资源和社会保障局", ("市人社局",)),
]


@pytest.mark.parametrize(
    "value, year, due, phrase, problem",
    [
        (None, None, None, None, None),
        ("", None, None, None, None),
        (date(2025, 6, 30), None, date(2025, 6, 30), None, None),
        (datetime(2025, 6, 30, 0, 0), None, date(2025, 6, 30), None, None),
        ("2025-06-30", None, date(2025, 6, 30), None, None),
        ("2025/6/30", None, date(2025, 6, 30), None, None),
        ("2025.6.30", None, date(2025, 6, 30), None, None),
        ("20250630", None, date(2025, 6, 30), None, None),
        ("2025年6月30日", None, date(2025, 6, 30), None, None),
        ("2025年6月底前", None, date(2025, 6, 30), "2025年6月底前", None),
        ("2025年6月", None, date(2025, 6, 30), "2025年6月", None),
        ("2025-06", None, date(2025, 6, 30), "2025-06", None),
        ("2025年底前", None, date(2025, 12, 31), "2025年底前", None),
        ("到2025年", None, date(2025, 12, 31), "到2025年", None),
        ("2025年", None, date(2025, 12, 31), "2025年", None),
        ("6月底前", 2026, date(2026, 6, 30), "6月底前", None),
        ("6月底前", None, None, "6月底前", "due_no_year"),
        ("长期", None, None, "长期", None),
        ("长期坚持", None, None, "长期坚持", None),
        ("每季度", None, None, "每季度", None),
        ("持续推进", None, None, "持续推进", None),
        ("全年", 2026, date(2026, 12, 31), "全年", None),
        ("尽快", None, None, "尽快", "due_bad"),
        ("下半年", None, None, "下半年", "due_bad"),
        ("2025/2/30", None, None, "2025/2/30", "due_bad"),
        ("2025年13月", None, None, "2025年13月", "due_bad"),
    ],
)
def test_read_due(value, year, due, phrase, problem):
    reading = read_due(value, year)
    assert (reading.due, reading.phrase, reading.problem) == (due, phrase, problem)


@pytest.mark.parametrize(
    "cell, names",
    [
        ("市发改委、市财政局", ["市发改委", "市财政局"]),
        ("市发改委,市财政局;市科技局", ["市发改委", "市财政局", "市科技局"]),
        ("市发改委，市财政局；市科技局", ["市发改委", "市财政局", "市科技局"]),
        ("市发改委\n市财政局", ["市发改委", "市财政局"]),
        ("市 发改委", ["市发改委"]),
        ("市发改委、市发改委", ["市发改委"]),
        ("市财政局等有关部门", ["市财政局"]),
        ("各县(市、区)人民政府", ["各县(市、区)人民政府"]),
        ("市工信局（原市经信委）、市人社局", ["市工信局", "市人社局"]),
        ("市工信局(原市经信委)", ["市工信局"]),
        (None, []),
        ("", []),
    ],
)
def test_split_units(cell, names):
    assert split_units(cell) == names


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("(一)“双创”载体升级发展工程", ("(一)", "“双创”载体升级发展工程")),
        ("（二）创新主体提升工程", ("(二)", "创新主体提升工程")),
        ("第一部分提升创新创业能力", ("第一部分", "提升创新创业能力")),
        ("三、重点任务", ("三", "重点任务")),
        ("其他任务", ("", "其他任务")),
        (None, None),
    ],
)
def test_section_of(cell, expected):
    assert section_of(cell) == expected


@pytest.mark.parametrize(
    "rows, found",
    [
        ([TEMPLATE_COLUMNS], (0, {"number": 0, "title": 1, "text": 2, "lead": 3, "co": 4,
                                 "due": 5, "note": 6})),
        ([("责任分解表",), (), ("序号", "重点任务", "责任单位")], (2, {"number": 0, "title": 1,
                                                                  "lead": 2})),
        ([("序号", " 任 务 ", "牵头单位", "完成进度（%）")], (0, {"number": 0, "title": 1,
                                                               "lead": 2})),
        ([("序号", "任务", "备注")], None),
        ([], None),
    ],
)  # fmt: skip
def test_find_header(rows, found):
    assert find_header(rows) == found


def _sheet(*rows):
    return [tuple(TEMPLATE_COLUMNS), *rows]


def test_a_clean_sheet_reads_every_field():
    check = check_rows(
        _sheet(
            (
                1,
                "建设孵化器",
                "新建孵化器2家",
                "市科技局",
                "市发改委、市财政局",
                "2025年6月底前",
                "重点",
            ),
            (2, "人才引进", None, "市人社局", None, "长期", None),
            (None, None, None, None, None, None, None),  # empty rows are skipped
            (3, "技术改造", "推进技改", "市经信委", "市科技局", date(2025, 12, 31), None),
        ),
        KNOWN,
    )
    assert check.all_problems() == []
    first, second, third = check.rows
    assert (first.row, first.number, first.title, first.text) == (
        2,
        1,
        "建设孵化器",
        "新建孵化器2家",
    )
    assert (first.lead, first.co_units) == ("市科技局", ["市发改委", "市财政局"])
    assert (first.due, first.due_phrase, first.note) == (date(2025, 6, 30), "2025年6月底前", "重点")
    assert (second.text, second.due, second.due_phrase) == ("人才引进", None, "长期")
    assert check.units["市人社局"].name == "市人力资源和社会保障局"  # an alias
    assert check.units["市经信委"].name == "市工信局"  # reorganised: the successor leads
    assert check.units["市经信委"].replaced == "市经信委"
    assert third.row == 5


def test_unknown_unit_bad_date_and_duplicate_are_all_flagged_with_their_cells():
    check = check_rows(
        _sheet(
            (1, "建设孵化器", None, "市科技局", None, "2025-06-30", None),
            (2, "数字经济", None, "市大数据管理局", "市发改委", "尽快", None),
            (3, "建设孵化器", None, "市科技局", None, "2025-06-30", None),
        ),
        KNOWN,
    )
    found = {(p.key, p.cell) for p in check.all_problems()}
    assert found == {("unit_unknown", "D3"), ("due_bad", "F3"), ("duplicate_title", "B4")}
    assert [u.written for u in check.unknown_units] == ["市大数据管理局"]
    assert {p.key for p in check.blocking} == {"due_bad", "duplicate_title"}
    messages = [p.message for p in check.all_problems()]
    assert any("F3" in m and "尽快" in m for m in messages)


def test_unknown_unit_gets_close_suggestions():
    check = check_rows(_sheet((1, "任务", None, "市科技厅", None, None, None)), KNOWN)
    assert check.units["市科技厅"].name is None
    assert "市科技局" in check.units["市科技厅"].suggestions


def test_close_spelling_is_matched():
    known = [KnownUnit("长治高新区创新创业服务中心")]
    check = check_rows(
        _sheet((1, "任务", None, "长治高新区创新创业服务中", None, None, None)), known
    )
    assert check.units["长治高新区创新创业服务中"].name == "长治高新区创新创业服务中心"


def test_extra_lead_names_become_the_first_co_units():
    check = check_rows(
        _sheet((1, "任务", None, "市科技局、市财政局", "市发改委、市财政局", None, None)), KNOWN
    )
    assert (check.rows[0].lead, check.rows[0].co_units) == ("市科技局", ["市财政局", "市发改委"])


@pytest.mark.parametrize(
    "rows, problem",
    [
        ([(1, None, None, "市科技局", None, None, None)], ("title_missing", "B2")),
        ([(1, "任务", None, None, None, None, None)], ("lead_missing", "D2")),
        ([(1, "x" * 301, None, "市科技局", None, None, None)], ("title_too_long", "B2")),
        ([(1, "甲", None, "市科技局", None, None, None),
          (1, "乙", None, "市科技局", None, None, None)], ("duplicate_number", "A3")),
        ([(1, "已有任务。", None, "市科技局", None, None, None)], ("already_in_plan", "B2")),
        ([], ("no_rows", "")),
    ],
)  # fmt: skip
def test_row_problems(rows, problem):
    check = check_rows(_sheet(*rows), KNOWN, existing_titles=frozenset({"已有任务"}))
    assert problem in {(p.key, p.cell) for p in check.all_problems()}


def test_no_header_is_one_problem():
    check = check_rows([("a", "b"), (1, 2)], KNOWN)
    assert [p.key for p in check.problems] == ["no_header"] and check.rows == []


@pytest.mark.parametrize(
    "numbers, after, expected",
    [
        ([3, 1, 2], 0, [3, 1, 2]),
        ([1, None, 3], 0, [1, 2, 3]),
        ([1, 1], 0, [1, 2]),
        ([1, 2], 5, [6, 7]),
    ],
)
def test_task_numbers(numbers, after, expected):
    class Row:
        def __init__(self, number):
            self.number = number

    assert task_numbers([Row(n) for n in numbers], after) == expected
