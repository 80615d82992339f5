"""The README's import direction holds in the code: an app imports only the
apps below it, at module level, and nothing imports a module of ours inside a
function to get round a cycle (AppConfig.ready() is where Django wants
start-up imports, so it may), and no app reaches into another's private names."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Top to bottom, as in the README: each app may import only those after it.
LAYERS = ["demo", "aftersales", "finance", "orders", "inventory", "integrations", "core"]
OURS = {*LAYERS, "config"}


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module]
    return ["." * node.level + (node.module or "")]


def _imports(path: Path):
    """(imported module, inside which function or None) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for module in _imported(child):
                    yield module, function, child.lineno
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            yield from walk(child, inner)

    yield from walk(tree, None)


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    allowed = set(LAYERS[LAYERS.index(app) :])
    against = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules(app)
        for module, _function, line in _imports(path)
        if module.split(".")[0] in OURS - allowed
    ]
    assert against == []


@pytest.mark.parametrize("app", LAYERS)
def test_no_module_of_ours_is_imported_inside_a_function(app):
    lazy = [
        f"{path.relative_to(ROOT)}:{line} imports {module} inside {function}()"
        for path in _modules(app)
        for module, function, line in _imports(path)
        if function not in (None, "ready") and (module.startswith(".") or module.split(".")[0] in OURS)
    ]
    assert lazy == []


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_another_apps_private_names(app):
    private = []
    for path in _modules(app):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in OURS - {app}:
                private += [
                    f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    assert private == []
