"""From policy document to responsibility list: the pure parser (issue 11).

`propose(text)` reads a document's text and proposes plans, sections and tasks with their
units and deadlines.  No Flask, no database, no clock: the office reviews the proposal and
the app saves it.  The rules are listed in docs/importer.md.
"""

import itertools
import math
import re

from .dates import find_phases, find_steps, plan_horizon, plan_year, task_deadline
from .header import (
    ORGAN_LINE,
    Header,
    find_title_extended,
    find_title_lines,
    guess_title,
    read_header,
)
from .model import (
    Proposal,
    ProposedMilestone,
    ProposedPhase,
    ProposedPlan,
    ProposedSection,
    ProposedTask,
)
from .normalise import normalise, split_lines, squeeze
from .numbering import cn_to_int
from .structure import (
    MEASURES,
    Node,
    build_tree,
    heading_like,
    heading_units,
    trailing_group,
    units_of,
)
from .tables import find_table
from .units import KnownUnit, UnitList, UnitMatcher, UnitProposal, parse_unit_list

# Chapters that hold tasks, and chapters that do not (unless their items name units).
TASK_CHAPTER = re.compile(
    r"重点任务|主要任务|工作任务|具体任务|工作措施|政策措施|主要措施|具体措施|重点举措|主要举措"
    r"|行动内容|重点工作|主要内容|任务分工|重点项目|建设任务|实施内容|重点行动"
)
NON_TASK_CHAPTER = re.compile(
    r"指导思想|总体要求|基本原则|工作原则|工作思路|总体思路|发展目标|总体目标|主要目标|工作目标"
    r"|目标任务|预期目标|保障措施|组织保障|保障机制|组织领导|组织实施|工作要求|附则|总则"
    r"|出台背景|背景|发展环境|发展基础|面临形势|形势|意义|适用范围|职责分工|工作机制|实施步骤|步骤"
)
_PREAMBLE_ARTICLE = re.compile(
    r"^为.{0,200}(?:制定|特制定|制订)本(?:规定|办法|措施|方案|细则|意见)"
)
_SCOPE_ARTICLE = re.compile(r"^本(?:规定|办法|措施|细则)(?:所称|适用|自|由)")
_VERB_START = set(
    "实施 引导 发展 组织 加强 前瞻 改造 培育 持续 建设 推进 加快 大力 全面 深化 促进 建立 完善"
    " 推动 扩规 优化 搭建 用好 引进 打造 扩大 营造 强化 提升 健全 落实 支持 鼓励 开展 创新 构建"
    " 做好 做强 坚持 着力 积极 探索 提高 规范 简化 降低 减轻 保障 严格 统筹 聚焦 实行 设立 出台"
    " 举办 拓宽 集聚 选好 倡导 发挥 激发 加速 升级 提供 充分 依托 继续 深入 开拓 完成".split()
)
BASIS_NO_UNITS = (
    "原文未列明各项举措的责任单位，由方案出台单位{issuer}暂任牵头单位，待专班办公室重新交办"
)
BASIS_THIS_TASK = (
    "原文未列明本项任务的责任单位，由发文单位{issuer}暂任牵头单位，待专班办公室重新交办"
)


def propose(
    text: str,
    known_units: list[KnownUnit] | None = None,
    issuer_hint: str | None = None,
    issuer_as_lead: bool = True,
) -> Proposal:
    """Propose plans, sections and tasks for a document's text.

    One plan per document a notice carries.  `issuer_hint` names the issuer when the text
    names none.  With `issuer_as_lead`, a task whose document names no unit is given the
    issuer as a provisional lead (flagged, with the basis written out); without an issuer
    its lead stays None: the parser never invents a unit the text does not name.
    """
    norm = normalise(text)
    lines = split_lines(norm)
    texts = [t for t, _, _ in lines]
    header = read_header(texts, norm)
    issuer = header.issuer or issuer_hint
    proposal = Proposal(norm)
    matcher = UnitMatcher(known_units)

    starts = []
    for title in header.titles or []:
        found = find_title_lines(texts, title)
        if found:
            starts.append((found[0], found[1], title))
    starts.sort()
    if header.titles and len(starts) < len(header.titles) and starts:
        proposal.warnings.append(
            f"the notice names {len(header.titles)} documents; {len(starts)} found in the text"
        )
    if not starts and header.titles:
        extended = find_title_extended(texts, header.titles[0])
        if extended:
            starts = [(extended[0], extended[0], extended[1])]
    if not starts:
        title = header.titles[0] if header.titles else guess_title(texts, norm)
        found = find_title_lines(texts, title) if title else None
        starts = [(found[0], found[1], title)] if found else [(0, -1, title)]
    if issuer is None and starts[0][0] > 0:  # "石家庄市人民政府" on the line above the title
        above = squeeze(texts[starts[0][0] - 1])
        if ORGAN_LINE.match(above):
            issuer = above
    for k, (first, last, title) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = lines[last + 1 : end]
        span = (lines[first][1], lines[end - 1][2] if end > 0 else 0)
        plan = _plan(body, title, header, issuer, issuer_as_lead, span)
        proposal.plans.append(plan)
    _resolve_units(proposal, matcher, issuer)
    return proposal


# --------------------------------------------------------------------------- one plan


def _milestones(text: str) -> list[ProposedMilestone]:
    """A measure's own yearly steps as proposed milestones (dates.find_steps)."""
    return [ProposedMilestone(s.due, s.phrase, s.deliverable) for s in find_steps(text)]


def _plan(body, title, header: Header, issuer, issuer_as_lead, span) -> ProposedPlan:
    plan = ProposedPlan(header.doc_number, title, issuer, header.issued_on, span=span)
    root = build_tree(body)
    groups, excluded = _task_groups(root)
    target_lines = [t for t, _, _ in root.lines]
    for chapter in excluded:
        target_lines += [t for node in chapter.subtree() for t, _, _ in node.lines]
    phases = find_phases(target_lines)
    plan.phases = [ProposedPhase(p.year, p.phrase, p.due) for p in phases]
    horizon = plan_horizon(phases, "\n".join(target_lines), title)
    if horizon:
        plan.horizon, plan.horizon_phrase = horizon.due, horizon.phrase
    year = plan_year(title, header.issued_on)

    rows = find_table(body)
    if rows:
        section = ProposedSection(1, "", None, "", span=(rows[0].start, rows[-1].end))
        for row in rows:
            units = _table_units(row)
            task = _new_task(len(section.tasks) + 1, row.number, row.number, row.text, units)
            task.due_date, task.due_phrase = task_deadline(row.due or row.text, horizon, year)
            if row.due and task.due_phrase is None:
                task.due_phrase = row.due
            task.milestones = _milestones(row.text)
            task.span = (row.start, row.end)
            section.tasks.append(task)
        plan.sections.append(section)
    else:
        number = 0
        for section_node, items, path in groups:
            section = _section(len(plan.sections) + 1, section_node, path)
            inherited = _inherited_units(section_node)
            for k, item in enumerate(items, start=1):
                number += 1
                task = _task(number, k, item, section.path, inherited)
                task.due_date, task.due_phrase = task_deadline(task.text, horizon, year)
                task.milestones = _milestones(task.text)
                section.tasks.append(task)
            plan.sections.append(section)
    named = any(t.lead_unit for t in plan.tasks)
    for task in plan.tasks:
        if task.lead_unit is None and issuer and issuer_as_lead:
            task.lead_unit = issuer
            task.lead_unit_provisional = True
            basis = BASIS_THIS_TASK if named else BASIS_NO_UNITS
            task.lead_unit_basis = basis.format(issuer=issuer)
    return plan


def _task_groups(root: Node):
    """[(section node or None, [items], path)], and the chapters that hold no tasks."""
    tops = root.children
    if not tops:
        return [], []
    if tops[0].style in ("article", "num", "num_paren", "circled") and not any(
        t.style in ("cn", "part", "chapter") for t in tops
    ):
        items = [t for t in tops if not _preamble_article(t)]
        return [(None, items, "")], []
    kinds = {t: _classify(t) for t in tops}
    chosen = [t for t in tops if kinds[t] == "task"] or [t for t in tops if kinds[t] == "neutral"]
    excluded = [t for t in tops if t not in chosen]
    loose = [t for t in chosen if not t.children and units_of(t)]
    if loose and len(loose) == len(chosen):
        return [(None, chosen, "")], excluded
    groups = []
    for chapter in chosen:
        groups.extend(_groups_in(chapter))
    return groups, excluded


def _classify(node: Node) -> str:
    if any(units_of(d) for d in node.subtree() if d is not node) or (
        not node.children and units_of(node)
    ):
        return "task"
    title = node.first_line.split("。", 1)[0]
    if node.style != "article" and NON_TASK_CHAPTER.search(title[:20]):
        return "excluded"
    if TASK_CHAPTER.search(title) or heading_units(node):
        return "task"
    if node.style == "chapter" and all(_preamble_article(c) for c in node.children):
        return "excluded"
    return "neutral"


def _preamble_article(node: Node) -> bool:
    text = node.own_text
    return bool(_PREAMBLE_ARTICLE.match(text) or _SCOPE_ARTICLE.match(text))


def _groups_in(chapter: Node):
    desc = [d for d in chapter.subtree() if d is not chapter]
    carriers = [d for d in desc if units_of(d)]
    measured = [c for c in chapter.children if MEASURES.search(c.own_text)]
    if measured and not carriers:
        return [(c, _measures(c), _path(chapter, c)) for c in measured]
    if carriers:
        rel = min(d.depth_below(chapter) for d in carriers)
    else:
        rel = 1
        while True:
            level = [d for d in desc if d.depth_below(chapter) == rel]
            if level and all(heading_like(d) for d in level):
                rel += 1
            else:
                break
    items = [d for d in desc if d.depth_below(chapter) == rel and not _preamble_article(d)]
    if not items:
        return []
    if rel == 1:
        return [(chapter, items, _path(chapter, chapter))]
    out: dict[Node, list] = {}
    for item in items:
        out.setdefault(item.ancestor_at(chapter, rel - 1), []).append(item)
    return [(sec, its, _path(chapter, sec)) for sec, its in out.items()]


def _path(chapter: Node, node: Node) -> str:
    labels, cur = [], node
    while cur is not None and cur.style != "root":
        labels.insert(0, cur.label)
        if cur is chapter:
            break
        cur = cur.parent
    return join_labels(labels)


def join_labels(labels: list[str]) -> str:
    """ "二" + "(一)" + "1" → "二(一)1"; "三" + "第一部分" → "三、第一部分"."""
    out = ""
    for i, label in enumerate(labels):
        if (
            i
            and not label.startswith("(")
            and cn_to_int(labels[i - 1])
            and labels[i - 1][0] in "一二三四五六七八九十"
        ):
            out += "、"
        out += label
    return out


def _measures(node: Node) -> list[tuple[str, int, int]]:
    """The measures a 解读 lists: "提出了A、B、C等三项举措" → [A, B, C] with offsets."""
    text = node.own_text
    m = MEASURES.search(text)
    listed, count = m.group(1), cn_to_int(m.group(2))
    base = node.lines[0][1] + m.start(1)  # the part's text is one line in such documents
    pieces, pos = [], 0
    for piece in listed.split("、"):
        pieces.append((piece, pos))
        pos += len(piece) + 1
    if count and len(pieces) > count and math.comb(len(pieces) - 1, count - 1) <= 5000:
        pieces = _regroup(pieces, count)
    return [(p, base + off, base + off + len(p)) for p, off in pieces]


def _regroup(pieces: list[tuple[str, int]], count: int) -> list[tuple[str, int]]:
    """Join pieces split on a "、" inside a measure (人才、学科、科研) so that the count
    matches the one the text states: every measure should start with a verb."""
    best, best_score = None, None
    n = len(pieces)
    for cuts in itertools.combinations(range(1, n), count - 1):
        bounds = [0, *cuts, n]
        groups = [pieces[a:b] for a, b in itertools.pairwise(bounds)]
        score = sum((g[0][0][:2] in _VERB_START) * 2 - (len(g[0][0]) < 5) for g in groups)
        if best_score is None or score > best_score:
            best, best_score = groups, score
    return [("、".join(p for p, _ in g), g[0][1]) for g in best]


def _section(number: int, node: Node | None, path: str) -> ProposedSection:
    if node is None:
        return ProposedSection(number, "", None, "")
    title = node.first_line
    if node.style == "part":
        title = re.sub(r"^是", "", title)
    title = title.split("。", 1)[0]
    g = trailing_group(title)
    if g and parse_unit_list(g[1]):
        title = g[0]
    return ProposedSection(number, node.label, title.strip(), path, span=(node.start, node.end))


def _inherited_units(node: Node | None) -> UnitList | None:
    while node is not None and node.style != "root":
        ul = heading_units(node)
        if ul and node.children:
            return ul
        node = node.parent
    return None


def _task(number: int, k: int, item, section_path: str, inherited) -> ProposedTask:
    if isinstance(item, tuple):  # a listed measure: "三、第一部分 举措2"
        name, start, end = item
        task = _new_task(number, f"举措{k}", f"{section_path} 举措{k}", name, None)
        task.span = (start, end)
        return task
    found = units_of(item)
    units = found[0] if found else inherited
    own = found[1] if found else item.own_text
    parts = [own]
    for d in item.subtree():
        if d is item:
            continue
        parts.append(d.label + d.own_text)
    text = "\n".join(p for p in parts if p)
    path = (section_path + item.label) if section_path else item.label
    task = _new_task(number, item.label, path, text, units)
    task.span = (item.start, item.end)
    return task


def _new_task(number, label, path, text, units: UnitList | None) -> ProposedTask:
    first = text.split("\n", 1)[0]
    title = first.split("。", 1)[0].strip()
    g = trailing_group(title)
    if g and parse_unit_list(g[1]):
        title = g[0]
    title = title.rstrip(";,:") or text[:60]
    ordered = units.ordered() if units else []
    return ProposedTask(
        number=number, label=label, path=path or label, title=title[:300], text=text,
        lead_unit=ordered[0] if ordered else None, co_units=ordered[1:],
        units_written=list(ordered),
    )  # fmt: skip


def _table_units(row) -> UnitList | None:
    lines = []
    if row.lead:
        lines.append(f"牵头单位:{row.lead}")
    if row.units:
        lines.append(("配合单位:" if row.lead else "责任单位:") + row.units)
    if row.co:
        lines.append(f"配合单位:{row.co}")
    return parse_unit_list(";".join(lines), strict=False) if lines else None


def _resolve_units(proposal: Proposal, matcher: UnitMatcher, issuer: str | None) -> None:
    """Known names for the written ones; every unit once, in order of appearance."""
    seen: dict[str, UnitProposal] = {}
    for plan in proposal.plans:
        for task in plan.tasks:
            if task.lead_unit_provisional:
                u = matcher.match(task.lead_unit)
                u.via = "issuer"
                task.lead_unit = u.name
                seen.setdefault(u.name, u)
                continue
            names = []
            for written in task.units_written:
                u = matcher.match(written)
                seen.setdefault(u.name, u)
                names.append(u.name)
            if names:
                task.lead_unit, task.co_units = names[0], names[1:]
    proposal.units = list(seen.values())
