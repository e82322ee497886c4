"""The layout's promises, checked on the source (docs/architecture.md):

- dependencies point downward only: a feature never imports a feature above it, not even
  inside a function;
- no function-level import of the project's own modules (the app factory excepted), so no
  cycle is dodged by importing late;
- files stay readable: at most ~450 lines, unless the module's docstring says why.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"

# Lower numbers sit lower. A module may import from its own feature and from any feature whose
# layer is lower or equal; never from a higher one.
LAYERS = {
    "tracker.extensions": 0,
    "tracker.config": 0,
    "tracker.database": 0,
    "tracker.timeutil": 0,
    "tracker.i18n_tools": 0,
    "tracker.warmup": 0,  # a web worker compiles its templates at start (gunicorn.conf.py)
    "tracker.common": 1,
    "tracker.audit": 1,
    "tracker.settings": 1,
    "tracker.kept": 1,  # the stamp of work writes, and what processes keep under it
    "tracker.calendar": 2,
    "tracker.units": 3,
    "tracker.accounts": 4,
    "tracker.units.views": 4,  # the admin's unit pages need accounts' role checks
    "tracker.plans": 5,
    "tracker.units.reorganise": 5,  # the split wizard routes tasks through plans' reassignment
    "tracker.reports": 6,
    # the settings page: a new due day or calendar override recomputes open periods' due dates
    "tracker.calendar.views": 6,
    "tracker.backup": 6,
    "tracker.supervision.models": 7,  # the supervision sub-features share their models
    "tracker.supervision.delivery": 7,
    # evidence files belong to progress reports and to close-out requests alike
    "tracker.reports.evidence": 7,
    "tracker.supervision.workflow": 8,
    "tracker.supervision.notices": 9,
    "tracker.supervision.alerts": 10,
    "tracker.supervision": 10,
    "tracker.scoring": 11,
    "tracker.dashboard": 12,
    "tracker.api": 13,
    "tracker.public": 13,  # the public progress page: reads plans, lights, accepted percents
    "tracker.pages": 14,
    "tracker.demo": 15,
    "tracker.scheduler": 15,
    "tracker.cli": 16,
    "tracker.models": 16,  # the registry of every model, for Alembic
    "tracker.audit_labels": 16,  # the registry of every audit label
    "tracker.audit_subjects": 16,  # the audit page's readable subjects, of every feature
    "tracker": 17,  # create_app
}
MAX_LINES = 450
LONG_REASON = "Long because"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> tuple[str, int]:
    """The feature a module belongs to (its longest prefix in LAYERS) and that layer."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix == "tracker" and module != "tracker":
            break  # a module of a feature LAYERS does not name yet
        if prefix in LAYERS:
            return prefix, LAYERS[prefix]
    raise KeyError(module)


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def project_imports(tree: ast.AST):
    """(node, imported module) for each import of a tracker module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "tracker" or node.module.startswith("tracker."):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    spec = ROOT / Path(*candidate.split("."))
                    is_module = spec.with_suffix(".py").exists() or spec.is_dir()
                    yield node, candidate if is_module else node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tracker"):
                    yield node, alias.name


@pytest.mark.parametrize(
    ("module", "feature", "layer"),
    [
        ("tracker.units.rules", "tracker.units", 3),
        ("tracker.supervision.alerts.sweep", "tracker.supervision.alerts", 10),
        ("tracker.supervision.models", "tracker.supervision.models", 7),
        ("tracker.supervision.cli", "tracker.supervision", 10),
        ("tracker", "tracker", 17),
    ],
)
def test_layer_of(module, feature, layer):
    assert layer_of(module) == (feature, layer)


def test_every_feature_has_a_layer():
    missing = []
    for path in source_files():
        try:
            layer_of(module_name(path))
        except KeyError:
            missing.append(module_name(path))
    assert not missing, f"add these to LAYERS (and docs/architecture.md): {missing}"


def test_no_feature_imports_a_higher_one():
    upward = []
    for path in source_files():
        importer = module_name(path)
        feature, layer = layer_of(importer)
        for node, imported in project_imports(ast.parse(path.read_text())):
            target, target_layer = layer_of(imported)
            if target_layer > layer and not imported.startswith(feature + "."):
                upward.append(f"{importer}:{node.lineno} imports {imported}")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_function_level_imports_of_our_own_modules():
    late = []
    for path in source_files():
        if path == PACKAGE / "__init__.py":
            continue  # create_app() registers the blueprints: the one place that may
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom | ast.Import):
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                    if isinstance(node, ast.Import):
                        names = [a.name for a in node.names]
                    if any(n == "tracker" or n.startswith("tracker.") for n in names):
                        late.append(f"{module_name(path)}:{node.lineno}")
    assert not late, "function-level imports of tracker modules:\n" + "\n".join(sorted(set(late)))


def test_files_stay_readable():
    long = []
    for path in source_files():
        lines = path.read_text().count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if lines > MAX_LINES and LONG_REASON not in doc:
            long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not long, f"over {MAX_LINES} lines without '{LONG_REASON} …' in the docstring: {long}"
