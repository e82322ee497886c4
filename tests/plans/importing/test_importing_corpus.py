"""A corpus of real public policy documents of different shapes.

Each `corpus/NAME.txt` has a `NAME.expected.json` written by hand from reading the text.
The test fails when the section count or the set of named units is wrong; every other
field counts towards the document's score, shown in the terminal summary.
"""

import json
from pathlib import Path

import pytest

from tracker.plans.importing import propose

CORPUS = Path(__file__).parent / "corpus"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json"))


def named_units(plan) -> list[str]:
    """Units the document names for its tasks, in order (provisional leads excluded)."""
    out = []
    for task in plan.tasks:
        names = [] if task.lead_unit_provisional else [task.lead_unit, *task.co_units]
        for name in names:
            if name and name not in out:
                out.append(name)
    return out


def score(plan, n_plans: int, expected: dict) -> tuple[int, int, list[str]]:
    """(fields right, fields compared, what was missed)."""
    checks = [
        ("plans", n_plans, expected["plans"]),
        ("doc_number", plan.doc_number, expected["doc_number"]),
        ("title", plan.title, expected["title"]),
        ("issuer", plan.issuer, expected["issuer"]),
        ("issued_on", plan.issued_on and plan.issued_on.isoformat(), expected["issued_on"]),
        ("sections", len(plan.sections), expected["sections"]),
        ("units", named_units(plan), expected["units"]),
        ("tasks", len(plan.tasks), expected["tasks"]),
    ]
    for i, title in enumerate(expected["section_titles"]):
        got = plan.sections[i].title if i < len(plan.sections) else "(missing)"
        checks.append((f"section {i + 1} title", got, title))
    tasks = plan.tasks
    for i, title in enumerate(expected["task_titles"]):
        t = tasks[i] if i < len(tasks) else None
        lead = None if t is None or t.lead_unit_provisional else t.lead_unit
        due = [t.due_date.isoformat() if t and t.due_date else None, t.due_phrase if t else None]
        checks += [
            (f"task {i + 1} title", t and t.title, title),
            (f"task {i + 1} lead", lead, expected["leads"][i]),
            (f"task {i + 1} co-units", t and t.co_units, expected["co_units"][i]),
            (f"task {i + 1} due", due, expected["due"][i]),
        ]
    misses = [f"{name}: {got!r} != {want!r}" for name, got, want in checks if got != want]
    return len(checks) - len(misses), len(checks), misses


@pytest.mark.parametrize("name", NAMES)
def test_corpus_document(name, corpus_scores):
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    proposal = propose(text)
    plan = proposal.plans[0]
    right, total, misses = score(plan, len(proposal.plans), expected)
    corpus_scores[name] = (right, total, misses)
    report = f"{name}: score {right}/{total}\n" + "\n".join(misses)
    assert len(plan.sections) == expected["sections"], report
    assert set(named_units(plan)) == set(expected["units"]), report


def test_corpus_has_the_shapes_the_issue_names():
    assert len(NAMES) >= 6
    for name in NAMES:
        expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
        assert expected["source_url"].startswith("http") and expected["retrieved"]
