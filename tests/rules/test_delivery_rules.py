"""robot_text: people's text inside a WeCom / DingTalk robot's markdown is inert."""

import pytest

from tracker.supervision.delivery.rules import robot_text

MARKUP = set("\\*_`~#[]()!<>&|@\r\n\t")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("市发改委", "市发改委"),
        (
            "关于推进“双创”载体升级的任务（2021—2023年）",
            "关于推进“双创”载体升级的任务（2021—2023年）",
        ),
        ("[x](http://evil.example)", "［x］（http://evil.example）"),  # no link
        ("![](http://evil.example/t.png)", "！［］（http://evil.example/t.png）"),  # no image
        ("<at>所有人</at>", "＜at＞所有人＜/at＞"),  # no tag
        ('<font color="warning">紧急</font>', '＜font color="warning"＞紧急＜/font＞'),
        ("<@zhangsan>", "＜＠zhangsan＞"),  # no WeCom mention
        ("@13800000000", "＠13800000000"),  # no DingTalk mention
        ("**加粗** __下划__ *斜* ~~删~~", "＊＊加粗＊＊ ＿＿下划＿＿ ＊斜＊ ～～删～～"),
        ("`code`", "｀code｀"),
        ("标题\n### 伪造的标题\n> 伪造的引用", "标题 ＃＃＃ 伪造的标题 ＞ 伪造的引用"),
        ("一\r\n二\t三", "一  二 三"),
        ("&lt;b&gt;", "＆lt;b＆gt;"),  # no entity
        ("a | b", "a ｜ b"),  # no table
        ("\\*", "＼＊"),
        ("2026-11-25 第1.2项 + 附件", "2026-11-25 第1.2项 + 附件"),  # dates and numbers stay
        ("", ""),
        (None, ""),
    ],
)
def test_robot_text(raw, shown):
    assert robot_text(raw) == shown
    assert not MARKUP & set(robot_text(raw))
