"""The pure rules of reporting load (减负) as tables: similar titles across plans, the months a
load row covers, which group a link keeps, and the link form's ids."""

from datetime import date

import pytest

from tracker.reports.load import rules
from tracker.reports.load.forms import parse_ids


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        # the two seed plans: 长发〔2017〕29号 and the zone's 双创 plan
        ("鼓励发展其他“双创”载体", "扩规提质双创载体", True),
        ("建立“双创”综合服务平台", "知识产权综合服务平台", True),
        ("升级发展科技企业孵化器", "建设科技企业孵化器", True),
        ("完善人才激励制度,形成人才洼地", "完善人才创新体系", True),
        ("实施人才培育工程", "完善人才创新体系", False),
        ("升级发展科技企业孵化器", "扩规提质双创载体", False),
        ("推动传统产业改造升级", "改造提升传统产业", False),
        ("设立创业投资引导基金", "扩大股权投资基金规模", False),
        ("", "扩规提质双创载体", False),
    ],
)
def test_similar_titles(a, b, similar):
    assert (rules.title_similarity(a, b) >= rules.SIMILAR_AT) is similar


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("鼓励发展其他“双创”载体", "鼓励发展其他双创载体"),
        ("完善人才激励制度,形成人才洼地。", "完善人才激励制度形成人才洼地"),
        (" 打造 (双创) 品牌 ", "打造双创品牌"),
        (None, ""),
    ],
)
def test_clean_title(title, cleaned):
    assert rules.clean_title(title) == cleaned


@pytest.mark.parametrize(
    ("tasks", "pairs"),
    [
        ([], []),
        # same plan: never an overlap, however alike
        ([(1, 1, "科技企业孵化器"), (2, 1, "科技企业孵化器")], []),
        ([(1, 1, "科技企业孵化器"), (2, 2, "建设科技企业孵化器")], [(1, 2, 100)]),
        ([(5, 2, "建设科技企业孵化器"), (3, 1, "科技企业孵化器")], [(3, 5, 100)]),
        ([(1, 1, "科技企业孵化器"), (2, 2, "扩大股权投资基金规模")], []),
        (
            [(1, 1, "鼓励发展其他“双创”载体"), (2, 2, "扩规提质双创载体"), (3, 2, "孵化器")],
            [(1, 2, 67)],
        ),
    ],
)
def test_overlapping_pairs(tasks, pairs):
    assert rules.overlapping_pairs(tasks) == pairs


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (date(2022, 3, 15), [(2021, 10), (2021, 11), (2021, 12), (2022, 1), (2022, 2), (2022, 3)]),
        (date(2022, 6, 1), [(2022, 1), (2022, 2), (2022, 3), (2022, 4), (2022, 5), (2022, 6)]),
    ],
)
def test_load_months(today, months):
    assert rules.load_months(today) == months


@pytest.mark.parametrize(("groups", "kept"), [(set(), None), ({7}, 7), ({9, 4, 12}, 4)])
def test_merged_group(groups, kept):
    assert rules.merged_group(groups) == kept


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ("12, 57", [12, 57]),
        ("12，57 3", [12, 57, 3]),
        ("12 abc", None),
        ("", None),
        (None, None),
        ("-1, 2", None),
        ("１２, 3", None),  # full-width digits are refused, not misread
        ("99999999999, 1", None),
    ],
)
def test_parse_ids(raw, ids):
    assert parse_ids(raw) == ids
