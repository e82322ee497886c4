"""Numbering markers of Chinese official documents: 一、 (一) 1. 1、 (1) ① 第一条 第一部分.

Pure functions over one line of normalised text (full-width brackets already made half-width).
"""

import re
from dataclasses import dataclass

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CN_NUM = "零〇一二三四五六七八九十百两"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Styles, by the marker that introduces an item.  Order of this table = order of matching.
_PATTERNS = [
    ("part", re.compile(rf"^第([{CN_NUM}\d]{{1,4}})(部分|篇)")),
    ("chapter", re.compile(rf"^第([{CN_NUM}\d]{{1,4}})章")),
    ("article", re.compile(rf"^第([{CN_NUM}\d]{{1,4}})条")),
    ("cn", re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]")),
    ("cn_paren", re.compile(r"^\(([一二三四五六七八九十]{1,3})\)")),
    ("num", re.compile(r"^(\d{1,3})\s*(?:[、．]|\.(?!\d))")),
    ("num_paren", re.compile(r"^\((\d{1,3})\)")),
    ("circled", re.compile(rf"^([{CIRCLED}])")),
]
# Styles that open a chapter or section (a document's body starts at the first of them).
HEADING_STYLES = {"part", "chapter", "article", "cn", "cn_paren"}
BULLET_RE = re.compile(r"^(?:——|—|--|·|•|●|■|◆|▪|-\s)")


@dataclass(frozen=True)
class Marker:
    style: str
    n: int
    label: str  # as written, without the separator: "一", "(一)", "1", "第一条"
    end: int  # where the item's own text starts in the line


def cn_to_int(s: str) -> int | None:
    """Chinese (一, 十三, 二十, 一百零五) or Arabic numeral to int; None if it is neither."""
    if not s:
        return None
    if s.isdecimal():
        return int(s)
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch == "十":
            section += (digit if digit is not None else 1) * 10
            digit = None
        elif ch == "百":
            section += (digit if digit is not None else 1) * 100
            digit = None
        else:
            return None
    total = section + (digit or 0)
    return total


def int_to_cn(n: int) -> str:
    """1..99 as a Chinese numeral (一, 十, 十三, 二十)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    out = ""
    if tens:
        out = ("" if tens == 1 else digits[tens]) + "十"
    if ones or not out:
        out += digits[ones]
    return out


def recognise(line: str) -> Marker | None:
    """The numbering marker that opens `line`, if any.

    A marker only counts at the start of a line: an enumeration comma inside a sentence
    ("一、二、三级") is never read as an item.  The text after the marker must not be empty.
    """
    stripped = line.lstrip()
    offset = len(line) - len(stripped)
    for style, pattern in _PATTERNS:
        m = pattern.match(stripped)
        if not m:
            continue
        raw = m.group(1)
        n = CIRCLED.index(raw) + 1 if style == "circled" else cn_to_int(raw)
        if not n:
            continue
        end = m.end()
        rest = stripped[end:].lstrip(" :：")
        if not rest:
            continue
        if style == "num" and rest[:1] in "年月日%.":
            continue  # "2025年", "3.5%"
        if style in ("part", "chapter", "article"):
            label = m.group(0)
        elif style == "cn_paren":
            label = f"({raw})"
        elif style == "num_paren":
            label = f"({raw})"
        else:
            label = raw
        return Marker(style, n, label, offset + len(stripped) - len(rest))
    return None
