"""Every audit action recorded anywhere has a readable label: no "user.sign_in" or
"report.returned" is ever shown to a user. The actions are read from the source, so a new
`record("…")` without a label fails here."""

import ast
from pathlib import Path

import pytest

import tracker
from tracker.audit_labels import ACTION_LABELS, action_label

ROOT = Path(tracker.__file__).parent
RECORDERS = {"record", "_record"}


def _strings(node) -> set[str]:
    """The string constants an expression can take (a constant, or either side of an if)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _assigned(function, name: str) -> set[str]:
    values = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            values |= _strings(node.value)
    return values


def recorded_actions() -> dict[str, str]:
    """{action: where} for every action passed to record() in tracker/ (a constant, an
    `a if … else b`, or a local variable assigned such a value in the same function)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for function in functions:
            for node in ast.walk(function):
                if not (isinstance(node, ast.Call) and node.args):
                    continue
                callee = node.func
                name = getattr(callee, "id", None) or getattr(callee, "attr", None)
                if name not in RECORDERS:
                    continue
                first = node.args[0]
                values = _strings(first)
                if isinstance(first, ast.Name):
                    values |= _assigned(function, first.id)
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                assert values or first.id == "action", f"cannot read the action at {where}"
                for value in values:
                    found.setdefault(value, where)
    return found


ACTIONS = recorded_actions()


def test_the_scan_finds_the_known_actions():
    for action in ("user.sign_in", "report.returned", "evidence.uploaded", "task.assigned"):
        assert action in ACTIONS


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_recorded_action_has_a_label(app, action):
    assert action in ACTION_LABELS, f"{action} (recorded at {ACTIONS[action]}) has no label"
    with app.test_request_context():
        label = action_label(action)
    assert label and label != action


def test_labels_are_translated(app):
    with app.test_request_context(headers={"Cookie": "tracker_lang=zh_CN"}):
        assert action_label("user.sign_in") == "登录"
