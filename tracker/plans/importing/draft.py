"""The office's working copy of a proposal: plain, JSON-able dicts and the edits the preview
offers (edit, merge, split, drop, renumber, assign in bulk), the problems that block a
confirm, the diff against a plan already imported, and the document cut into highlighted
pieces. Pure: no Flask, no database, no clock.

A draft is {"text", "plans": [plan], "units": {name: unit}, "choices": {name: choice},
"seq"}; a plan is {"doc_number", "title", "issuer", "issued_on", "horizon", "phases",
"sections": [{"key", "label", "title", "path"}], "tasks": [task]}; a task is {"key",
"section", "label", "path", "title", "text", "lead", "co", "due", "phrase", "provisional",
"basis", "span", "milestones"} (milestones: [{"due_date", "phrase", "deliverable"}],
the measure's own yearly steps). Task numbers are the tasks' order in their plan (1, 2, …):
renumbering is reordering.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from .units import normalise_unit_name

UNIT_SEPARATORS = re.compile(r"[、,，;；\n]+")  # spaces inside a name are dropped
SENTENCE_END = re.compile(r"(?<=[。；;])")
TITLE_MAX = 300


def from_proposal(proposal: dict) -> dict:
    """A draft from `Proposal.as_json()`, with stable keys for sections and tasks."""
    seq = 0
    plans = []
    for p in proposal["plans"]:
        sections, tasks = [], []
        for s in p["sections"]:
            seq += 1
            s_key = f"s{seq}"
            label = s.get("label") or ""
            sections.append({"key": s_key, "label": label, "title": s.get("title") or ""})
            for t in s["tasks"]:
                seq += 1
                tasks.append(
                    {
                        "key": f"t{seq}",
                        "section": s_key,
                        "path": t.get("source_ref") or "",
                        "title": t["title"],
                        "text": t.get("text") or t["title"],
                        "lead": t.get("lead_unit"),
                        "co": list(t.get("co_units") or []),
                        "due": t.get("due_date"),
                        "phrase": t.get("due_phrase"),
                        "provisional": bool(t.get("lead_unit_provisional")),
                        "basis": t.get("lead_unit_basis"),
                        "span": list(t.get("span") or (0, 0)),
                        "milestones": list(t.get("milestones") or []),
                    }
                )
        plans.append({key: p.get(key) for key in
                      ("doc_number", "title", "issuer", "issued_on", "horizon", "phases")}
                     | {"sections": sections, "tasks": tasks})  # fmt: skip
    units = {u["name"]: {"known": u["known"], "via": u["via"], "successor": u.get("successor")}
             for u in proposal.get("units", [])}  # fmt: skip
    return {"text": proposal.get("text", ""), "plans": plans, "units": units, "choices": {},
            "seq": seq}  # fmt: skip


def split_units(value: str) -> list[str]:
    """ "市发改委、市财政局" → two names, normalised, each once, in the order written."""
    out: list[str] = []
    for piece in UNIT_SEPARATORS.split(value or ""):
        name = normalise_unit_name(piece)
        if name and name not in out:
            out.append(name)
    return out


def parse_date(value: str) -> date | None:
    """An ISO date from a date field; None when empty; ValueError when not a date."""
    value = (value or "").strip()
    return date.fromisoformat(value) if value else None


def find_task(draft: dict, key: str) -> tuple[dict, dict] | None:
    for plan in draft["plans"]:
        for task in plan["tasks"]:
            if task["key"] == key:
                return plan, task
    return None


def apply_edits(draft: dict, plan_edits: list[dict], task_edits: dict[str, dict]) -> list[tuple]:
    """Write the preview's fields into the draft. Returns problems (key, where) for values
    that could not be taken (a bad date); those fields keep their old value.

    A task's edit may hold title, lead, co (text), due (ISO), phrase, section, number: the
    tasks of a plan are re-sorted by the numbers typed (ties keep their order) and
    renumbered 1, 2, …. Editing a provisional lead makes it the office's choice."""
    problems: list[tuple] = []
    for plan, edit in zip(draft["plans"], plan_edits, strict=False):
        for name in ("title", "doc_number", "issuer"):
            if name in edit:
                plan[name] = (edit[name] or "").strip()[:TITLE_MAX] or None
        if "issued_on" in edit:
            try:
                issued = parse_date(edit["issued_on"])
                plan["issued_on"] = issued.isoformat() if issued else None
            except ValueError:
                problems.append(("bad_date", plan.get("title") or ""))
        for section in plan["sections"]:
            title = edit.get("sections", {}).get(section["key"])
            if title is not None and title.strip():
                section["title"] = title.strip()[:TITLE_MAX]
    for key, edit in task_edits.items():
        found = find_task(draft, key)
        if found is None:
            continue
        plan, task = found
        if (edit.get("title") or "").strip():
            task["title"] = edit["title"].strip()[:TITLE_MAX]
        if "lead" in edit:
            lead = split_units(edit["lead"])
            new_lead = lead[0] if lead else None
            if new_lead != task["lead"]:
                task["lead"], task["provisional"], task["basis"] = new_lead, False, None
        if "co" in edit:
            task["co"] = [n for n in split_units(edit["co"]) if n != task["lead"]]
        if "due" in edit:
            try:
                due = parse_date(edit["due"])
                task["due"] = due.isoformat() if due else None
            except ValueError:
                problems.append(("bad_date", key))
        if "phrase" in edit:
            task["phrase"] = (edit["phrase"] or "").strip()[:100] or None
        if edit.get("section") in {s["key"] for s in plan["sections"]}:
            task["section"] = edit["section"]
    for plan in draft["plans"]:
        renumber(plan, {k: e.get("number") for k, e in task_edits.items()})
    return problems


def renumber(plan: dict, typed: dict[str, str | None]) -> None:
    """Order the plan's tasks by the numbers the office typed (a task left blank or with a
    non-number keeps its place); their numbers are then 1, 2, … in that order."""

    def place(item):
        i, task = item
        value = (typed.get(task["key"]) or "").strip()
        return (float(value), i) if re.fullmatch(r"\d{1,4}(\.\d+)?", value) else (i + 1, i)

    plan["tasks"] = [t for _i, t in sorted(enumerate(plan["tasks"]), key=place)]


def _selected(plan: dict, keys: list[str]) -> list[dict]:
    wanted = set(keys)
    return [t for t in plan["tasks"] if t["key"] in wanted]


def merge(draft: dict, keys: list[str]) -> str | None:
    """Merge the selected tasks of one plan into the first of them: texts joined, span from
    the first start to the last end, co-units joined, the latest due date. Returns a
    problem key, or None."""
    groups = {id(p): _selected(p, keys) for p in draft["plans"]}
    chosen = [(p, groups[id(p)]) for p in draft["plans"] if groups[id(p)]]
    if len(chosen) != 1 or len(chosen[0][1]) < 2:
        return "merge_needs_two"
    plan, tasks = chosen[0]
    first, rest = tasks[0], tasks[1:]
    for other in rest:
        first["text"] = f"{first['text']}\n{other['text']}"
        first["span"] = [min(first["span"][0], other["span"][0]),
                         max(first["span"][1], other["span"][1])]  # fmt: skip
        for name in [other["lead"], *other["co"]]:
            if name and name != first["lead"] and name not in first["co"]:
                first["co"].append(name)
        if other["due"] and (not first["due"] or other["due"] > first["due"]):
            first["due"], first["phrase"] = other["due"], other["phrase"]
    gone = {t["key"] for t in rest}
    plan["tasks"] = [t for t in plan["tasks"] if t["key"] not in gone]
    return None


def split(draft: dict, key: str, text: str) -> str | None:
    """Split a task in two at the sentence nearest its middle; the second part follows it
    with the same section, units and deadline. Returns a problem key, or None."""
    found = find_task(draft, key)
    if found is None:
        return "select_one"
    plan, task = found
    sentences = [s for s in SENTENCE_END.split(task["text"]) if s.strip()]
    if len(sentences) < 2:
        return "cannot_split"
    half = len(task["text"]) / 2
    cut, best, length = 1, None, 0
    for i, sentence in enumerate(sentences[:-1], start=1):
        length += len(sentence)
        if best is None or abs(length - half) < best:
            cut, best = i, abs(length - half)
    head, tail = "".join(sentences[:cut]).strip(), "".join(sentences[cut:]).strip()
    a, b = task["span"]
    at = text.find(tail[:20], a, b) if tail else -1
    draft["seq"] += 1
    second = {**task, "key": f"t{draft['seq']}", "text": tail, "co": list(task["co"]),
              "title": first_sentence(tail), "span": [at, b] if at > a else [a, b]}  # fmt: skip
    task["text"] = head
    if at > a:
        task["span"] = [a, at]
    if task["title"] not in head:
        task["title"] = first_sentence(head)
    plan["tasks"].insert(plan["tasks"].index(task) + 1, second)
    return None


def first_sentence(text: str) -> str:
    return re.split(r"[。；;\n]", text.strip(), maxsplit=1)[0][:TITLE_MAX] or text[:TITLE_MAX]


def drop(draft: dict, keys: list[str]) -> int:
    """Remove the selected tasks; returns how many."""
    gone = set(keys)
    count = 0
    for plan in draft["plans"]:
        before = len(plan["tasks"])
        plan["tasks"] = [t for t in plan["tasks"] if t["key"] not in gone]
        count += before - len(plan["tasks"])
    return count


def assign(draft: dict, keys: list[str], lead: str, co: str = "") -> int:
    """Give the selected tasks one lead unit (and, if given, co-units): the office's choice,
    no longer provisional. Returns how many tasks changed."""
    names = split_units(lead)
    if not names:
        return 0
    co_names = [n for n in split_units(co) if n != names[0]]
    count = 0
    for plan in draft["plans"]:
        for task in _selected(plan, keys):
            task["lead"], task["provisional"], task["basis"] = names[0], False, None
            task["co"] = co_names or [n for n in task["co"] if n != names[0]]
            count += 1
    return count


def unit_names(draft: dict) -> list[str]:
    """Every unit the tasks name, once, in order of appearance."""
    out: list[str] = []
    for plan in draft["plans"]:
        for task in plan["tasks"]:
            for name in [task["lead"], *task["co"]]:
                if name and name not in out:
                    out.append(name)
    return out


def problems(draft: dict) -> list[tuple[str, str]]:
    """What blocks a confirm: (key, where). A task without a lead unit; a plan without a
    title or without tasks."""
    found = []
    for plan in draft["plans"]:
        if not plan.get("title"):
            found.append(("no_title", ""))
        if not plan["tasks"]:
            found.append(("no_tasks", plan.get("title") or ""))
        for number, task in enumerate(plan["tasks"], start=1):
            if not task["lead"]:
                found.append(("no_lead", str(number)))
    return found


# ------------------------------------------------------------------ re-import


@dataclass
class Diff:
    """Proposed tasks against a plan's current ones: matched by source reference, then title."""

    added: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict, list[str]]] = field(default_factory=list)  # old, new, fields
    removed: list[dict] = field(default_factory=list)
    unchanged: list[tuple[dict, dict]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


COMPARED = ("title", "lead", "co", "due", "section_title")


def diff(existing: list[dict], proposed: list[dict]) -> Diff:
    """Each dict: key/id, title, lead, co, due (ISO), section_title, path."""
    result = Diff()
    left = list(existing)
    for new in proposed:
        match = next((o for o in left if new.get("path") and o.get("path") == new["path"]), None)
        match = match or next((o for o in left if o["title"] == new["title"]), None)
        if match is None:
            result.added.append(new)
            continue
        left.remove(match)
        fields = [f for f in COMPARED if (match.get(f) or None) != (new.get(f) or None)]
        if fields:
            result.changed.append((match, new, fields))
        else:
            result.unchanged.append((match, new))
    result.removed = left
    return result


# ------------------------------------------------------------------ the document, highlighted


def segments(text: str, spans: list[tuple[str, int, int]]) -> list[tuple[str, str | None]]:
    """The text cut into pieces, each (text, task key or None). Overlapping spans are cut
    where the next begins; spans outside the text are ignored."""
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for key, start, end in sorted(spans, key=lambda s: (s[1], s[2])):
        start, end = max(start, at), min(end, len(text))
        if end <= start:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], key))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
