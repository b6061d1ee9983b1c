"""The package's shape, checked so that it cannot drift (ADR-0015).

* No import cycle between any two modules of the package, within a subpackage or across them.
* The public API is exactly ``pytest_archgate.__all__``: every name in it can be imported and
  nothing else in ``pytest_archgate/__init__.py`` looks public.
* Every subpackage's ``__init__`` imports nothing: importing ``pytest_archgate.report.text``
  must not import the rest of ``report`` (import cost, and the cycles a busy ``__init__`` makes).
* The layer contracts of ``[tool.importlinter]`` in pyproject.toml hold (the same check as
  ``lint-imports`` in .ci/run, here so that a plain ``pytest`` run catches a layer crossed).

The import graph is built statically by grimp (the library import-linter is built on): every
``import`` statement counts, including imports inside functions (the lazy imports that keep
the plugin cheap) and imports under ``if TYPE_CHECKING:``. Type-only imports count on purpose:
a cycle that exists only for the type checker still ties two modules together (neither can be
understood, moved or tested without the other), and it becomes a runtime cycle the day someone
needs the name at run time. There is no exception to this rule today; one would be listed in
``ALLOWED_CYCLES`` with the reason.
"""

from __future__ import annotations
import __future__

import ast
from pathlib import Path
from types import ModuleType

import pytest

import pytest_archgate

grimp = pytest.importorskip("grimp", reason="grimp is in the dev extra")

PACKAGE = "pytest_archgate"
PACKAGE_DIR = Path(pytest_archgate.__file__).parent
REPO = PACKAGE_DIR.parent

# Sets of modules allowed to import each other in a cycle, each with the reason. Empty: keep it so.
ALLOWED_CYCLES: dict[frozenset[str], str] = {}


def _graph() -> grimp.ImportGraph:
    # cache_dir=None: no .grimp_cache folder written into the checkout by a test run
    return grimp.build_graph(PACKAGE, cache_dir=None)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_cycles() -> None:
    """The finder itself: a cycle of three and a cycle of two are found, a chain is not."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d", "a"}, "f": {"a"}}
    assert sorted(_cycles(edges)) == [["a", "b", "c"], ["d", "e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_any_two_modules() -> None:
    graph = _graph()
    modules = set(graph.modules)
    assert len(modules) > 40, "the graph should hold every module of the package"
    edges = {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in modules}
    problems = []
    for component in _cycles(edges):
        if frozenset(component) in ALLOWED_CYCLES:
            continue
        first, second = component[0], component[1]
        there = graph.find_shortest_chain(importer=first, imported=second) or ()
        back = graph.find_shortest_chain(importer=second, imported=first) or ()
        problems.append(
            f"{', '.join(component)}: {' -> '.join(there)} and back: {' -> '.join(back)}"
        )
    assert not problems, "import cycles:\n" + "\n".join(problems)


def _public(names: dict[str, object]) -> set[str]:
    """Names of a module namespace that look public: not underscored, not a submodule of the
    package (Python binds every imported submodule on its package), not a ``__future__``
    feature (``from __future__ import annotations`` binds ``annotations``)."""
    out = set()
    for name, value in names.items():
        # "@py_builtins", "@pytest_ar": pytest rewrites the asserts of a plugin's modules (this
        # package is one) and leaves these in their namespace; they are not identifiers
        if name.startswith(("_", "@")):
            continue
        if isinstance(value, ModuleType) and value.__name__.startswith(f"{PACKAGE}."):
            continue
        if name in __future__.all_feature_names and value is getattr(__future__, name):
            continue
        out.add(name)
    return out


def test_public_api_is_exactly_all() -> None:
    exported = list(pytest_archgate.__all__)
    assert len(exported) == len(set(exported)), "a name listed twice in __all__"
    for name in exported:
        assert getattr(pytest_archgate, name) is not None, name
    namespace: dict[str, object] = {}
    exec(f"from {PACKAGE} import *", namespace)  # what a star import gives is __all__
    star = {n for n in namespace if n != "__builtins__" and not n.startswith("@")}
    assert star == set(exported)
    # the lazy names have been loaded above; nothing public beyond __all__ may remain
    assert _public(vars(pytest_archgate)) == set(exported) - {"__version__"}


def test_public_api_names_are_bound_in_the_facade_source() -> None:
    """Statically, without importing: every top-level name ``__init__.py`` binds that is not
    private is in ``__all__`` (the runtime test cannot see a name bound only under
    ``if TYPE_CHECKING:``, this one can)."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.Import | ast.ImportFrom) and node in tree.body:
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.If):
            for child in node.body:
                if isinstance(child, ast.Import | ast.ImportFrom):
                    bound.update((a.asname or a.name).split(".")[0] for a in child.names)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound.update(t.id for t in targets if isinstance(t, ast.Name))
    public = {n for n in bound if not n.startswith("_")}
    assert public <= set(pytest_archgate.__all__), sorted(public - set(pytest_archgate.__all__))


def _subpackages() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("__init__.py") if p.parent != PACKAGE_DIR)


def test_there_are_subpackages_to_check() -> None:
    names = {p.parent.name for p in _subpackages()}
    assert {"adr", "measure", "verdict", "report", "authoring", "cli", "plugin"} <= names


@pytest.mark.parametrize("init", _subpackages(), ids=lambda p: p.parent.name)
def test_subpackage_init_imports_nothing(init: Path) -> None:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    imports = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    ]
    assert not imports, f"{init.relative_to(REPO)} imports {imports}; keep __init__ empty"
    assert ast.get_docstring(tree), f"{init.relative_to(REPO)}: say what the layer is for"


def test_import_linter_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """``lint-imports`` with the contracts of pyproject.toml (ADR-0015), in process."""
    cli = pytest.importorskip("importlinter.cli", reason="import-linter is in the dev extra")
    if not (REPO / "pyproject.toml").is_file():  # pragma: no cover - an installed package
        pytest.skip("runs from a checkout")
    monkeypatch.chdir(REPO)
    code = cli.lint_imports(no_cache=True, no_logo=True)
    assert code == 0, "an import-linter contract is broken: run lint-imports to see which"
