"""The house rules of the code's layout, read from the source: which folder may import what,
no import cycles, no oversized modules in the edge and the flows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dialogs", "domain", "cards", "storage", "reports")
SDKS = ("botbuilder", "botframework", "msrest", "azure")
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).glob("*.py")}
    found["app"] = ROOT / "app.py"
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from dialogs import task` imports the module dialogs.task
            names.update(f"{node.module}.{a.name}" for a in node.names)
    # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
    parents = {n.rsplit(".", k)[0] for n in names for k in range(1, n.count(".") + 1)}
    return names | parents


def _project_imports(path: Path) -> set[str]:
    return {name for name in _imports(path) if name in MODULES}


def _top(name: str) -> str:
    return name.split(".", 1)[0]


@pytest.mark.parametrize("package", ["dialogs", "domain", "cards", "storage"])
def test_only_the_edge_imports_the_bot_framework_sdk(package: str) -> None:
    offenders = {
        module: sorted(n for n in _imports(path) if _top(n) in ("botbuilder", "botframework"))
        for module, path in MODULES.items()
        if _top(module) == package
    }
    assert not {m: names for m, names in offenders.items() if names}


@pytest.mark.parametrize("package", ["dialogs", "domain", "cards", "reports"])
def test_flows_domain_and_cards_import_no_sdk_and_not_the_edge(package: str) -> None:
    offenders = {
        module: sorted(n for n in _imports(path) if _top(n) in (*SDKS, "bot", "aiohttp"))
        for module, path in MODULES.items()
        if _top(module) == package
    }
    assert not {m: names for m, names in offenders.items() if names}


def test_the_domain_imports_nothing_above_it() -> None:
    for module, path in MODULES.items():
        if _top(module) == "domain":
            above = {n for n in _project_imports(path) if _top(n) != "domain"}
            assert not above, (module, above)


def test_no_module_of_the_edge_imports_the_activity_handler_upward() -> None:
    """bot/teams_bot.py is used only by the app that wires it (bot/web.py)."""
    importers = {m for m, p in MODULES.items() if "bot.teams_bot" in _project_imports(p)}
    assert importers == {"bot.web"}


def test_there_are_no_import_cycles() -> None:
    graph = {module: _project_imports(path) - {module} for module, path in MODULES.items()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, " → ".join([*visiting, module])
        visiting.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


@pytest.mark.parametrize("package", ["bot", "dialogs"])
def test_edge_and_flow_modules_stay_small(package: str) -> None:
    sizes = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in MODULES.items()
        if _top(module) == package
    }
    assert max(sizes.values()) <= MAX_LINES, sizes


def _card_verbs() -> set[str]:
    """The verbs the cards' buttons carry: the second argument of every `execute(...)`."""
    verbs = set()
    for module, path in MODULES.items():
        if _top(module) != "cards":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "execute":
                verb = node.args[1]
                if isinstance(verb, ast.Constant):
                    verbs.add(verb.value)
                else:  # a parameter: its default is a verb (callers passing others say so)
                    assert isinstance(verb, ast.Name), f"{module}: a verb of unknown origin"
            elif isinstance(node, ast.FunctionDef):
                args = node.args.args[-len(node.args.defaults) :] if node.args.defaults else []
                for arg, default in zip(args, node.args.defaults, strict=True):
                    if arg.arg == "verb" and isinstance(default, ast.Constant):
                        verbs.add(default.value)
    return verbs


def test_every_button_has_a_flow_and_every_clickable_verb_a_button() -> None:
    from dialogs.flows import all_flows

    assert _card_verbs() == all_flows().verbs


def test_nothing_outside_the_services_reaches_the_repository() -> None:
    for module, path in MODULES.items():
        if _top(module) not in ("bot", "dialogs") or module == "dialogs.services":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reached = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not reached & {"repo", "_repo"}, module
        assert "storage.repository" not in _imports(path) or module == "bot.web", module
