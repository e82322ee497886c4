"""Pure rules of delivery: how people's text is put into a group robot's markdown."""

# Characters WeCom (企业微信) or DingTalk (钉钉) robot markdown reads as markup: emphasis,
# links and images, code, headings, quotes, tables, strike-through, HTML tags and entities
# (WeCom's <font>, <@userid>), mentions and escapes. Each becomes its full-width twin, which
# reads naturally in Chinese text and which neither client interprets. Backslash escapes would
# not do: neither client documents them, so "\*" might show as it is written.
_MARKUP = str.maketrans(
    {
        "\\": "＼",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "~": "～",
        "#": "＃",
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "!": "！",
        "<": "＜",
        ">": "＞",
        "&": "＆",
        "|": "｜",
        "@": "＠",
        "\r": " ",
        "\n": " ",  # a new line could start a heading, list or quote of its own
        "\t": " ",
    }
)


def robot_text(value: str | None) -> str:
    """`value` (a unit name, a task title, a reason, a note) as inert text inside a robot's
    markdown message: one line, with no character either robot reads as markup."""
    return (value or "").translate(_MARKUP)
