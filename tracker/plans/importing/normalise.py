"""Text normalisation: one form of punctuation and line breaks before parsing.

Spans reported by the parser are offsets into the text this module returns.
"""

import html
import re

# Full-width ASCII (！ to ～) to half-width; the ideographic space to a space.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: None, 0xFEFF: None})
# Brackets that documents use for unit lists and labels, folded to round ones; 〔〕 is kept
# because document numbers use it (长发〔2017〕29号).
_BRACKETS = str.maketrans({"﹙": "(", "﹚": ")", "⑴": None})

_TAG_BREAK = re.compile(r"(?i)<\s*(?:br\s*/?|/p|/div|/tr|/li|/h\d)\s*>")
_TAG_CELL = re.compile(r"(?i)<\s*/t[dh]\s*>")
_TAG = re.compile(r"<[^<>]{0,300}>")
_MARKER_AHEAD = (
    r"(?:第[一二三四五六七八九十百]{1,4}(?:部分|章|条)"
    r"|[一二三四五六七八九十]{1,3}、"
    r"|\([一二三四五六七八九十]{1,3}\)"
    r"|\d{1,2}[.、](?![\d年月日%])"
    r"|\(\d{1,2}\)"
    r"|[①②③④⑤⑥⑦⑧⑨⑩])"
)
# Text copied from a web page may have no line breaks: an item marker that follows the end
# of a sentence (or a closing bracket) starts a new line.
_BREAK_AFTER_SENTENCE = re.compile(rf"(?<=[。;!?)〕])[ \t]*(?={_MARKER_AHEAD})")
# ... and "一、标题(一)小标题。" : a first sub-heading glued to its heading.
_BREAK_FIRST_SUB = re.compile(r"(?<=[\u4e00-\u9fff”])(?=\(一\)[\u4e00-\u9fff“])")
LONG_LINE = 150
_SPACES = re.compile(r"(?<![A-Za-z0-9.,;:]) +| +(?![A-Za-z0-9])")


def normalise(text: str) -> str:
    """One normal form: half-width ASCII punctuation, \\n line breaks, no HTML tags,
    no trailing spaces, and a line break before each item marker of a run-on line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text and re.search(r"(?i)</?(p|br|div|span|td|strong)\b", text):
        text = _TAG_BREAK.sub("\n", text)
        text = _TAG_CELL.sub(" | ", text)
        text = _TAG.sub("", text)
        text = html.unescape(text)
    text = text.translate(_WIDTH).translate(_BRACKETS)
    lines = []
    for line in text.split("\n"):
        # Chinese takes no spaces: those a PDF or web copy leaves ("工业结 构", "2021 年")
        # go, except between two Latin letters or digits.
        line = _SPACES.sub("", line.strip())
        if len(line) > LONG_LINE:
            line = _BREAK_AFTER_SENTENCE.sub("\n", line)
            line = _BREAK_FIRST_SUB.sub("\n", line)
            line = "\n".join(part.strip() for part in line.split("\n"))
        lines.append(line)
    return "\n".join(lines).strip("\n")


def squeeze(s: str) -> str:
    """Remove all whitespace (titles and unit names split over lines or spaced out)."""
    return re.sub(r"\s+", "", s)


def split_lines(text: str) -> list[tuple[str, int, int]]:
    """(line, start, end) for every line of `text`, offsets into `text`."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((line, pos, pos + len(line)))
        pos += len(line) + 1
    return out
