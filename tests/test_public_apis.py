"""elearn uses its dependencies through their documented APIs only (issue 13, item 1).

Walks every .py under elearn/ with `ast` and fails on:
- an attribute access (`x._name`, or `getattr(x, "_name")`) or an import of a name
  starting with `_` that elearn does not define itself (dunder names are Python's own;
  the documented `LocalProxy._get_current_object()` is allowed);
- a class of elearn that subclasses a library class and defines a method whose name
  starts with a single `_` that exists on that library base (overriding a private hook);
- another package's private session keys ("_user_id", "_flashes", "_fresh", "_id").
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "elearn"

#: documented names that start with an underscore
DOCUMENTED = {"_get_current_object"}  # werkzeug.local.LocalProxy
#: session keys other packages keep for themselves (Flask-Login, Flask's flash)
FOREIGN_SESSION_KEYS = {"_user_id", "_flashes", "_fresh", "_id"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def defined_names(trees) -> set[str]:
    """Every name elearn defines: functions, classes, assignments (also to attributes,
    `self._x = ...`), parameters and import aliases."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.alias) and node.asname:
                names.add(node.asname)
    return names


def _own_module(node: ast.ImportFrom) -> bool:
    return node.level > 0 or (node.module or "").split(".")[0] == "elearn"


def _session_key_use(node: ast.Constant, parent: ast.AST | None) -> bool:
    """The literal is used as a mapping key: subscript, get/pop/setdefault argument,
    the left side of `in`, or a constant naming it."""
    if isinstance(parent, ast.Subscript) and parent.slice is node:
        return True
    if (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr in ("get", "pop", "setdefault")
        and node in parent.args
    ):
        return True
    if (
        isinstance(parent, ast.Compare)
        and parent.left is node
        and any(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
    ):
        return True
    return isinstance(parent, (ast.Assign, ast.AnnAssign, ast.keyword, ast.Dict))


def violations(tree: ast.Module, where: str, own: set[str], namespace: dict | None = None) -> list[str]:
    """What in this module reaches inside a dependency. `namespace` (the imported module's
    globals) resolves base classes for the private-override check."""
    found: list[str] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def allowed(name: str) -> bool:
        return not is_private(name) or name in own or name in DOCUMENTED

    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute) and not allowed(node.attr):
            found.append(f"{line}: private attribute .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and not allowed(node.args[1].value)
        ):
            found.append(f"{line}: private attribute {node.func.id}(..., {node.args[1].value!r})")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "elearn" and any(map(is_private, alias.name.split("."))):
                    found.append(f"{line}: private module {alias.name}")
        elif isinstance(node, ast.ImportFrom) and not _own_module(node):
            if any(map(is_private, (node.module or "").split("."))):
                found.append(f"{line}: private module {node.module}")
            for alias in node.names:
                if is_private(alias.name) and alias.name not in DOCUMENTED:
                    found.append(f"{line}: private name {alias.name} from {node.module}")
        elif (
            isinstance(node, ast.Constant)
            and node.value in FOREIGN_SESSION_KEYS
            and _session_key_use(node, parents.get(node))
        ):
            found.append(f"{line}: another package's session key {node.value!r}")
        elif isinstance(node, ast.ClassDef) and namespace is not None:
            found += private_overrides(node, line, namespace)
    return found


def private_overrides(node: ast.ClassDef, line: str, namespace: dict) -> list[str]:
    cls = namespace.get(node.name)
    if not isinstance(cls, type):
        return []
    library_bases = [
        base for base in cls.__mro__[1:] if base is not object and base.__module__.split(".")[0] != "elearn"
    ]
    methods = [item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return [
        f"{line}: {node.name}.{name} overrides private {base.__module__}.{base.__qualname__}.{name}"
        for name in methods
        if is_private(name)
        for base in library_bases
        if name in vars(base)
    ]


def elearn_modules() -> list[tuple[str, Path, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path, ast.parse(path.read_text(), filename=str(path))))
    return found


def test_elearn_uses_only_public_names_of_its_dependencies():
    modules = elearn_modules()
    own = defined_names(tree for _, _, tree in modules)
    found = []
    for name, path, tree in modules:
        namespace = vars(importlib.import_module(name))
        found += violations(tree, str(path.relative_to(ROOT)), own, namespace)
    assert found == []


# The checker itself, on small sources: each rule catches what it is for.


def check(source: str, run: bool = False) -> list[str]:
    """What the check finds in this source; `run`: execute it first, for the classes it
    defines (the private-override rule)."""
    tree = ast.parse(source)
    namespace: dict = {}
    if run:
        exec(compile(tree, "<test>", "exec"), namespace)
    return violations(tree, "<test>", defined_names([tree]), namespace if run else None)


@pytest.mark.parametrize(
    "source",
    [
        "from flask import current_app\n"
        "def f():\n    current_app.login_manager._update_request_context_with_user(None)",
        "from flask.sessions import _lazy_sha1",
        "import werkzeug._internal",
        "from werkzeug._internal import _log",
        "def f(hook):\n    return getattr(hook, '_private_hook', None)",
        "from flask import session\nKEY = '_user_id'\ndef f():\n    return session.get(KEY)",
        "from flask import session\ndef f():\n    return '_flashes' in session",
        "from flask import session\ndef f():\n    session['_fresh'] = False",
        "from flask import session\ndef f():\n    return session.pop('_id', None)",
    ],
)
def test_the_check_finds_private_access(source):
    assert check(source)


def test_the_check_finds_a_private_override_of_a_library_class():
    source = (
        "from flask import Flask\n"
        "class App(Flask):\n"
        "    def _find_error_handler(self, e, blueprints):\n"
        "        return None\n"
    )
    assert any("overrides private" in line for line in check(source, run=True))


@pytest.mark.parametrize(
    "source",
    [
        "class Cache:\n    def __init__(self):\n        self._shells = {}\n    def get(self, key):\n"
        "        return self._shells.get(key)",
        "from flask_login import current_user\ndef f():\n    return current_user._get_current_object()",
        "from flask.sessions import SecureCookieSessionInterface\n"
        "class Interface(SecureCookieSessionInterface):\n    def open_session(self, app, request):\n"
        "        return super().open_session(app, request)",
        "def f(name):\n    return name.endswith('_id')",
        "from flask import session\ndef f():\n    return session.get('course_state')",
    ],
)
def test_the_check_allows_own_and_documented_names(source):
    assert check(source, run=True) == []
