"""The outline of a document body: numbered items nested as the document nests them.

Levels are not fixed: a style (一、 (一) 1. (1) ① 第N条 第N部分) takes the place where it
first appears, as documents mix them.  An item is only accepted when its number follows
its predecessor of the same style (or starts at 1), so "2、" inside a sentence-broken web
copy does not open a new item.
"""

import re
from dataclasses import dataclass, field

from .numbering import BULLET_RE, HEADING_STYLES, recognise
from .units import LABEL_RE, UnitList, merge_label_lines, parse_unit_list

SUB_STYLES = {"num_paren", "circled"}
_OPEN = {")": "(", "〕": "〔", "]": "["}


@dataclass(eq=False)
class Node:
    style: str
    n: int
    label: str
    lines: list[tuple[str, int, int]] = field(default_factory=list)  # own text lines
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None
    unit_groups: list[str] = field(default_factory=list)  # "(责任单位:…)" lines
    unit_labels: list[str] = field(default_factory=list)  # "牵头单位:…" lines
    start: int = 0
    end: int = 0

    @property
    def own_text(self) -> str:
        return "\n".join(t for t, _, _ in self.lines)

    @property
    def first_line(self) -> str:
        return self.lines[0][0] if self.lines else ""

    def subtree(self):
        yield self
        for c in self.children:
            yield from c.subtree()

    def depth_below(self, ancestor: "Node") -> int:
        d, node = 0, self
        while node is not None and node is not ancestor:
            node, d = node.parent, d + 1
        return d

    def ancestor_at(self, ancestor: "Node", depth: int) -> "Node":
        node = self
        while node.depth_below(ancestor) > depth:
            node = node.parent
        return node

    def touch(self, end: int) -> None:
        node = self
        while node is not None:
            node.end = max(node.end, end)
            node = node.parent


def trailing_group(s: str) -> tuple[str, str] | None:
    """(text before, inside) of the bracketed group that ends `s`, brackets nested."""
    t = s.rstrip(" 。;")
    if not t or t[-1] not in _OPEN:
        return None
    depth = 0
    for i in range(len(t) - 1, -1, -1):
        ch = t[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _OPEN.values():
            depth -= 1
            if depth == 0:
                return t[:i].rstrip(), t[i + 1 : -1]
    return None


def unit_only_line(s: str) -> str | None:
    """The inside of a line that is nothing but a unit list: "(责任单位:A、B)"."""
    g = trailing_group(s)
    if g and not g[0] and parse_unit_list(g[1]):
        return g[1]
    return None


def units_of(node: Node) -> tuple[UnitList, str] | None:
    """(units, text without them) of an item: its trailing "(…)" group, else a unit-only
    line under it, else "牵头单位:/责任单位:" lines."""
    text = node.own_text
    g = trailing_group(text)
    if g:
        ul = parse_unit_list(g[1])
        if ul:
            return ul, g[0]
    for inner in reversed(node.unit_groups):
        ul = parse_unit_list(inner)
        if ul:
            return ul, text
    if node.unit_labels:
        ul = merge_label_lines(node.unit_labels)
        if ul:
            return ul, text
    return None


def heading_units(node: Node) -> UnitList | None:
    """Units written on a heading line: "一、强化科技创新(区科技局牵头)"."""
    g = trailing_group(node.first_line)
    return parse_unit_list(g[1]) if g else None


def heading_like(node: Node) -> bool:
    """A title-only line (no full stop) that introduces items below it."""
    return "。" not in node.first_line and len(node.first_line) <= 60 and bool(node.children)


def build_tree(lines: list[tuple[str, int, int]]) -> Node:
    """The outline of `lines`; lines before the first heading-style item are the root's."""
    root = Node("root", 0, "")
    marks = [recognise(t) for t, _, _ in lines]
    has_heading = any(m and m.style in HEADING_STYLES for m in marks)
    started = False
    stack: list[Node] = [root]
    last_seen: dict[str, int] = {}
    for (text, start, end), mk in zip(lines, marks, strict=True):
        s = text.strip()
        if not s:
            continue
        current = stack[-1]
        if current is not root and LABEL_RE.match(s):
            current.unit_labels.append(s)
            current.touch(end)
            continue
        if current is not root:
            inner = unit_only_line(s)
            if inner is not None:
                target = current
                if target.style in SUB_STYLES and target.parent is not root:
                    target = target.parent
                target.unit_groups.append(inner)
                current.touch(end)
                continue
        first = False
        if mk and not started:
            # An excerpt may start at "二、": the first heading opens the body whatever its
            # number; a plain list ("1.") must start at 1.
            started = mk.style in HEADING_STYLES or (not has_heading and mk.n == 1)
            first = started
        if mk and started and (first or _accept(mk, stack, last_seen)):
            styles = [n.style for n in stack]
            if mk.style in styles:
                del stack[styles.index(mk.style) :]
            node = Node(mk.style, mk.n, mk.label, parent=stack[-1], start=start, end=end)
            node.lines.append((text[mk.end :].strip(), start + mk.end, end))
            stack[-1].children.append(node)
            stack.append(node)
            last_seen[mk.style] = mk.n
            node.touch(end)
            continue
        if current is root and not root.lines:
            root.start = start
        current.lines.append((s, start, end))
        current.touch(end)
    return root


def _accept(mk, stack: list[Node], last_seen: dict[str, int]) -> bool:
    for node in stack:
        if node.style == mk.style:
            return mk.n in (node.n + 1, 1)
    return mk.n == 1 or mk.n == last_seen.get(mk.style, -1) + 1


def is_bullet(line: str) -> bool:
    return bool(BULLET_RE.match(line.strip()))


MEASURES = re.compile(r"提出了(.+?)等([一二三四五六七八九十两\d]+)项(?:举措|措施|重点任务|任务)")
