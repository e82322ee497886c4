"""The header block: document number (文号), issuer, date, title, and where each document
of a notice begins.

Rules (see docs/importer.md):
- a 文号 counts when it stands alone on a line, follows a label (文号, 发文字号) or opens a
  line; one cited in parentheses ("(国发〔2017〕37号)") is a reference, not this document's;
- the issuer is the signature block above the date line (several bodies are joined with 、),
  else "X出台了《…》", else a label (发文机关, 发布机构 …), else "X关于印发…的通知";
- the date is the signature date, else a label (成文日期, 发文时间, 发布日期);
- a notice that issues 《A》《B》 carries one plan per title found as a heading in the text.
"""

import re
from dataclasses import dataclass
from datetime import date

from .normalise import squeeze

DOCNO = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(﹝]\s*(\d{4})\s*[〕\]］】)﹞]\s*\d{1,4}\s*号"
)
_DOCNO_LABEL = re.compile(r"(?:发文字号|发文文号|文\s*号|字号)\s*[:|]?\s*")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_ISO = r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?"
_DATE_LABELS = [
    ("成文日期", 0), ("发文时间", 1), ("发文日期", 1), ("印发日期", 1), ("发布日期", 2),
    ("发布时间", 3),
]  # fmt: skip
_ISSUER_LABEL = re.compile(
    r"(?:发文机关|发文机构|发布机构|发文单位|发文部门|制发机关|制发单位)\s*[:|]?\s*"
    r"([\u4e00-\u9fff()、]{2,40}?)(?=\s|$|\||主题|文号|发文|成文|发布)"
)
_ISSUED_BY = re.compile(r"([\u4e00-\u9fff]{2,30}?)(?:出台|制定|制订|印发)了《")
_NOTICE_TITLE = re.compile(r"印发\s*《(.+?)》\s*的通知")
_NOTICE_LINE = re.compile(r"印发给你们|印发你们|现予印发|现印发|印发给各|现将.*印发")
ORGAN_LINE = re.compile(
    r"^[\u4e00-\u9fff]{2,30}(?:委|政府|厅|局|办|办公室|委员会|中心|管委会|部|院|会|小组|公司|党委)$"
)
DOC_KINDS = (
    "实施方案|工作方案|行动方案|方案|行动计划|计划|若干措施|措施|实施意见|意见|规划|细则|办法"
    "|要点|规定|清单|决定|纲要|举措|任务分工|责任分工|分解"
)
_TITLE_LINE = re.compile(rf"^《?([^。:;!?]{{4,70}}?(?:{DOC_KINDS})(?:\([^()]{{2,20}}\))?)》?$")
_RUN_ON_TITLE = re.compile(
    rf"([\u4e00-\u9fff《》“”〈〉]{{6,60}}?(?:{DOC_KINDS}))(?=为|根据|按照|以|近年来)"
)


@dataclass
class Header:
    doc_number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    titles: list[str] | None = None  # titles a notice issues, in order


def _safe(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def find_doc_number(lines: list[str]) -> str | None:
    """This document's 文号 (see module docstring)."""
    for line in lines:
        s = line.strip()
        for m in DOCNO.finditer(s):
            before = s[: m.start()]
            if m.group(0) == s or not before or _DOCNO_LABEL.search(before[-8:]):
                if before.count("(") > before.count(")"):
                    continue
                return squeeze(m.group(0))
    return None


def find_signature(lines: list[str]) -> tuple[str | None, date | None]:
    """Issuer(s) and date of the signature block: organ lines just above a date line."""
    for i, line in enumerate(lines):
        m = _DATE_LINE.match(line.strip())
        if not m:
            continue
        organs = []
        j = i - 1
        while j >= 0 and len(organs) < 4:
            s = squeeze(lines[j])
            if not s:
                j -= 1
                continue
            if not ORGAN_LINE.match(s):
                break
            organs.insert(0, s)
            j -= 1
        return ("、".join(organs) or None), _safe(*m.groups())
    return None, None


def find_labelled_date(lines: list[str]) -> date | None:
    best: tuple[int, date] | None = None
    for line in lines:
        for label, rank in _DATE_LABELS:
            for m in re.finditer(label + r"\s*[:|]?\s*" + _ISO, line):
                d = _safe(m.group(1), m.group(2), m.group(3))
                if d and (best is None or rank < best[0]):
                    best = (rank, d)
    return best[1] if best else None


def find_issuer(lines: list[str], text: str) -> str | None:
    m = _ISSUED_BY.search(text)
    if m and ORGAN_LINE.match(m.group(1)):
        return m.group(1)
    for line in lines:
        m = _ISSUER_LABEL.search(line)
        if m:
            return m.group(1)
    for line in lines:
        m = re.match(r"^(.{2,40}?)(?:关于)?印发.*的通知$", squeeze(line))
        if m and ORGAN_LINE.match(m.group(1)):
            return m.group(1)
    return None


def _titles_in(line: str) -> list[str]:
    """Top-level 《…》 titles in a line (inner titles use 〈〉 or nested 《》)."""
    out, depth, cur = [], 0, []
    for ch in line:
        if ch == "《":
            if depth:
                cur.append(ch)
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth:
                cur.append(ch)
            else:
                out.append(squeeze("".join(cur)))
                cur = []
        elif depth:
            cur.append(ch)
    return [t for t in out if len(t) >= 4]


def notice_titles(lines: list[str], text: str) -> list[str]:
    """The titles a notice issues ("现将《A》《B》印发给你们"), in order, without repeats."""
    titles: list[str] = []
    for line in lines[:60]:
        if _NOTICE_LINE.search(line) or _NOTICE_TITLE.search(line):
            for t in _titles_in(line):
                if t not in titles:
                    titles.append(t)
    return titles


def find_title_lines(lines: list[str], title: str, after: int = 0) -> tuple[int, int] | None:
    """(first, last) line index of `title` written as a heading, possibly over several
    lines ("立山区政府2023年重点工作" / "任务分解和责任分工方案")."""
    target = squeeze(title).strip("《》")
    for i in range(after, len(lines)):
        acc, j = "", i
        while j < len(lines) and j < i + 8:
            piece = squeeze(lines[j]).strip("《》")
            if piece:
                acc += piece
                if acc == target:
                    return i, j
                if not target.startswith(acc):
                    break
            elif not acc:
                break
            j += 1
    return None


def find_title_extended(lines: list[str], title: str) -> tuple[int, str] | None:
    """A heading line that extends a notice's title: the notice issues 《…规划》 and the
    document is headed "…规划责任分解"."""
    target = squeeze(title)
    for i, line in enumerate(lines):
        s = squeeze(line)
        if s.startswith(target) and s != target and _TITLE_LINE.match(s) and "的通知" not in s:
            return i, s
    return None


def guess_title(lines: list[str], text: str) -> str | None:
    """A title when no notice names one: the first title-like line of the head, or in
    run-on text the words before "为…"."""
    for line in lines[:25]:
        s = squeeze(line)
        if "的通知" in s or "解读" in s:
            continue
        m = _TITLE_LINE.match(s)
        if m:
            return m.group(1).strip("《》")
    m = _RUN_ON_TITLE.search(text[:800])
    return m.group(1).strip("《》") if m else None


def read_header(lines: list[str], text: str) -> Header:
    issuer, signed = find_signature(lines[:80])
    if issuer is None:
        issuer = find_issuer(lines[:80], text)
    issued_on = signed or find_labelled_date(lines[:40])
    return Header(find_doc_number(lines[:60]), issuer, issued_on, notice_titles(lines, text))
