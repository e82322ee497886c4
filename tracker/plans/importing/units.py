"""Responsible units: reading a unit list, normalising names, matching known units.

Rules encoded here (see docs/importer.md):
- the first named unit leads, the others are co-units in the order written; a unit marked
  "牵头" (or listed under 牵头单位) leads even if it is not written first;
- a list is only read as units when it is labelled (责任单位: / 牵头单位: …) or marked
  (… 牵头, … 配合, … 负责) or every name in it looks like a body (ends in 局, 委, 政府 …);
- notes inside the list ("列第一位的为牵头单位,下同", "以下…不再列出") are dropped;
- names are normalised (width, spaces, middle dots) and never invented.
"""

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

LABEL_RE = re.compile(
    r"^(牵头单位|牵头部门|主办单位|责任单位|责任部门|责任主体|配合单位|配合部门|协办单位|参与单位|协同单位)"
    r"\s*[::]\s*(.*)$"
)
LEAD_LABELS = {"牵头单位", "牵头部门", "主办单位"}
CO_LABELS = {"配合单位", "配合部门", "协办单位", "参与单位", "协同单位"}
ORGAN_SUFFIX = re.compile(
    r"(局|委|办|厅|院|会|中心|政府|部|处|室|所|队|站|司|社|集团|公司|专班|街道|乡镇|部门|单位"
    r"|管委会|办公室|小组|学校|学院|大学|医院|银行|园区|开发区|高新区|经济区|机构|馆|台|党委|工委"
    r"|纪委|监委|妇联|科协|侨联|残联|工商联|文联|团委|海关|协会|研究院|监狱|银行|分行|支行)$"
)
_BARE_PLACE = re.compile(r"^各?[县市区乡镇州旗]{1,3}$")
_NOTE = re.compile(r"下同|不再|以下|为牵头|牵头单位|分别|按职责|有关要求|^[^\u4e00-\u9fff]*$")
_ROLE_SUFFIX = [
    ("lead", re.compile(r"(?:负责)?牵头(?:负责|落实|实施)?$")),
    ("co", re.compile(r"(?:等)?(?:配合|协助|参与|协同)(?:落实|实施)?$")),
    ("resp", re.compile(r"(?:按职责分工|按照职责分工|按职责|分别|共同)?(?:负责|落实|实施)$")),
]
_TRIM_TAIL = re.compile(r"(?:等(?:有关|相关)?(?:部门|单位)|等)$")
_DOTS = str.maketrans({"·": None, "•": None, "・": None, "‧": None, " ": None, "\t": None})


def normalise_unit_name(name: str) -> str:
    """A unit name in one form: no spaces or middle dots, no quotes or stray punctuation."""
    name = name.translate(_DOTS).strip("“”\"'《》:,;。、 ")
    return name


def looks_like_unit(name: str) -> bool:
    """A name that ends like a body: 市发改委, 区政务服务局, 各县(市、区)人民政府."""
    bare = re.sub(r"\([^()]*\)", "", name)
    return 2 <= len(name) <= 40 and bool(ORGAN_SUFFIX.search(bare))


def _split_top(s: str, seps: str) -> list[str]:
    """Split on any of `seps` outside brackets."""
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "(〔[（":
            depth += 1
        elif ch in ")〕]）":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def split_unit_names(s: str) -> list[str]:
    """Names in a list written "A、B、C" (also "A及B"), keeping "各县(市、区)人民政府" and
    "各县市、区政府" whole; trailing "等有关部门" is dropped."""
    names = []
    for part in _split_top(s, "、"):
        part = normalise_unit_name(part)
        pieces = [part]
        if "及" in part:
            left, _, right = part.partition("及")
            if looks_like_unit(left) and looks_like_unit(right):
                pieces = [left, right]
        names.extend(pieces)
    merged: list[str] = []
    for name in names:
        if merged and _BARE_PLACE.match(merged[-1].rsplit("、", 1)[-1]):
            merged[-1] = merged[-1] + "、" + name
        else:
            merged.append(name)
    out = []
    for name in merged:
        name = _TRIM_TAIL.sub("", name)
        name = normalise_unit_name(name)
        if name and not _NOTE.search(name):
            out.append(name)
    return out


@dataclass
class UnitList:
    """The units named for one item: lead first, then co-units, as written."""

    names: list[str] = field(default_factory=list)
    lead_index: int = 0

    @property
    def lead(self) -> str | None:
        return self.names[self.lead_index] if self.names else None

    @property
    def co_units(self) -> list[str]:
        return [n for i, n in enumerate(self.names) if i != self.lead_index]

    def ordered(self) -> list[str]:
        lead = self.lead
        return [lead, *self.co_units] if lead else []


def parse_unit_list(text: str, *, strict: bool = True) -> UnitList | None:
    """The units of a unit list (the inside of "(…)" or the value of a label), or None
    when the text is not a unit list.  With strict, unlabelled and unmarked names must all
    look like bodies; "(基地)" or "(2017年版)" are content, not units."""
    s = text.strip()
    s = s.split("。", 1)[0]
    clauses = [c.strip() for c in _split_top(s, ",;") if c.strip()]
    if not clauses:
        return None
    lead: list[str] = []
    resp: list[str] = []
    co: list[str] = []
    marked = False
    order: list[str] = []
    for clause in clauses:
        m = LABEL_RE.match(clause)
        role = "resp"
        if m:
            label, clause = m.group(1), m.group(2)
            role = "lead" if label in LEAD_LABELS else "co" if label in CO_LABELS else "resp"
            marked = True
        for name, pattern in _ROLE_SUFFIX:
            if pattern.search(clause):
                stripped = pattern.sub("", clause)
                if stripped:
                    clause, marked = stripped, True
                    role = name if not m else role
                break
        names = split_unit_names(clause)
        if not names:
            continue
        {"lead": lead, "resp": resp, "co": co}[role].extend(names)
        order.extend(names)
    if not order:
        return None
    if strict and not marked and not all(looks_like_unit(n) for n in order):
        return None
    if any(len(n) > 40 for n in order):
        return None
    seen: list[str] = []
    for n in order:
        if n not in seen:
            seen.append(n)
    first = lead[0] if lead else (resp[0] if resp else co[0])
    return UnitList(seen, seen.index(first))


def merge_label_lines(lines: list[str]) -> UnitList | None:
    """Units given on their own lines: "牵头单位:A" then "责任单位:B,C" (B, C co-units)."""
    joined = ";".join(lines)
    has_lead = any(LABEL_RE.match(x) and LABEL_RE.match(x).group(1) in LEAD_LABELS for x in lines)
    if has_lead:  # 责任单位 after a 牵头单位 line names the co-units
        joined = ";".join(re.sub(r"^(责任单位|责任部门|责任主体)", "配合单位", x) for x in lines)
    return parse_unit_list(joined, strict=False)


# --------------------------------------------------------------------------- known units


@dataclass(frozen=True)
class KnownUnit:
    """A unit the app already has: its name, aliases and (after a reorganisation) successor."""

    name: str
    aliases: tuple[str, ...] = ()
    successor: str | None = None


@dataclass
class UnitProposal:
    """A unit as the parser proposes it: the name to use, how it was found, and
    `known` False when the office should create it."""

    name: str
    written: str
    known: bool
    via: str  # "name", "alias", "close spelling", "new", "issuer"
    successor: str | None = None


class UnitMatcher:
    """Matches written names to known units by name, alias and (close) spelling."""

    def __init__(self, known: list[KnownUnit] | None):
        self.known = {normalise_unit_name(u.name): u for u in known or []}
        self.by_alias = {}
        for u in known or []:
            for alias in u.aliases:
                self.by_alias.setdefault(normalise_unit_name(alias), u)
        self.choices = list(self.known) + list(self.by_alias)

    def _final_successor(self, unit: KnownUnit) -> str | None:
        seen, current = set(), unit
        while current.successor and current.successor not in seen:
            seen.add(current.successor)
            nxt = self.known.get(normalise_unit_name(current.successor))
            if nxt is None:
                return current.successor
            current = nxt
        return current.name if current is not unit else None

    def match(self, written: str) -> UnitProposal:
        key = normalise_unit_name(written)
        if key in self.known:
            u = self.known[key]
            return UnitProposal(u.name, written, True, "name", self._final_successor(u))
        if key in self.by_alias:
            u = self.by_alias[key]
            return UnitProposal(u.name, written, True, "alias", self._final_successor(u))
        if self.choices and len(key) >= 6:
            hit = process.extractOne(key, self.choices, scorer=fuzz.ratio, score_cutoff=88)
            if hit:
                u = self.known.get(hit[0]) or self.by_alias[hit[0]]
                return UnitProposal(
                    u.name, written, True, "close spelling", self._final_successor(u)
                )
        return UnitProposal(key, written, False, "new")
