"""A measure's own yearly steps (节点) as the parser reads them (importing.dates.find_steps)
and the Excel 节点 cell (milestones.rules.read_milestones_cell): pure tables."""

import pytest

from tracker.plans.importing.dates import find_steps
from tracker.plans.milestones.rules import read_milestones_cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "到2021年底，建成孵化器3家；2022年，新增众创空间5家；到2023年底，形成孵化体系。",
            [("2021-12-31", "到2021年底"), ("2022-12-31", "2022年"), ("2023-12-31", "到2023年底")],
        ),
        (
            "2021年9月底前出台方案，2022年全面实施。",
            [("2021-09-30", "2021年9月底前"), ("2022-12-31", "2022年")],
        ),
        (
            "持续推进孵化载体建设（2021-2023年）。",
            [
                ("2021-12-31", "（2021-2023年）"),
                ("2022-12-31", "（2021-2023年）"),
                ("2023-12-31", "（2021-2023年）"),
            ],
        ),  # fmt: skip
        ("到2020年，建成10家。", []),  # one date is the measure's own deadline
        ("2017年以来累计建成5家，2018年再建3家。", []),  # a past achievement is no step
        ("新增科技型中小企业100家。", []),
        ("到2021年底，建成3家；到2021年底，再建2家。", []),  # one date twice
    ],
)
def test_find_steps(text, expected):
    assert [(s.due.isoformat(), s.phrase) for s in find_steps(text)] == expected


@pytest.mark.parametrize(
    ("cell", "expected", "bad"),
    [
        ("2026-03-31 出台方案", [("2026-03-31", "出台方案")], []),
        (
            "2026/3/31：出台方案；2026年6月底前完成选址",
            [("2026-03-31", "出台方案"), ("2026-06-30", "2026年6月底前完成选址")],
            [],
        ),  # fmt: skip
        (
            "2026年3月31日 出台方案\n2027-12-31 完工",
            [("2026-03-31", "出台方案"), ("2027-12-31", "完工")],
            [],
        ),  # fmt: skip
        ("", [], []),
        ("尽快完成", [], ["尽快完成"]),
        ("2026-02-30 出台方案", [], ["2026-02-30 出台方案"]),
    ],
)
def test_read_milestones_cell(cell, expected, bad):
    found, unread = read_milestones_cell(cell)
    assert [(m["due_date"], m["deliverable"]) for m in found] == expected
    assert unread == bad
